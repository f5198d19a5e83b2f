"""The repository on SQLite and PostgreSQL: uniqueness under redelivery, edits, deletions,
erasure, digest figures and filters."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.digest_values import DigestFilters
from bot.messages import Conversation, IncomingMessage, MessageRef
from bot.storage import Database, SaveOutcome, Storage, make_engine
from bot.storage.sql import is_message
from bot.storage.tables import KINDS, MESSAGES
from bot.tags import TagSet, TagSource
from tests.conftest import fresh_storage

pytestmark = pytest.mark.integration

T0 = datetime(2019, 10, 1, 12, tzinfo=UTC)
ROOM = Conversation("slack", "C1", name="general")
OTHER = Conversation("slack", "C2", name="outreach")


def message(n: int, text: str = "x", *, sender: str = "U1", where: Conversation = ROOM,
            minutes: int = 0) -> IncomingMessage:
    return IncomingMessage(where, f"{n}", sender, text, T0 + timedelta(minutes=minutes or n),
                           sender_name=sender.lower())


async def test_concurrent_redeliveries_store_one_row(any_storage: Storage) -> None:
    msg = message(1, "#wp3")
    outcomes = await asyncio.gather(*(any_storage.save_message(msg, TagSet((3,)), T0)
                                      for _ in range(6)))
    assert sorted(o.value for o in outcomes) == ["new"] + ["repeat"] * 5
    assert await any_storage.count_messages() == 1
    assert await any_storage.messages_for(3) == [msg.ref]


async def test_redelivery_in_separate_batches_is_a_repeat(any_storage: Storage) -> None:
    msg = message(1)
    assert await any_storage.save_message(msg, TagSet(), T0) is SaveOutcome.NEW
    assert await any_storage.save_message(msg, TagSet(), T0) is SaveOutcome.REPEAT


async def test_tags_keep_their_sources_and_untag_per_source(any_storage: Storage) -> None:
    msg = message(1)
    await any_storage.save_message(msg, TagSet((3,), ("solution",)), T0)
    change = await any_storage.add_tags(msg.ref, TagSet((3, 4)), TagSource.REACTION, "U2", T0)
    assert change is not None and change.added == TagSet((4,))
    change = await any_storage.remove_tags(msg.ref, TagSet((3, 4)), TagSource.REACTION, "U2", T0)
    assert change is not None and change.removed == TagSet((4,))
    assert await any_storage.tags_of(msg.ref) == TagSet((3,), ("solution",))
    change = await any_storage.remove_tags(msg.ref, TagSet((3,), ("solution",)), None, "U1", T0)
    assert change is not None and change.removed == TagSet((3,), ("solution",))
    assert await any_storage.tags_of(msg.ref) == TagSet()


async def test_tagging_an_unknown_message_changes_nothing(any_storage: Storage) -> None:
    unknown = MessageRef("slack", "C1", "nope")
    assert await any_storage.add_tags(unknown, TagSet((3,)), TagSource.COMMAND, "U", T0) is None
    assert await any_storage.messages_for(3) == []


async def test_edit_updates_text_and_hashtag_tags(any_storage: Storage) -> None:
    msg = message(1, "#wp1")
    await any_storage.save_message(msg, TagSet((1,)), T0)
    change = await any_storage.edit_message(msg.ref, "#wp2 now", TagSet((2,)), "U1", T0, T0)
    assert change is not None
    assert (change.added, change.removed) == (TagSet((2,)), TagSet((1,)))
    stored = await any_storage.message(msg.ref)
    assert stored is not None and stored.text == "#wp2 now" and stored.edited_at == T0


async def test_only_the_author_edits_and_an_older_edit_never_undoes_a_newer_one(
        any_storage: Storage) -> None:
    msg = message(1, "#wp1")
    await any_storage.save_message(msg, TagSet((1,)), T0)
    later, earlier = T0 + timedelta(minutes=5), T0 + timedelta(minutes=2)
    assert await any_storage.edit_message(msg.ref, "#wp4 hijack", TagSet((4,)), "U666",
                                          later, later) is None
    assert await any_storage.edit_message(msg.ref, "#wp2 newest", TagSet((2,)), "U1",
                                          later, later) is not None
    assert await any_storage.edit_message(msg.ref, "#wp3 older, redelivered", TagSet((3,)),
                                          "U1", earlier, later) is None
    stored = await any_storage.message(msg.ref)
    assert stored is not None and stored.text == "#wp2 newest"
    assert await any_storage.tags_of(msg.ref) == TagSet((2,))


async def test_a_deletion_arriving_first_still_keeps_the_message_out(any_storage: Storage
                                                                    ) -> None:
    msg = message(1, "#wp1")
    assert not await any_storage.delete_message(msg.ref, T0)
    assert await any_storage.save_message(msg, TagSet((1,)), T0) is SaveOutcome.REPEAT
    assert await any_storage.count_messages() == 0


async def test_delete_leaves_a_tombstone_that_keeps_replays_out(any_storage: Storage) -> None:
    msg = message(1, "#wp1")
    await any_storage.save_message(msg, TagSet((1,)), T0)
    assert await any_storage.delete_message(msg.ref, T0)
    assert await any_storage.save_message(msg, TagSet((1,)), T0) is SaveOutcome.REPEAT
    assert await any_storage.message(msg.ref) is None
    assert await any_storage.figures(DigestFilters()) == []


async def test_forget_sender_erases_messages_tags_and_tombstones_them(any_storage: Storage
                                                                      ) -> None:
    for n in range(1, 4):
        await any_storage.save_message(message(n, sender="U9"), TagSet((n,)), T0)
    await any_storage.save_message(message(4, sender="U1"), TagSet((1,)), T0)
    assert await any_storage.forget_sender("slack", "U9", T0) == 3
    assert await any_storage.count_messages() == 1
    assert await any_storage.save_message(message(2, sender="U9"), TagSet((2,)), T0) \
        is SaveOutcome.REPEAT
    assert await any_storage.forget_sender("slack", "U9", T0) == 0


async def test_digest_figures_and_filters(any_storage: Storage) -> None:
    saves = [
        (message(1, "a", sender="U1"), TagSet((1,), ("solution",))),
        (message(2, "b", sender="U2"), TagSet((1, 3))),
        (message(3, "c", sender="U1", where=OTHER), TagSet((3,), ("quickwin",))),
        (message(4, "d", sender="U3"), TagSet()),
    ]
    for msg, tags in saves:
        await any_storage.save_message(msg, tags, T0)

    async def figures(**filters: object) -> dict[int, tuple[int, int]]:
        found = await any_storage.figures(DigestFilters(**filters))  # type: ignore[arg-type]
        return {f.issue: (f.inputs, f.contributors) for f in found}

    assert await figures() == {1: (2, 2), 3: (2, 2)}
    assert await figures(issues=(3,)) == {3: (2, 2)}
    assert await figures(since=T0 + timedelta(minutes=2)) == {1: (1, 1), 3: (2, 2)}
    assert await figures(until=T0 + timedelta(minutes=2)) == {1: (1, 1)}
    assert await figures(channel="#Outreach") == {3: (1, 1)}
    assert await figures(channel="C1") == {1: (2, 2), 3: (1, 1)}
    assert await figures(author="u2") == {1: (1, 1), 3: (1, 1)}
    assert await figures(kinds=("quickwin",)) == {3: (1, 1)}
    assert await figures(kinds=("comment",)) == {1: (1, 1), 3: (1, 1)}
    latest = await any_storage.latest_by_kind(DigestFilters(), [1, 3],
                                              ["quickwin", "comment", "solution"], 10)
    assert {issue: {kind: [(e.ref.message_id, e.kinds, e.channel) for e in entries]
                    for kind, entries in kinds.items()} for issue, kinds in latest.items()} == {
        1: {"quickwin": [], "comment": [("2", (), "general")],
            "solution": [("1", ("solution",), "general")]},
        3: {"quickwin": [("3", ("quickwin",), "outreach")], "comment": [("2", (), "general")],
            "solution": []}}
    streamed = [entry for issue in (1, 3)
                async for batch in any_storage.digests.stream_issue(DigestFilters(), issue)
                for entry in batch]
    assert [(e.issue, e.ref.message_id) for e in streamed] == [(1, "2"), (1, "1"), (3, "3"),
                                                               (3, "2")]


async def test_claim_event_is_true_once(any_storage: Storage) -> None:
    results = await asyncio.gather(*(any_storage.claim_event("slack", "Ev1", T0)
                                     for _ in range(4)))
    assert sorted(results) == [False, False, False, True]


async def test_state_survives_overwrites(any_storage: Storage) -> None:
    assert await any_storage.get_state("matrix.next_batch") is None
    await any_storage.set_state("matrix.next_batch", "s1", T0)
    await any_storage.set_state("matrix.next_batch", "s2", T0)
    assert await any_storage.get_state("matrix.next_batch") == "s2"


async def test_text_with_nul_and_long_ids_round_trips(any_storage: Storage) -> None:
    msg = IncomingMessage(ROOM, "m" * 200, "U1", "zero\x00byte ünïcode 🎉", T0)
    await any_storage.save_message(msg, TagSet((2,)), T0)
    stored = await any_storage.message(msg.ref)
    assert stored is not None and stored.text == "zero\ufffdbyte ünïcode 🎉"


async def test_sqlite_runs_in_wal_mode_with_a_busy_timeout_and_foreign_keys(
        tmp_path: Path) -> None:
    # Not the `storage` fixture: the unit tests' engine commits without waiting for the disk.
    async with fresh_storage(f"sqlite+aiosqlite:///{tmp_path}/tuned.db") as storage, \
            storage.db.read() as conn:
        pragmas = {name: (await conn.exec_driver_sql(f"PRAGMA {name}")).scalar_one()
                   for name in ("journal_mode", "busy_timeout", "foreign_keys", "synchronous")}
    assert pragmas == {"journal_mode": "wal", "busy_timeout": 30000, "foreign_keys": 1,
                       "synchronous": 2}


async def _kinds_kept(storage: Storage, ref: MessageRef) -> tuple[str | None, list[str]]:
    """The message's `kinds` column and its `message_kinds` rows, to compare."""
    async with storage.db.read() as conn:
        column = (await conn.execute(select(MESSAGES.c.kinds).where(
            is_message(MESSAGES, ref)))).scalar_one()
        rows = (await conn.execute(select(KINDS.c.kind).where(is_message(KINDS, ref)))
                ).scalars().all()
    return column, sorted(rows)


