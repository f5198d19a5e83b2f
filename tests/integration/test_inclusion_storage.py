"""The inclusion tables on SQLite and PostgreSQL: groups, each message's language (kept apart
from its text), the lens's counts, erasure, and the nudge's claim taken once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.digest_values import DigestFilters
from bot.lens_values import Dimension
from bot.messages import Conversation, IncomingMessage, MessageRef
from bot.storage import Storage
from bot.tags import TagSet

pytestmark = pytest.mark.integration

T0 = datetime(2019, 10, 1, 12, tzinfo=UTC)
ROOM = Conversation("slack", "C1", name="general")
ARABIC = "مشاركة المترجمين بين الجلسات\u200f #wp3 \u0640"  # bidi mark and tatweel kept as typed


def message(n: int, text: str, sender: str) -> IncomingMessage:
    return IncomingMessage(ROOM, f"{n}", sender, text, T0 + timedelta(minutes=n),
                           sender_name=sender.lower())


async def _seed(store: Storage) -> None:
    await store.save_messages([(message(1, ARABIC, "U1"), TagSet((3,))),
                               (message(2, "Share interpreters #wp3", "U2"), TagSet((3,))),
                               (message(3, "More staff #wp3", "U2"), TagSet((3,)))], T0)
    await store.inclusion.set_group("slack", "U2", "GNSO", "U2", T0)


async def test_languages_and_groups_are_stored_and_counted(any_storage: Storage) -> None:
    await _seed(any_storage)
    pending = await any_storage.inclusion.pending_languages(10)
    assert [(ref.message_id, text) for ref, text, _ in pending] == [
        ("1", ARABIC), ("2", "Share interpreters #wp3"), ("3", "More staff #wp3")]
    refs = [ref for ref, _, _ in pending]
    await any_storage.inclusion.set_languages([(refs[0], "ar"), (refs[1], "en"),
                                               (refs[2], "en")])
    assert await any_storage.inclusion.pending_languages(10) == []
    stored = await any_storage.message(refs[0])
    assert stored is not None and stored.text == ARABIC  # byte for byte
    counts, newest = await any_storage.inclusion.lens_counts([3])
    table = {(c.dimension, c.value): (c.inputs, c.contributors) for c in counts}
    assert table == {(Dimension.GROUP, "GNSO"): (2, 1), (Dimension.GROUP, ""): (1, 1),
                     (Dimension.LANGUAGE, "ar"): (1, 1), (Dimension.LANGUAGE, "en"): (2, 1),
                     (Dimension.PLATFORM, "slack"): (3, 2)}
    assert newest == {3: T0 + timedelta(minutes=3)}
    entries = [e async for batch in any_storage.digests.stream_issue(DigestFilters(), 3)
               for e in batch]
    assert [(e.ref.message_id, e.language, e.group) for e in entries] == [
        ("3", "en", "GNSO"), ("2", "en", "GNSO"), ("1", "ar", None)]


async def test_an_edit_asks_for_the_language_again_and_forget_me_erases_the_group(
        any_storage: Storage) -> None:
    await _seed(any_storage)
    refs = [ref for ref, _, _ in await any_storage.inclusion.pending_languages(10)]
    await any_storage.inclusion.set_languages([(ref, "en") for ref in refs])
    await any_storage.edit_message(MessageRef("slack", "C1", "2"), "Compartir intérpretes #wp3",
                                   TagSet((3,)), "U2", T0 + timedelta(hours=1),
                                   T0 + timedelta(hours=1))
    assert [ref.message_id for ref, _, _ in
            await any_storage.inclusion.pending_languages(10)] == ["2"]
    await any_storage.forget_sender("slack", "U2", T0 + timedelta(hours=2))
    assert await any_storage.inclusion.group_of("slack", "U2") is None
    assert await any_storage.inclusion.pending_languages(10) == []  # tombstones need none


async def test_a_nudge_is_claimed_once_among_concurrent_runs(any_storage: Storage) -> None:
    won = await asyncio.gather(*(any_storage.inclusion.claim_nudge("slack", "C1",
                                                                   "20191014T0900", T0)
                                 for _ in range(5)))
    assert sorted(won) == [False, False, False, False, True]
    await any_storage.inclusion.release_nudge("slack", "C1", "20191014T0900")
    assert await any_storage.inclusion.claim_nudge("slack", "C1", "20191014T0900", T0)
