"""The lens's one scan on SQLite and PostgreSQL: its counts are those of a plain walk over the
stored tags, messages, groups and hidden inputs, and every write that changes a language or
a group keeps the tags' copies in step."""

from __future__ import annotations

import asyncio
import os
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Select, func, select, text

from bot.lens_values import UNDECLARED, UNDETERMINED, Dimension, LensCount
from bot.messages import Conversation, IncomingMessage, MessageRef
from bot.storage import Storage
from bot.storage.mail_store import PostRecord
from bot.storage.models_digests import HIDDEN
from bot.storage.models_inclusion import MEMBER_GROUPS
from bot.storage.new_messages import prepare, save_messages
from bot.storage.tables import MESSAGES, TAGS
from bot.tags import TagSet, TagSource
from tests.conftest import fresh_storage

pytestmark = pytest.mark.integration

POSTGRES_URL = os.environ.get("PLENARY_TEST_DATABASE_URL")

T0 = datetime(2019, 10, 1, 12, tzinfo=UTC)
SLACK = Conversation("slack", "C1", name="general")
MATRIX = Conversation("matrix", "!r:example.org", name="plenary")
CONSOLE = Conversation("console", "stdin")
ISSUES = [1, 3, 5]


def _message(where: Conversation, n: int, sender: str, text: str = "input") -> IncomingMessage:
    return IncomingMessage(where, f"m{n}", sender, text, T0 + timedelta(minutes=n))


def _beside_message_and_group(*columns: Any) -> Select[Any]:
    """Each tag with its message and its author's declared group, joined as they are kept."""
    return (select(*columns)
            .join(MESSAGES, (MESSAGES.c.platform == TAGS.c.platform)
                  & (MESSAGES.c.conversation_id == TAGS.c.conversation_id)
                  & (MESSAGES.c.message_id == TAGS.c.message_id))
            .outerjoin(MEMBER_GROUPS, (MEMBER_GROUPS.c.platform == TAGS.c.platform)
                       & (MEMBER_GROUPS.c.user_id == TAGS.c.sender_id)))


async def _walked(store: Storage, issues: list[int]
                  ) -> tuple[list[LensCount], dict[int, datetime]]:
    """The lens as its definition reads: every visible tag, its message's language and its
    author's declared group, counted one by one (what the three queries before did)."""
    inputs: dict[tuple[Dimension, int, str], int] = defaultdict(int)
    people: dict[tuple[Dimension, int, str], set[str]] = defaultdict(set)
    newest: dict[int, datetime] = {}
    query = _beside_message_and_group(
        TAGS.c.issue, TAGS.c.platform, TAGS.c.conversation_id, TAGS.c.message_id,
        TAGS.c.sender_id, TAGS.c.posted_at, MESSAGES.c.language, MEMBER_GROUPS.c.group_key)
    async with store.db.read() as conn:
        hidden = set((await conn.execute(select(HIDDEN.c.platform, HIDDEN.c.conversation_id,
                                                HIDDEN.c.message_id))).all())
        rows = (await conn.execute(query)).all()
    for issue, platform, conversation, message, sender, posted_at, language, group in rows:
        if issue not in issues or (platform, conversation, message) in hidden:
            continue
        newest[issue] = max(newest.get(issue, posted_at), posted_at)
        for key in ((Dimension.GROUP, issue, group or UNDECLARED),
                    (Dimension.LANGUAGE, issue, language or UNDETERMINED),
                    (Dimension.PLATFORM, issue, platform)):
            inputs[key] += 1
            people[key].add(sender)
    order = list(Dimension)
    return ([LensCount(issue, dimension, value, inputs[dimension, issue, value],
                       len(people[dimension, issue, value]))
             for dimension, issue, value in sorted(inputs, key=lambda k: (order.index(k[0]),
                                                                           k[1], k[2]))],
            newest)


async def _tags_in_step(store: Storage) -> list[tuple[str, str | None, str | None]]:
    """The tags whose language or group differs from their message's or author's."""
    query = _beside_message_and_group(TAGS.c.message_id, TAGS.c.language, TAGS.c.group_key,
                                      MESSAGES.c.language, MEMBER_GROUPS.c.group_key)
    async with store.db.read() as conn:
        return [(message, language, group) for message, language, group, wanted_language,
                wanted_group in await conn.execute(query)
                if (language, group) != (wanted_language, wanted_group)]