async def test_a_messages_kinds_column_follows_every_write_of_its_kinds(any_storage: Storage
                                                                        ) -> None:
    msg = message(1, "#solution")
    ref = msg.ref
    await any_storage.save_message(msg, TagSet((1,), ("solution", "collab", "solution")), T0)
    assert await _kinds_kept(any_storage, ref) == ("collab solution", ["collab", "solution"])
    # A message is one kind of input: a kind given later replaces those before (an old
    # message may hold two), however each was given.
    await any_storage.add_tags(ref, TagSet((), ("quickwin",)), TagSource.COMMAND, "S1", T0)
    assert await _kinds_kept(any_storage, ref) == ("quickwin", ["quickwin"])
    await any_storage.add_tags(ref, TagSet((), ("quickwin",)), TagSource.REACTION, "S2", T0)
    # A kind with another source left stays; one with none left goes.
    await any_storage.remove_tags(ref, TagSet((), ("quickwin",)), TagSource.REACTION, "S2", T0)
    assert await _kinds_kept(any_storage, ref) == ("quickwin", ["quickwin"])
    # An edit naming another kind replaces it; one naming none drops only hashtag kinds.
    await any_storage.edit_message(ref, "#wp1 #collab", TagSet((1,), ("collab",)), "U1", T0, T0)
    assert await _kinds_kept(any_storage, ref) == ("collab", ["collab"])
    await any_storage.edit_message(ref, "#wp1 plain now", TagSet((1,)), "U1",
                                   T0 + timedelta(seconds=1), T0)
    assert await _kinds_kept(any_storage, ref) == (None, [])
    await any_storage.add_tags(ref, TagSet((), ("comment",)), TagSource.COMMAND, "S1", T0)
    assert await any_storage.delete_message(ref, T0)
    assert await _kinds_kept(any_storage, ref) == (None, [])


