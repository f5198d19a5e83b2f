"""Bursts: concurrent plain messages are stored as one write; one bad message fails alone."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime

import pytest

from bot.message_bursts import MessageBursts
from bot.messages import IncomingMessage
from bot.services import Services
from bot.storage import SaveOutcome, Storage
from bot.tags import TagSet
from tests.fakes import Harness


async def test_messages_dispatched_together_are_one_write(
        harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    writes: list[int] = []
    original = Storage.save_messages

    async def counted(self: Storage, burst: Sequence[tuple[IncomingMessage, TagSet]],
                      at: datetime, *, notice: bool = False) -> list[SaveOutcome]:
        writes.append(len(burst))
        return await original(self, burst, at, notice=notice)

    monkeypatch.setattr(Storage, "save_messages", counted)
    await asyncio.gather(*(harness.say(f"#wp{n % 8 + 1} idea {n}") for n in range(40)))
    assert writes == [40]
    assert await harness.storage.count_messages() == 40


async def test_one_bad_message_fails_alone(harness: Harness) -> None:
    async def burst(msgs: Sequence[IncomingMessage], svc: Services) -> None:
        raise RuntimeError("the burst failed")

    handled: list[str] = []

    async def one(msg: IncomingMessage, svc: Services) -> None:
        if msg.text == "bad":
            raise ValueError("bad message")
        handled.append(msg.text)

    bursts = MessageBursts(burst, one, harness.svc)
    now = harness.clock.now()
    messages = [IncomingMessage(harness.room, str(n), "u", text, now)
                for n, text in enumerate(["a", "bad", "c"])]
    results = await asyncio.gather(*(bursts.handle(m) for m in messages),
                                   return_exceptions=True)
    assert handled == ["a", "c"]
    assert results[0] is None and results[2] is None and isinstance(results[1], ValueError)


async def test_many_keeps_order_so_a_command_sees_the_messages_before_it(
        harness: Harness) -> None:
    now = harness.clock.now()
    events = [IncomingMessage(harness.room, "m1", "alice", "untagged idea", now),
              IncomingMessage(harness.room, "m2", "bob", "!tag 3 solution", now,
                              reply_to_id="m1"),
              IncomingMessage(harness.room, "m3", "alice", "#wp5 another", now)]
    await harness.router.many(events)
    assert harness.replies() == ["Tagged to **3. Efficient use of resources**, #solution."]
    assert await harness.storage.tags_of(events[0].ref) == TagSet((3,), ("solution",))
    assert await harness.storage.count_messages() == 2  # the command is not input


async def test_many_raises_a_storage_failure_after_trying_the_rest(harness: Harness) -> None:
    async with harness.storage.db.engine.begin() as conn:
        await conn.exec_driver_sql("DROP TABLE tags")
    now = harness.clock.now()
    events = [IncomingMessage(harness.room, "m1", "alice", "#wp1 x", now),
              IncomingMessage(harness.room, "m2", "alice", "!help", now)]
    with pytest.raises(Exception, match="tags"):
        await harness.router.many(events)
    assert harness.replies()[0].startswith("**What I can do**")  # the command still ran