async def _check(store: Storage) -> None:
    assert await _tags_in_step(store) == []
    walked, newest = await _walked(store, ISSUES)
    assert await store.inclusion.lens_counts(ISSUES) == (walked, newest)
    # The gaps' lighter read: the same groups and languages per issue, the same newest.
    found, spoken_newest = await store.inclusion.spoken(ISSUES)
    assert spoken_newest == newest
    for dimension, column in ((Dimension.GROUP, 1), (Dimension.LANGUAGE, 2)):
        assert {(row[0], row[column]) for row in found} == {
            (c.issue, c.value) for c in walked if c.dimension is dimension}


async def test_every_change_keeps_the_tags_in_step_and_the_lens_exact(any_storage: Storage
                                                                      ) -> None:
    store = any_storage
    await store.inclusion.set_group("slack", "U1", "GNSO", "U1", T0)
    # The same id on two platforms is two people, counted as one id, as before.
    await store.save_messages([(_message(SLACK, 1, "U1"), TagSet((3,))),
                               (_message(SLACK, 2, "U2"), TagSet((3, 5))),
                               (_message(SLACK, 3, "U1"), TagSet((1, 3))),
                               (_message(SLACK, 4, "U3"), TagSet())], T0)
    await store.inclusion.set_group("matrix", "@a:example.org", "GAC", "carol", T0)
    await store.save_messages([(_message(CONSOLE, 5, "U1"), TagSet((3,))),
                               (_message(MATRIX, 6, "@a:example.org"), TagSet((5,)))], T0)
    await _check(store)
    assert LensCount(5, Dimension.GROUP, "GAC", 1, 1) in (await store.inclusion.lens_counts([5]))[0]
    found = {ref.message_id: ref for ref, _, _ in await store.inclusion.pending_languages(20)}
    await store.inclusion.set_languages([(found["m1"], "fr"), (found["m2"], "en"),
                                         (found["m3"], "fr"), (found["m4"], "es")])
    await _check(store)
    # A command, a reaction, and a second declaration (by staff) after the tags exist.
    await store.add_tags(found["m4"], TagSet((3,)), TagSource.COMMAND, "carol", T0)
    await store.add_reaction(found["m6"], 1, "U2", T0)
    await store.inclusion.set_group("slack", "U2", "ALAC", "carol", T0)
    await store.inclusion.set_group("slack", "U1", "ccNSO", "U1", T0)
    await _check(store)
    lens, _ = await store.inclusion.lens_counts([3])
    assert LensCount(3, Dimension.GROUP, "ccNSO", 2, 1) in lens
    assert LensCount(3, Dimension.LANGUAGE, "es", 1, 1) in lens  # tagged after detection
    # An edit clears the language of the message and of its tags, till the job looks again.
    edited = T0 + timedelta(hours=1)
    await store.edit_message(found["m2"], "nuevo texto #wp5", TagSet((5,)), "U2", edited, edited)
    await _check(store)
    assert {ref.message_id for ref, _, _ in await store.inclusion.pending_languages(20)} == {
        "m2", "m5", "m6"}
    await store.inclusion.set_languages([(found["m2"], "es"), (found["m5"], "ru")])
    await store.digests.hide(found["m3"], "off topic", "carol", edited)
    await _check(store)
    await store.mail.save_posts([PostRecord(
        _message(Conversation("email", "list@example.org"), 7, "ana@example.org"),
        TagSet((3,)), "Subject", "Body", None, ())], edited)
    await store.forget_sender("slack", "U1", edited)
    await _check(store)
    lens, newest = await store.inclusion.lens_counts(ISSUES)
    assert LensCount(5, Dimension.GROUP, "ALAC", 1, 1) in lens  # U2's, edited off issue 3
    assert {(c.dimension, c.value) for c in lens if c.issue == 3} == {
        (Dimension.GROUP, UNDECLARED),
        (Dimension.LANGUAGE, "es"), (Dimension.LANGUAGE, "ru"),
        (Dimension.LANGUAGE, UNDETERMINED),
        (Dimension.PLATFORM, "slack"), (Dimension.PLATFORM, "console"),
        (Dimension.PLATFORM, "email")}
    assert newest[3] == T0 + timedelta(minutes=7)