async def test_replicas_writing_one_message_at_once_keep_its_kinds_and_never_deadlock(
        any_storage: Storage) -> None:
    """Two instances on one database (their own engines, so their own transactions): kinds
    added, removed and the message deleted at the same moment. Each writer locks the message
    before its tags; a deletion that locked them in the other order deadlocked 148 times in
    150, and one that did not lock at all left kinds on a deleted message."""
    url = any_storage.db.engine.url.render_as_string(hide_password=False)
    replica = Storage(Database(make_engine(url)))
    try:
        for n in range(20):
            first, second, third = (message(3 * n + k + 1, "#solution") for k in range(3))
            await any_storage.save_messages([(first, TagSet((1,), ("solution",))),
                                             (second, TagSet((1,))),
                                             (third, TagSet((1, 2), ("collab", "solution")))],
                                            T0)
            # One write per instance at a time: each in a transaction of its own. The two
            # kinds given at once: one replaces the other, whichever commits last.
            await asyncio.gather(
                any_storage.add_tags(first.ref, TagSet((), ("quickwin",)), TagSource.COMMAND,
                                     "S1", T0),
                replica.add_tags(first.ref, TagSet((), ("collab",)), TagSource.COMMAND, "S2",
                                 T0))
            kept = await _kinds_kept(any_storage, first.ref)
            assert kept in [("collab", ["collab"]), ("quickwin", ["quickwin"])], kept
            await asyncio.gather(
                any_storage.remove_tags(first.ref, TagSet((), ("solution",)), None, "S1", T0),
                replica.add_tags(first.ref, TagSet((3,)), TagSource.COMMAND, "S2", T0))
            await asyncio.gather(  # a new kind while the message goes
                any_storage.add_tags(second.ref, TagSet((2,), ("quickwin",)),
                                     TagSource.COMMAND, "S1", T0),
                replica.delete_message(second.ref, T0))
            await asyncio.gather(  # tags it has already (rows the deletion is removing)
                any_storage.add_tags(third.ref, TagSet((1, 2), ("collab",)),
                                     TagSource.COMMAND, "S1", T0),
                replica.delete_message(third.ref, T0))
            assert await _kinds_kept(any_storage, first.ref) == kept
            for deleted in (second, third):
                assert await _kinds_kept(any_storage, deleted.ref) == (None, [])
                assert await any_storage.tags_of(deleted.ref) == TagSet()
    finally:
        await replica.close()
        await replica.db.engine.dispose()


async def test_a_burst_of_new_stored_and_deleted_messages_tells_each_apart(
        any_storage: Storage) -> None:
    stored, deleted, first, second = message(1), message(2), message(3), message(4)
    await any_storage.save_messages([(stored, TagSet((1,))), (deleted, TagSet((2,)))], T0)
    assert await any_storage.delete_message(deleted.ref, T0)
    outcomes = await any_storage.save_messages([
        (stored, TagSet((5,))), (first, TagSet((3,))), (deleted, TagSet((2,))),
        (first, TagSet((3,))), (second, TagSet((4,)))], T0)
    assert outcomes == [SaveOutcome.REPEAT, SaveOutcome.NEW, SaveOutcome.REPEAT,
                        SaveOutcome.REPEAT, SaveOutcome.NEW]
    assert await any_storage.tags_of(stored.ref) == TagSet((1,))  # a redelivery adds no tag
    assert await any_storage.messages_for(2) == []  # a deleted message stays deleted
    assert await any_storage.messages_for(3) == [first.ref]
    assert await any_storage.messages_for(4) == [second.ref]
    assert await any_storage.count_messages() == 3
