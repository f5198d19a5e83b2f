"""The digests' storage on SQLite and PostgreSQL: figures, weekly counts, hidden inputs,
cursors, streamed entries and the scheduled digest's delivery claims."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from bot.digest_values import DigestFilters
from bot.messages import Conversation, IncomingMessage, MessageRef
from bot.storage import Storage
from bot.tags import TagSet

pytestmark = pytest.mark.integration

T0 = datetime(2019, 10, 2, 14, 0, tzinfo=UTC)  # a Wednesday
ROOM = Conversation("slack", "C1", name="general")
OTHER = Conversation("slack", "C2", name="outreach")


async def seed(storage: Storage) -> None:
    saves = [(1, "a", "U1", ROOM, T0, TagSet((3,), ("solution",))),
             (2, "b", "U2", OTHER, T0 + timedelta(days=1), TagSet((3,))),
             (3, "c", "U1", ROOM, T0 + timedelta(days=7), TagSet((3, 6)))]
    for n, text, sender, where, at, tags in saves:
        msg = IncomingMessage(where, str(n), sender, text, at, sender_name=sender.lower())
        await storage.save_message(msg, tags, at)


async def test_figures_count_channels_and_new_since(any_storage: Storage) -> None:
    await seed(any_storage)
    figures = await any_storage.digests.figures(DigestFilters(), T0 + timedelta(hours=1))
    assert [(f.issue, f.inputs, f.contributors, f.channels, f.new) for f in figures] == [
        (3, 3, 2, 2, 2), (6, 1, 1, 1, 1)]
    window = DigestFilters(tagged_since=T0, tagged_until=T0 + timedelta(days=1))
    assert [(f.issue, f.inputs) for f in await any_storage.digests.figures(window)] == [(3, 1)]


async def test_weekly_counts_start_on_monday(any_storage: Storage) -> None:
    await seed(any_storage)
    weeks = await any_storage.digests.weekly_counts(DigestFilters())
    assert [(w.issue, w.week, w.inputs) for w in weeks] == [
        (3, "2019-09-30", 2), (3, "2019-10-07", 1), (6, "2019-10-07", 1)]


async def test_hidden_inputs_leave_figures_and_streams(any_storage: Storage) -> None:
    await seed(any_storage)
    assert await any_storage.digests.hide(MessageRef("slack", "C1", "1"), "spam", "carol", T0)
    assert await any_storage.digests.hide(MessageRef("slack", "C1", "1"), "x", "carol", T0) \
        is False
    assert await any_storage.digests.hide(MessageRef("slack", "C1", "9"), "x", "carol", T0) \
        is None
    assert [(f.issue, f.inputs) for f in await any_storage.digests.figures(DigestFilters())] \
        == [(3, 2), (6, 1)]
    streamed = [e.ref.message_id async for batch in any_storage.digests.stream_issue(
        DigestFilters(), 3) for e in batch]
    assert streamed == ["3", "2"]  # newest first, the hidden one left out


async def test_cursor_moves(any_storage: Storage) -> None:
    assert await any_storage.digests.cursor("slack", "U9") is None
    await any_storage.digests.move_cursor("slack", "U9", T0)
    await any_storage.digests.move_cursor("slack", "U9", T0 + timedelta(days=1))
    assert await any_storage.digests.cursor("slack", "U9") == T0 + timedelta(days=1)


async def test_one_claim_wins_and_a_stale_claim_can_be_taken_over(any_storage: Storage) -> None:
    start, end, lease = T0, T0 + timedelta(days=7), timedelta(minutes=15)
    claims = await asyncio.gather(*(any_storage.digests.claim_delivery(start, end, "post", end,
                                                                       lease)
                                    for _ in range(4)))
    assert sorted(claims) == [False, False, False, True]
    later = end + timedelta(minutes=16)
    assert await any_storage.digests.claim_delivery(start, end, "post", later, lease)
    await any_storage.digests.finish_delivery(end, "post", later)
    assert not await any_storage.digests.claim_delivery(start, end, "post",
                                                        later + timedelta(hours=1), lease)
    assert await any_storage.digests.claim_delivery(start, end, "mail", later, lease)


async def test_inputs_posted_at_one_instant_come_in_one_order_in_every_range(
        any_storage: Storage) -> None:
    """Ties of posted_at come in key order (newest key first) on both backends; on an SQLite
    file the export's ranges for worker processes read the same rows in the same order,
    each instant in one range."""
    for n in range(9):
        at = T0 if n < 7 else T0 + timedelta(hours=n)
        where = ROOM if n % 2 else OTHER
        await any_storage.save_message(IncomingMessage(where, f"m{n}", "U1", f"t{n}", at),
                                       TagSet((3,)), at)
    streamed = [(e.ref.conversation_id, e.ref.message_id) async for batch in
                any_storage.digests.stream_issue(DigestFilters(), 3) for e in batch]
    ties = sorted(streamed[2:], reverse=True)
    assert streamed == [("C2", "m8"), ("C1", "m7"), *ties] and len(ties) == 7
    reads = await any_storage.digests.export_reads(DigestFilters(), [3], 2)
    if any_storage.db.dialect == "postgresql":
        assert reads is None  # workers read SQLite files only
        return
    assert reads is not None and reads.hidden == frozenset()
    with sqlite3.connect(reads.database) as connection:
        ranges = [[(row[1], row[2]) for row in connection.execute(sql, values)]
                  for issue, sql, values in reads.statements if issue == 3]
    assert ranges == [streamed[:2], ties]
