"""`status` (staff): how this deployment is doing, for whoever is asked to look at it.

Platforms and the Matrix leader come from the adapters (and, for the leader, from the
database, so any replica answers alike); queued writes and recent error references are this
replica's own, and say so.
"""

from __future__ import annotations

from datetime import timedelta

from bot.commands import Args
from bot.dates import format_short
from bot.messages import IncomingMessage
from bot.platform_status import PlatformStatus
from bot.reminder_values import Due
from bot.reminders.render import countdown, title_text
from bot.reminders.schedule import all_schedules, due_between
from bot.services import Services
from bot.target_settings import default_targets
from bot.text import bold, code, quiet

REMINDERS_AHEAD = timedelta(days=30)
REMINDERS_SHOWN = 3


async def show_status(msg: IncomingMessage, args: Args, svc: Services) -> str:
    tr = svc.tr
    lines = [bold(tr("status.title", replica=code(svc.health.replica)))]
    for platform in [await reporter.status() for reporter in svc.platforms]:
        lines.append("- " + _platform_line(platform, svc))
    lines.append(tr("status.reminders_title"))
    upcoming = await _next_reminders(svc)
    if not upcoming:
        lines.append("- " + tr("status.no_reminders", days=REMINDERS_AHEAD.days))
    now = svc.clock.now()
    for due in upcoming:
        lines.append("- " + tr("status.reminder", title=bold(title_text(due.schedule, tr)),
                               target=code(due.target), when=format_short(due.fire_at, svc.zone),
                               countdown=countdown(due.fire_at, now, svc.zone, tr)))
    lines.append(tr("status.queued", count=svc.storage.queued_writes))
    errors = list(svc.health.recent_errors)
    lines.append(tr("status.errors_title") if errors else tr("status.no_errors"))
    lines += ["- " + tr("status.error", ref=code(error.ref), when=format_short(error.at, svc.zone),
                        what=quiet(error.what)) for error in errors]
    return "\n".join(lines)


def _platform_line(platform: PlatformStatus, svc: Services) -> str:
    tr = svc.tr
    parts = [tr("status.platform", platform=platform.platform.capitalize(),
                state=tr("status.connected" if platform.connected else "status.disconnected"))]
    if platform.platform == "matrix":
        parts.append(tr("status.leader", replica=code(platform.leader)) if platform.leader
                     else tr("status.no_leader"))
        parts.append(tr("status.last_sync", when=format_short(platform.last_received_at,
                                                              svc.zone))
                     if platform.last_received_at else tr("status.never_synced"))
    return " · ".join(parts)


async def _next_reminders(svc: Services) -> list[Due]:
    now = svc.clock.now()
    schedules = all_schedules(svc.plan, await svc.storage.reminders.active_milestones())
    targets = default_targets(svc.settings)
    found: list[Due] = []
    for schedule in schedules:
        found += due_between(schedule, now, now + REMINDERS_AHEAD,
                             schedule.targets or targets)
    found.sort(key=lambda due: (due.fire_at, due.target))
    return found[:REMINDERS_SHOWN]
