"""The router's one entry: a batch in, one outcome per event out; order kept, concurrent calls
written together, one bad event failing alone, an outage reported as one."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.messages import (
    DUPLICATE,
    HANDLED,
    IncomingMessage,
    MessageDeleted,
    MessageEdited,
    ReactionAdded,
)
from bot.storage import SaveOutcome, Storage
from bot.storage import repository as repository_module
from bot.storage.new_messages import NewMessage, Written, save_messages, write_burst
from bot.tags import TagSet
from tests.fakes import Harness


def _msg(harness: Harness, message_id: str, text: str, author: str = "alice"
         ) -> IncomingMessage:
    return IncomingMessage(harness.room, message_id, author, text, harness.clock.now())


def _count_bulk_writes(monkeypatch: pytest.MonkeyPatch, fail_on: str | None = None
                       ) -> list[int]:
    """The number of messages each bulk insert of new messages took; `fail_on`: a text
    whose presence makes the insert fail (a bad row)."""
    writes: list[int] = []

    def count(items: Sequence[NewMessage]) -> None:
        writes.append(len(items))
        if fail_on is not None and any(fail_on in item.row for item in items):
            raise ValueError("a bad row")

    async def counted(conn: AsyncConnection, items: Sequence[NewMessage],
                      unseen: set[tuple[str, str]] | None = None) -> Written:
        count(items)
        return await save_messages(conn, items, unseen)

    def counted_on_driver(connection: sqlite3.Connection, items: Sequence[NewMessage],
                          unseen: set[tuple[str, str]]) -> Written:
        count(items)
        return write_burst(connection, items, unseen)

    monkeypatch.setattr(repository_module, "save_messages", counted)  # PostgreSQL
    monkeypatch.setattr(repository_module, "write_burst", counted_on_driver)  # SQLite
    return writes


async def test_concurrent_single_deliveries_are_one_write(
        harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    writes = _count_bulk_writes(monkeypatch)
    outcomes = await asyncio.gather(*(harness.router.handle([_msg(harness, f"m{n}",
                                                                  f"#wp{n % 8 + 1} idea {n}")])
                                      for n in range(40)))
    assert writes == [40]  # Slack's concurrent requests: one insert, one commit
    assert outcomes == [[HANDLED]] * 40
    assert await harness.storage.count_messages() == 40


async def test_a_batch_of_messages_is_one_write(harness: Harness,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    writes = _count_bulk_writes(monkeypatch)
    await harness.router.handle([_msg(harness, f"m{n}", f"idea {n}") for n in range(30)])
    assert writes == [30]


async def test_one_bad_message_in_a_batch_fails_alone(harness: Harness,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _count_bulk_writes(monkeypatch, fail_on="bad")
    outcomes = await harness.router.handle([_msg(harness, "a", "a #wp1"),
                                            _msg(harness, "b", "bad"),
                                            _msg(harness, "c", "c #wp2")])
    assert outcomes[0] == HANDLED and outcomes[2] == HANDLED
    assert isinstance(outcomes[1].error, ValueError) and not outcomes[1].outage
    assert await harness.storage.count_messages() == 2


async def test_one_bad_concurrent_delivery_fails_alone(harness: Harness,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    writes = _count_bulk_writes(monkeypatch, fail_on="bad")
    results = await asyncio.gather(*(harness.router.handle([_msg(harness, n, text)])
                                     for n, text in (("a", "a"), ("b", "bad"), ("c", "c"))))
    assert writes[0] == 3  # tried together, then one by one
    assert results[0] == [HANDLED] and results[2] == [HANDLED]
    assert isinstance(results[1][0].error, ValueError)
    assert await harness.storage.count_messages() == 2


async def test_a_command_sees_the_messages_before_it(harness: Harness) -> None:
    events = [_msg(harness, "m1", "untagged idea"),
              IncomingMessage(harness.room, "m2", "bob", "!tag 3 solution", harness.clock.now(),
                              reply_to_id="m1"),
              _msg(harness, "m3", "#wp5 another")]
    assert await harness.router.handle(events) == [HANDLED] * 3
    assert harness.replies() == ["Tagged to **3. Efficient use of resources**, #solution."]
    assert await harness.storage.tags_of(events[0].ref) == TagSet((3,), ("solution",))
    assert await harness.storage.count_messages() == 2  # the command is not input


async def test_changes_to_a_message_of_the_same_batch_apply_after_it(harness: Harness) -> None:
    now = harness.clock.now()
    first, second = _msg(harness, "m1", "budget #wp3"), _msg(harness, "m2", "oops #wp1")
    outcomes = await harness.router.handle([
        first,
        MessageEdited(harness.room, "m1", "alice", "budget #wp4", now),
        ReactionAdded(harness.room, "m1", "bob", "5️⃣", now),
        second,
        MessageDeleted(harness.room, "m2", now),
    ])
    assert outcomes == [HANDLED] * 5
    assert (await harness.storage.tags_of(first.ref)).issues == (4, 5)
    assert await harness.storage.message(second.ref) is None


async def test_redeliveries_are_reported_as_duplicates(harness: Harness) -> None:
    message, command = _msg(harness, "m1", "#wp2 idea"), _msg(harness, "c1", "!help")
    assert await harness.router.handle([message, command]) == [HANDLED, HANDLED]
    assert await harness.router.handle([message, command]) == [DUPLICATE, DUPLICATE]
    assert len(harness.replies()) == 1


async def test_an_outage_is_reported_and_the_rest_still_tried(harness: Harness) -> None:
    async with harness.storage.db.engine.begin() as conn:
        await conn.exec_driver_sql("DROP TABLE tags")
    outcomes = await harness.router.handle([_msg(harness, "m1", "#wp1 x"),
                                            _msg(harness, "m2", "!help")])
    assert outcomes[0].outage and "tags" in str(outcomes[0].error)
    assert outcomes[1] == HANDLED
    assert harness.replies()[0].startswith("**What I can do**")  # the command still ran


async def test_an_outage_under_a_run_is_not_retried_one_by_one(
        harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy.exc import OperationalError

    calls: list[int] = []

    async def down(self: Storage, burst: Sequence[tuple[IncomingMessage, TagSet]],
                   at: datetime, **_: Any) -> list[SaveOutcome]:
        calls.append(len(burst))
        raise OperationalError("INSERT", {}, Exception("database is gone"))

    monkeypatch.setattr(Storage, "save_messages", down)
    outcomes = await harness.router.handle([_msg(harness, f"m{n}", "x") for n in range(5)])
    assert calls == [5]
    assert all(outcome.outage for outcome in outcomes)
