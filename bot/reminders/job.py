"""The reminder tick: find what fell due, claim each delivery in the database, post, record.

Everything is rebuilt from the plan and our tables on every tick, so a restart, a doubled
tick or a second replica changes nothing: a delivery is posted only by whoever claims its row.
Anything that fell due while no process ran is posted late within the grace period, and is
otherwise recorded as missed and reported to staff.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import secrets
import socket
from datetime import timedelta

from bot.i18n import Translator
from bot.reminder_values import Delivery, DeliveryState, Due, Schedule
from bot.reminders.render import render_reminder, render_staff_report
from bot.reminders.schedule import all_schedules, due_between, occurrences
from bot.services import Services
from bot.target_settings import default_targets, locale_for, zone_for
from bot.targets import parse_target

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)  # an unfinished claim older than this is taken over
SEND_TIMEOUT = 60.0  # seconds; well inside the lease, so nobody takes over a live send
RETRY_AFTER = timedelta(minutes=1)
MAX_ATTEMPTS = 3
CHECK_MARK_EVERY = timedelta(minutes=1)


def new_claimer() -> str:
    """Who is ticking: host, process and tick, so two replicas never pass for each other."""
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{secrets.token_hex(4)}"


async def send_due_reminders(svc: Services) -> None:
    """One tick. Idempotent: running it twice, or in two processes at once, posts once."""
    await _Tick(svc).run()


class _Tick:
    def __init__(self, svc: Services) -> None:
        self.svc = svc
        self.store = svc.storage.reminders
        self.now = svc.clock.now()
        self.claimer = new_claimer()
        self.grace = svc.settings.grace
        # A reminder picked up by the next regular tick is on time; later than that, late.
        self.late_after = max(timedelta(seconds=2 * svc.settings.tick_seconds),
                              timedelta(minutes=1))
        self.problems: list[tuple[Due, str]] = []
        self._counts: dict[int, int] | None = None

    async def run(self) -> None:
        view = await self.store.snapshot(self.now, self.grace)
        schedules = all_schedules(self.svc.plan, view.milestones)
        for schedule in schedules:
            targets = schedule.targets or default_targets(self.svc.settings)
            for due in due_between(schedule, view.start, self.now, targets):
                if due.key not in view.claimed:
                    await self._claim(due)
        await self._recover(view.stale, {schedule.key: schedule for schedule in schedules})
        await self._report()
        # The mark only matters after downtime longer than the grace period, so it need not
        # cost a commit every tick: a minute behind just means a minute more to look over.
        if view.checked_until is None or self.now - view.checked_until >= CHECK_MARK_EVERY:
            await self.store.advance_checked_until(self.now)
        log.debug("reminders checked up to %s", self.now.isoformat())

    async def _claim(self, due: Due) -> None:
        if self.now - due.fire_at > self.grace:
            won = await self.store.claim(due.key, due.schedule.revision, due.fire_at,
                                         DeliveryState.MISSED, self.claimer, self.now, None)
            if won is not None:
                self.problems.append((due, "missed"))
                self.svc.health.reminders.labels("missed").inc()
            return
        delivery_id = await self.store.claim(due.key, due.schedule.revision, due.fire_at,
                                             DeliveryState.CLAIMED, self.claimer, self.now,
                                             self.now + LEASE)
        if delivery_id is not None:
            await self._deliver(Delivery(delivery_id, due.key, due.schedule.revision,
                                         due.fire_at, DeliveryState.CLAIMED, 0), due)

    async def _recover(self, stale: list[Delivery], schedules: dict[str, Schedule]) -> None:
        """Take over deliveries a crashed or failing process left unfinished."""
        for delivery in stale:
            if not await self.store.reclaim(delivery, self.claimer, self.now,
                                            self.now + LEASE):
                continue
            due = _due_of(delivery, schedules.get(delivery.key.milestone_key))
            if due is None:  # removed from the plan or moved meanwhile: its old form is void
                await self.store.finish(delivery.id, DeliveryState.CANCELLED, self.now)
                continue
            if self.now - due.fire_at > self.grace:
                state = "failed" if delivery.state is DeliveryState.FAILED else "missed"
                await self.store.finish(delivery.id, DeliveryState(state), self.now)
                self.problems.append((due, state))
                self.svc.health.reminders.labels(state).inc()
                continue
            if delivery.state is DeliveryState.SENDING:
                log.warning("resending reminder %s after an interrupted send (same "
                            "idempotency key)", delivery.id)
            await self._deliver(delivery, due)

    async def _deliver(self, delivery: Delivery, due: Due) -> None:
        if not await self.store.start_sending(delivery, self.claimer, self.svc.clock.now()):
            log.info("reminder %s not sent: its milestone was edited or removed", delivery.id)
            return
        try:
            text = await self._text(due)
            async with asyncio.timeout(SEND_TIMEOUT):
                message_id = await self.svc.chat.send(
                    parse_target(due.target), text, idempotency_key=due.key.idempotency_key)
        except Exception as exc:
            attempts = delivery.attempts + 1
            final = (attempts >= MAX_ATTEMPTS
                     or self.now + RETRY_AFTER - due.fire_at > self.grace)
            log.warning("reminder %s to %s failed (attempt %d): %s", delivery.id, due.target,
                        attempts, type(exc).__name__, exc_info=True)
            await self.store.finish(delivery.id, DeliveryState.FAILED, self.svc.clock.now(),
                                    error=type(exc).__name__[:200],
                                    retry_at=None if final else self.now + RETRY_AFTER)
            if final:
                self.problems.append((due, "failed"))
                self.svc.health.reminders.labels("failed").inc()
            return
        late = self.now - due.fire_at > self.late_after
        await self.store.finish(delivery.id, DeliveryState.LATE if late else DeliveryState.SENT,
                                self.svc.clock.now(), message_id=message_id)
        self.svc.health.reminders.labels("late" if late else "sent").inc()

    async def _text(self, due: Due) -> str:
        if self._counts is None and due.schedule.issues:
            self._counts = await self.svc.storage.input_counts()
        settings = self.svc.settings
        return render_reminder(due, self.now, zone_for(settings, due.target, self.svc.zone),
                               Translator(locale_for(settings, due.target)), self.svc.plan,
                               self._counts or {},
                               late=self.now - due.fire_at > self.late_after)

    async def _report(self) -> None:
        """Missed and failed reminders go to staff: logged always, posted when configured."""
        if not self.problems:
            return
        for due, state in self.problems:
            log.warning("reminder %s for %s (%ds before, due %s) in %s: %s", due.schedule.key,
                        due.occurrence_at.isoformat(), due.lead.total_seconds(),
                        due.fire_at.isoformat(), due.target, state)
        where_text = self.svc.settings.staff_conversation
        if not where_text:
            return
        keys = sorted(due.key.idempotency_key for due, _ in self.problems)
        report_key = "plenary-report-" + hashlib.sha256("|".join(keys).encode()).hexdigest()[:32]
        try:
            where = parse_target(where_text)
            text = render_staff_report(self.problems, zone_for(self.svc.settings, where_text,
                                                               self.svc.zone), self.svc.tr)
            await self.svc.chat.send(where, text, idempotency_key=report_key)
        except Exception:
            log.exception("could not report %d unposted reminders to staff", len(self.problems))


def _due_of(delivery: Delivery, schedule: Schedule | None) -> Due | None:
    """The delivery as a due reminder of the schedule as it is now, if it still is one."""
    if schedule is None:
        return None
    lead = timedelta(seconds=delivery.key.lead_seconds)
    occurrence = delivery.key.occurrence_at
    if lead not in schedule.leads or occurrence not in occurrences(schedule, occurrence,
                                                                   occurrence):
        return None
    return Due(schedule, occurrence, lead, delivery.key.target)
