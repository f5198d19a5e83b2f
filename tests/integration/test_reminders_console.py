"""A real `plenary run` on the console posts a milestone's reminder on time, exactly once,
and a restart on the same database does not post it again."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from tests.conftest import SHIPPED_PLAN
from tests.support.bot_environment import bot_environment

pytestmark = pytest.mark.integration

PLENARY = str(Path(sys.executable).with_name("plenary"))
REMINDER = "plenary: 🔔 **Console check-in** — "
TICK_LOG = "reminders checked up to"
WAIT = 30  # seconds; a condition not met by then fails the test


class Running:
    """A plenary process whose stdout and stderr lines are collected as they come."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.out: list[str] = []
        self.err: list[str] = []
        self._changed = asyncio.Condition()
        assert process.stdout is not None and process.stderr is not None
        self._readers = [asyncio.create_task(self._read(process.stdout, self.out)),
                         asyncio.create_task(self._read(process.stderr, self.err))]

    async def _read(self, stream: asyncio.StreamReader, into: list[str]) -> None:
        async for line in stream:
            async with self._changed:
                into.append(line.decode("utf-8", "replace").rstrip("\n"))
                self._changed.notify_all()

    async def wait_for(self, ready: Callable[[], bool]) -> None:
        async with asyncio.timeout(WAIT):
            async with self._changed:
                await self._changed.wait_for(lambda: ready() or self.process.returncode
                                             is not None)
        assert ready(), f"process ended early:\n{chr(10).join(self.err[-20:])}"

    def ticks(self) -> int:
        return sum(TICK_LOG in line for line in self.err)

    async def stop(self) -> int:
        """Close stdin (the console's end of input) and wait for a clean exit."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        async with asyncio.timeout(30):
            code = await self.process.wait()
            await asyncio.gather(*self._readers)
        return code


async def start(tmp_path: Path, plan: Path) -> Running:
    env = bot_environment(
        PLENARY_WORKPLAN=str(plan), PLENARY_TICK_SECONDS="1", PLENARY_LOG_LEVEL="DEBUG",
        PLENARY_TIMEZONE="UTC",
        PLENARY_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'plenary.db'}")
    process = await asyncio.create_subprocess_exec(
        PLENARY, "run", cwd=tmp_path, env=env, stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    return Running(process)


def plan_with_milestone_in(tmp_path: Path, seconds: int) -> Path:
    plan = yaml.safe_load(SHIPPED_PLAN.read_text(encoding="utf-8"))
    at = (datetime.now(UTC) + timedelta(seconds=seconds)).replace(microsecond=0, tzinfo=None)
    plan["milestones"] = [{
        "key": "check-in", "title": {"en": "Console check-in", "fr": "Point console"},
        "at": at.isoformat(), "timezone": "UTC", "lead": ["0"], "issues": [3],
        "link": "https://example.org/check-in"}]
    path = tmp_path / "workplan.yaml"
    path.write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
    return path


def reminders(running: Running) -> list[str]:
    return [line for line in running.out if line.startswith(REMINDER)]


async def test_a_milestone_seconds_ahead_is_printed_exactly_once(tmp_path: Path) -> None:
    plan = plan_with_milestone_in(tmp_path, seconds=3)
    bot = await start(tmp_path, plan)
    try:
        await bot.wait_for(lambda: bool(reminders(bot)))
        seen_at = bot.ticks()
        await bot.wait_for(lambda: bot.ticks() >= seen_at + 3)  # three more ticks: no repeat
    finally:
        code = await bot.stop()
    assert code == 0, "\n".join(bot.err)
    [reminder] = reminders(bot)
    assert reminder.endswith("— starting now")
    following = bot.out[bot.out.index(reminder) + 1:]
    assert following[0].endswith(" UTC")
    assert following[1] == "Details <https://example.org/check-in>"
    assert "- 0 inputs so far on issue 3 (Efficient use of resources) — add yours with #wp3" \
        in following
    assert not any("Traceback" in line for line in bot.err)

    restarted = await start(tmp_path, plan)  # the same database: nothing is posted again
    try:
        await restarted.wait_for(lambda: restarted.ticks() >= 3)
    finally:
        assert await restarted.stop() == 0
    assert reminders(restarted) == []