async def test_ids_with_the_scan_s_separators_are_counted_exactly(any_storage: Storage
                                                                   ) -> None:
    """A record the one-string scan cannot read back sends the lens to the `GROUP BY`: one
    with a field too many (issue 1), records too many (3), or records that each look well
    formed, which only their count tells (5)."""
    odd = {1: ["c\x1fd"], 3: ["a\x1db", "e\x1df\x1fg\x1fh\x1fi"],
           5: ["s\x1fund\x1f\x1dslack\x1ft"]}
    burst = [(_message(SLACK, 10 * issue + n, sender), TagSet((issue,)))
             for issue, senders in odd.items() for n, sender in enumerate(senders)]
    await any_storage.save_messages([*burst, (_message(SLACK, 99, "plain"), TagSet((1, 3, 5)))],
                                    T0)
    await any_storage.inclusion.set_group("slack", "c\x1fd", "GNSO", "carol", T0)
    for issue, senders in odd.items():
        counts, newest = await any_storage.inclusion.lens_counts([issue])
        assert (counts, newest) == await _walked(any_storage, [issue])
        people = len(senders) + 1
        assert LensCount(issue, Dimension.PLATFORM, "slack", people, people) in counts


async def test_hidden_inputs_are_left_out_of_counts_and_newest(any_storage: Storage) -> None:
    await any_storage.save_messages([(_message(SLACK, 1, "U1"), TagSet((3,))),
                                     (_message(SLACK, 2, "U2"), TagSet((3,)))], T0)
    await any_storage.digests.hide(MessageRef("slack", "C1", "m2"), "spam", "carol", T0)
    counts, newest = await any_storage.inclusion.lens_counts([3])
    assert LensCount(3, Dimension.PLATFORM, "slack", 1, 1) in counts
    assert newest == {3: T0 + timedelta(minutes=1)}
    assert (counts, newest) == await _walked(any_storage, [3])


async def test_a_hidden_input_s_language_is_gone_only_if_no_visible_input_has_it(
        any_storage: Storage) -> None:
    await any_storage.save_messages([(_message(SLACK, n, f"U{n}"), TagSet((3,)))
                                     for n in (1, 2, 3)], T0)
    refs = [MessageRef("slack", "C1", f"m{n}") for n in (1, 2, 3)]
    await any_storage.inclusion.set_languages(list(zip(refs, ["fr", "fr", "ar"], strict=True)))
    for ref in refs[1:]:
        await any_storage.digests.hide(ref, "spam", "carol", T0)
    found, newest = await any_storage.inclusion.spoken([3])
    assert found == [(3, UNDECLARED, "fr")]  # m2's French stays with m1's; m3's Arabic goes
    assert newest == {3: T0 + timedelta(minutes=1)}


async def test_a_group_declared_while_another_replica_writes_tags_reaches_them() -> None:
    """PostgreSQL, two writers at once: a burst has read its authors' groups (none yet) and
    not committed when `iam` stores the group. `iam` waits for that burst, then rewrites
    its tags too (without the wait, the burst's tags would keep no group)."""
    if POSTGRES_URL is None:
        pytest.skip("PLENARY_TEST_DATABASE_URL is not set")
    async with fresh_storage(POSTGRES_URL) as store:
        async with store.db.write() as burst:  # another replica's burst, mid-transaction
            await save_messages(burst, prepare([(_message(SLACK, 1, "U1"), TagSet((3,)))], T0,
                                               "postgresql"))
            declared = asyncio.ensure_future(
                store.inclusion.set_group("slack", "U1", "GNSO", "U1", T0))
            async with store.db.engine.connect() as watcher:
                while not declared.done() and not (await watcher.execute(select(
                        func.count()).select_from(text("pg_locks"))
                        .where(text("locktype = 'advisory' AND NOT granted")))).scalar_one():
                    await watcher.rollback()  # a fresh snapshot of the locks each time
            assert not declared.done()
        await asyncio.wait_for(declared, 10)
        assert await _tags_in_step(store) == []
        counts, _ = await store.inclusion.lens_counts([3])
        assert LensCount(3, Dimension.GROUP, "GNSO", 1, 1) in counts
