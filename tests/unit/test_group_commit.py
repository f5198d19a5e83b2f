"""Group commit: order kept, bursts written together, one failure isolated from the rest."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage import Storage
from bot.storage.group_commit import GroupCommit


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

    def op(name: str) -> Callable[[AsyncConnection], Awaitable[str]]:
        async def write(conn: AsyncConnection) -> str:
            order.append(name)
            return name
        return write

    later = asyncio.ensure_future(commits.run(op("submitted")))  # not awaited by its caller
    await asyncio.sleep(0)  # queued
    assert await commits.run(op("after")) == "after"
    assert later.done() and later.result() == "submitted"  # in order, already committed
    unwaited = asyncio.ensure_future(commits.run(op("last")))
    await asyncio.sleep(0)  # queued
    await commits.close()
    assert unwaited.result() == "last" and order == ["submitted", "after", "last"]
