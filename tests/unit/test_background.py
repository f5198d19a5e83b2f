"""Background work: kept until done, waited for, cut off after its grace at shutdown."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.background import Background


async def test_settle_waits_for_work_and_for_work_it_starts() -> None:
    background, done = Background(), []

    async def second() -> None:
        await asyncio.sleep(0)
        done.append("second")

    async def first() -> None:
        await asyncio.sleep(0)
        done.append("first")
        background.start(second(), "second")

    background.start(first(), "first")
    assert background.running == 1
    await background.settle()
    assert done == ["first", "second"] and background.running == 0


async def test_work_still_running_after_the_grace_is_cancelled() -> None:
    background, never = Background(), asyncio.Event()
    cancelled = []

    async def stuck() -> None:
        try:
            await never.wait()
        except asyncio.CancelledError:
            cancelled.append(True)
            raise

    background.start(stuck(), "stuck")
    await background.settle(grace_seconds=0.01)
    assert cancelled == [True] and background.running == 0


async def test_a_failure_is_logged_with_what_it_was(caplog: pytest.LogCaptureFixture) -> None:
    background = Background()

    async def broken() -> None:
        raise RuntimeError("boom")

    background.start(broken(), "consent notices for 3 members")
    with caplog.at_level(logging.ERROR, logger="bot.background"):
        await background.settle()
    assert "consent notices for 3 members failed" in caplog.text
