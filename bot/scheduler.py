"""The scheduler: APScheduler 3.x as a wake-up tick only. The only module that imports it.

Jobs keep their truth in our tables and work out for themselves what is due, so a missed,
doubled or late wake-up (a restart, a second replica) never posts twice or drops anything.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.errors import ConfigError
from bot.services import Services
from bot.settings import Settings

log = logging.getLogger(__name__)

JobFunction = Callable[[Services], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Job:
    """A core function woken on an interval (seconds) or a crontab; None disables it."""

    name: str
    run: JobFunction
    every_seconds: Callable[[Settings], int | None] | None = None
    crontab: Callable[[Settings], str | None] | None = None


class Scheduler:
    def __init__(self, zone: ZoneInfo) -> None:
        # Misfires are not skipped (3.x skips after 1 s by default) and never stacked: the
        # jobs themselves catch up on whatever became due while the process slept.
        self._aps = AsyncIOScheduler(timezone=zone, job_defaults={
            "coalesce": True, "max_instances": 1, "misfire_grace_time": None})
        self._running: set[asyncio.Task[object]] = set()

    def add(self, job: Job, svc: Services) -> None:
        trigger: IntervalTrigger | CronTrigger | None = None
        if job.every_seconds is not None:
            seconds = job.every_seconds(svc.settings)
            if seconds:
                trigger = IntervalTrigger(seconds=seconds, timezone=self._aps.timezone)
        elif job.crontab is not None:
            crontab = job.crontab(svc.settings)
            if crontab:
                trigger = cron_trigger(crontab, self._aps.timezone)
        if trigger is None:
            log.debug("job %s is not scheduled (disabled in the settings)", job.name)
            return
        self._aps.add_job(self._run, trigger, args=(job, svc), id=job.name,
                          replace_existing=True)

    def start(self) -> None:
        """Must be called inside the running event loop."""
        self._aps.start()

    async def shutdown(self) -> None:
        """Stop waking jobs, and let a running one finish (storage closes right after)."""
        if self._aps.running:
            self._aps.shutdown(wait=False)
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)

    async def _run(self, job: Job, svc: Services) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            await job.run(svc)
        except Exception:
            ref = secrets.token_hex(3)
            log.exception("scheduled job %s failed (ref %s)", job.name, ref)  # next tick retries
            svc.health.failed(ref, svc.clock.now(), f"job {job.name}")
        finally:
            if task is not None:
                self._running.discard(task)


def cron_trigger(crontab: str, zone: object) -> CronTrigger:
    """A five-field crontab (`0 9 * * mon`); a bad one is a configuration error."""
    try:
        return CronTrigger.from_crontab(crontab, timezone=zone)
    except ValueError as exc:
        raise ConfigError(f"bad crontab {crontab!r}: {exc}") from None
