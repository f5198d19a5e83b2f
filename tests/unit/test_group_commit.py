"""Group commit: order kept, bursts written together, one failure isolated from the rest."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage import Storage
from bot.storage.group_commit import GroupCommit


def _recorded(order: list[str], name: str) -> Callable[[AsyncConnection], Awaitable[str]]:
    """A write that notes its name in `order` when it runs, and returns it."""
    async def write(conn: AsyncConnection) -> str:
        order.append(name)
        return name
    return write


async def test_writes_queued_together_share_one_transaction_and_keep_their_order(
        storage: Storage) -> None:
    commits = GroupCommit(storage.db)
    seen: list[int] = []

    def op(n: int) -> Callable[[AsyncConnection], Awaitable[int]]:
        async def write(conn: AsyncConnection) -> int:
            seen.append(n)
            return n
        return write

    results = await asyncio.gather(*(commits.run(op(n)) for n in range(50)))
    assert results == list(range(50)) and seen == list(range(50))
    await commits.close()


async def test_a_failing_write_fails_alone(storage: Storage) -> None:
    commits = GroupCommit(storage.db)

    async def good(conn: AsyncConnection) -> str:
        await conn.execute(text("INSERT INTO bot_state (key, value, updated_at) "
                                "VALUES ('k', 'v', '2019-01-01 00:00:00.000000')"))
        return "ok"

    async def bad(conn: AsyncConnection) -> str:
        await conn.execute(text("INSERT INTO no_such_table VALUES (1)"))
        return "never"

    results = await asyncio.gather(commits.run(good), commits.run(bad), return_exceptions=True)
    assert results[0] == "ok" and isinstance(results[1], Exception)
    assert await storage.get_state("k") == "v"
    await commits.close()


async def test_close_finishes_queued_writes(storage: Storage) -> None:
    commits = GroupCommit(storage.db)
    done: list[int] = []

    async def write(conn: AsyncConnection) -> None:
        done.append(1)

    pending = [asyncio.ensure_future(commits.run(write)) for _ in range(10)]
    await asyncio.sleep(0)
    await commits.close()
    await asyncio.gather(*pending)
    assert len(done) == 10


@pytest.mark.parametrize("burst", [1, 7, 300])
async def test_a_burst_comes_back_in_order(storage: Storage, burst: int) -> None:
    from bot.messages import Conversation, IncomingMessage
    from bot.storage import SaveOutcome
    from bot.tags import TagSet
    from tests.fakes import FrozenClock

    now = FrozenClock().now()
    room = Conversation("test", "r")
    messages = [(IncomingMessage(room, f"m{n % (burst // 2 + 1)}", "u", "x", now), TagSet((1,)))
                for n in range(burst)]
    outcomes = await storage.save_messages(messages, now)
    firsts = {m.message_id for m, _ in messages}
    assert outcomes.count(SaveOutcome.NEW) == len(firsts) == await storage.count_messages()
    seen: set[str] = set()
    for (msg, _), outcome in zip(messages, outcomes, strict=True):
        assert (outcome is SaveOutcome.NEW) == (msg.message_id not in seen)
        seen.add(msg.message_id)


async def test_a_write_not_waited_for_joins_the_next_batch_and_close_finishes_it(
        storage: Storage) -> None:
    commits = GroupCommit(storage.db)
    order: list[str] = []

    # Not awaited by its caller:
    later = asyncio.ensure_future(commits.run(_recorded(order, "submitted")))
    await asyncio.sleep(0)  # queued
    assert await commits.run(_recorded(order, "after")) == "after"
    assert later.done() and later.result() == "submitted"  # in order, already committed
    unwaited = asyncio.ensure_future(commits.run(_recorded(order, "last")))
    await asyncio.sleep(0)  # queued
    await commits.close()
    assert unwaited.result() == "last" and order == ["submitted", "after", "last"]


async def test_a_transaction_takes_queued_writes_up_to_its_rows_and_leaves_the_rest(
        storage: Storage, monkeypatch: pytest.MonkeyPatch) -> None:
    commits = GroupCommit(storage.db, rows_per_transaction=10)
    transactions: list[int] = []
    commit = commits._commit

    async def counted(batch: list[Any]) -> None:
        transactions.append(len(batch))
        await commit(batch)

    monkeypatch.setattr(commits, "_commit", counted)

    async def write(conn: AsyncConnection) -> None:
        return None

    await asyncio.gather(*(commits.run(write, rows=4) for _ in range(7)))
    # 4 + 4 + 4 rows reach the bound: the next burst's rows wait for the next transaction,
    # so that they are parsed while this one is written.
    assert transactions == [3, 3, 1]
    await commits.close()


def _insert_state(key: str) -> Callable[[sqlite3.Connection], str]:
    def work(connection: sqlite3.Connection) -> str:
        connection.execute("INSERT INTO bot_state (key, value, updated_at) "
                           "VALUES (?, 'v', '2019-01-01 00:00:00.000000')", (key,))
        return key
    return work


async def test_writes_on_the_driver_thread_keep_the_queue_order_beside_the_others(
        storage: Storage) -> None:
    commits = GroupCommit(storage.db)
    order: list[str] = []

    def work(name: str) -> Callable[[sqlite3.Connection], str]:
        def on_driver(connection: sqlite3.Connection) -> str:
            order.append(name)
            return _insert_state(name)(connection)
        return on_driver

    results = await asyncio.gather(
        commits.run(_recorded(order, "a")), commits.run_on_driver(work("b")),
        commits.run_on_driver(work("c")), commits.run(_recorded(order, "d")))
    assert results == ["a", "b", "c", "d"] and order == ["a", "b", "c", "d"]
    assert await storage.get_state("b") == await storage.get_state("c") == "v"
    await commits.close()


async def test_a_failing_write_on_the_driver_thread_fails_alone_and_leaves_nothing(
        storage: Storage) -> None:
    commits = GroupCommit(storage.db)

    def half_then_fail(connection: sqlite3.Connection) -> str:
        _insert_state("half")(connection)
        raise ValueError("a bad row")

    results = await asyncio.gather(commits.run_on_driver(_insert_state("good")),
                                   commits.run_on_driver(half_then_fail),
                                   return_exceptions=True)
    assert results[0] == "good" and isinstance(results[1], ValueError)
    assert await storage.get_state("good") == "v"
    assert await storage.get_state("half") is None  # rolled back with its transaction
    await commits.close()
