"""Consent claims on SQLite and PostgreSQL: one per member across replicas and concurrent first
messages, retried after a lost notice's lease, cleared by forget-me; a member's own data read
back with every original text byte for byte."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.messages import Conversation, IncomingMessage
from bot.storage import Database, SaveOutcome, Storage, make_engine
from bot.storage.consent import LEASE
from bot.tags import TagSet

pytestmark = pytest.mark.integration

T0 = datetime(2019, 10, 1, 12, tzinfo=UTC)
ROOM = Conversation("slack", "C1", name="general")
ORIGINALS = ("نُرِيدُ مَشُورَةً أَوْسَعَ", "我们需要更多的翻译", "🎧👩🏽‍💻 e\u0301 café",
             "Mixed الشفافية first, then Transparenz", "  spaces kept\tand a tab \n")


def message(n: int, sender: str = "U1", text: str = "x") -> IncomingMessage:
    return IncomingMessage(ROOM, f"{n}", sender, text, T0 + timedelta(minutes=n))


async def test_replicas_and_concurrent_first_messages_claim_a_member_once(
        any_storage: Storage) -> None:
    url = any_storage.db.engine.url.render_as_string(hide_password=False)
    replica = Storage(Database(make_engine(url)))
    try:
        for round_ in range(5):
            sender = f"U{round_}"
            outcomes = await asyncio.gather(*(
                store.save_messages([(message(10 * round_ + n, sender), TagSet())], T0,
                                    notice=True)
                for n, store in enumerate([any_storage, replica] * 3)))
            flat = [outcome for burst in outcomes for outcome in burst]
            assert flat.count(SaveOutcome.NEW_MEMBER) == 1, round_
            assert flat.count(SaveOutcome.NEW) == 5
    finally:
        await replica.close()
        await replica.db.dispose()


async def test_a_burst_claims_each_new_member_on_their_first_message_only(
        any_storage: Storage) -> None:
    burst = [(message(1, "U1"), TagSet()), (message(2, "U1"), TagSet()),
             (message(3, "U2"), TagSet()), (message(1, "U1"), TagSet())]  # a repeat
    outcomes = await any_storage.save_messages(burst, T0, notice=True)
    assert outcomes == [SaveOutcome.NEW_MEMBER, SaveOutcome.NEW, SaveOutcome.NEW_MEMBER,
                        SaveOutcome.REPEAT]
    assert await any_storage.save_message(message(1, "U1"), TagSet(), T0,
                                          notice=True) is SaveOutcome.REPEAT


async def test_an_untold_claim_is_taken_again_once_stale_a_told_one_never(
        any_storage: Storage) -> None:
    assert await any_storage.save_message(message(1, "U1"), TagSet(), T0,
                                          notice=True) is SaveOutcome.NEW_MEMBER
    later = T0 + LEASE + timedelta(seconds=1)
    assert await any_storage.save_message(message(2, "U1"), TagSet(), T0 + LEASE / 2,
                                          notice=True) is SaveOutcome.NEW
    assert await any_storage.save_message(message(3, "U1"), TagSet(), later,
                                          notice=True) is SaveOutcome.NEW_MEMBER
    await any_storage.notices_told([("slack", "U1")], later)
    assert await any_storage.save_message(message(4, "U1"), TagSet(), later + LEASE * 10,
                                          notice=True) is SaveOutcome.NEW
    await any_storage.forget_sender("slack", "U1", later)
    assert await any_storage.save_message(message(5, "U1"), TagSet(), later + LEASE * 10,
                                          notice=True) is SaveOutcome.NEW_MEMBER


async def test_a_member_s_data_holds_their_originals_byte_for_byte(any_storage: Storage
                                                                   ) -> None:
    for n, text in enumerate(ORIGINALS, start=1):
        await any_storage.save_message(message(n, "U1", text), TagSet((n,)), T0, notice=True)
    await any_storage.save_message(message(99, "U2", "not theirs"), TagSet(), T0)
    await any_storage.add_reaction(message(99).ref, 4, "U1", T0)
    await any_storage.set_member_language("slack", "U1", "ar", T0)
    data = await any_storage.member_data("slack", "U1")
    assert [m.text.encode("utf-8") for m in data.messages] == [
        t.encode("utf-8") for t in ORIGINALS]
    assert [m.issues for m in data.messages] == [(1,), (2,), (3,), (4,), (5,)]
    assert [(r.message_id, r.issue) for r in data.reactions] == [("99", 4)]
    assert data.language == "ar" and data.notice_claimed_at == T0
    assert all(m.message_id != "99" for m in data.messages)
