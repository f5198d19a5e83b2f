"""Reminder texts in neutral markup: the post members see and the report staff get."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.lists import format_list

from bot.dates import format_clock, format_day, format_instant, format_span
from bot.i18n import Translator
from bot.recurrence import Recurrence
from bot.reminder_values import Due, Schedule
from bot.text import bold, link, quiet
from bot.workplan import WorkPlan

# A reminder fires up to one scheduler tick late: one due at the start says "starting now"
# for a minute after it, and a lead reminder is never late enough to be mistaken for it.
_NOW = timedelta(minutes=1)
_SOON = timedelta(seconds=1)
_MINUTE = timedelta(minutes=1)


def when_text(schedule: Schedule, occurrence: datetime, zone: ZoneInfo,
              tr: Translator) -> str:
    """`Thursday 7 November 2019, 10:30 EST`, a whole day, or `week of Monday 28 October`."""
    if schedule.span == "week":
        return tr("milestones.week_of", day=format_day(occurrence, schedule.zone, tr.locale))
    if schedule.span == "day":
        return format_day(occurrence, schedule.zone, tr.locale)
    return format_instant(occurrence, zone, tr.locale)


def countdown(occurrence: datetime, now: datetime, zone: ZoneInfo, tr: Translator) -> str:
    """`in 7 days`, `starting now`, `started 5 minutes ago`. Days are counted on the wall
    clock of `zone`, so a week before 10:30 is `7 days` even across a DST change."""
    ahead = occurrence - now
    if -_NOW < ahead < _SOON:
        return tr("reminders.now")
    span = abs(ahead)
    if span >= timedelta(days=1):
        span = abs(_wall(occurrence, zone) - _wall(now, zone))
    if ahead > timedelta(0):
        # Up to the minute: "1 minute before" fired 5 s late is still in 1 minute, and a
        # week's lead is 7 days, not 6 days 23 hours.
        span = -(-span // _MINUTE) * _MINUTE
    key = "milestones.in" if occurrence > now else "reminders.ago"
    return tr(key, span=format_span(span, tr.locale))


def _wall(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None)


def title_text(schedule: Schedule, tr: Translator) -> str:
    return quiet(schedule.title.get(tr.locale))


def details_link(schedule: Schedule, tr: Translator) -> str | None:
    """The milestone's link, apart from its bold title (neutral markup does not nest)."""
    return link(tr("reminders.details"), schedule.link) if schedule.link else None


def describe_recurrence(recurrence: Recurrence, zone: ZoneInfo, tr: Translator) -> str:
    weekly = recurrence.simple_weekly
    if weekly is None:
        return tr("reminders.every_cron", cron=recurrence.cron, zone=zone.key)
    weekdays, at = weekly
    names = tr("reminders.days").split(",")
    days = (tr("reminders.every_day") if len(weekdays) == 7
            else format_list([names[day] for day in weekdays], locale=tr.locale))
    return tr("reminders.every", days=days, time=format_clock(at, tr.locale), zone=zone.key)


def render_reminder(due: Due, now: datetime, zone: ZoneInfo, tr: Translator, plan: WorkPlan,
                    input_counts: Mapping[int, int], late: bool) -> str:
    """The post: what, when (in the target's zone and language), how far away, where to
    read more and how much input each related issue has so far."""
    schedule = due.schedule
    lines = [f"🔔 {bold(title_text(schedule, tr))} — "
             f"{countdown(due.occurrence_at, now, schedule.zone, tr)}",
             when_text(schedule, due.occurrence_at, zone, tr)]
    if schedule.description is not None:
        lines.append(quiet(schedule.description.get(tr.locale)))
    if (details := details_link(schedule, tr)) is not None:
        lines.append(details)
    for number in schedule.issues:
        issue = plan.issue_by_number(number)
        if issue is None:
            continue
        hashtag = f"#{issue.hashtags[0]}" if issue.hashtags else f"#{number}"
        lines.append("- " + tr("reminders.inputs", count=input_counts.get(number, 0),
                               issue=number, title=issue.title.get(tr.locale),
                               hashtag=hashtag))
    if late:
        lines.append(tr("reminders.late", due=format_instant(due.fire_at, zone, tr.locale)))
    return "\n".join(lines)


def render_staff_report(problems: Sequence[tuple[Due, str]], zone: ZoneInfo,
                        tr: Translator, limit: int = 20) -> str:
    """Reminders that were not posted (missed while down, or refused), one line each."""
    lines = [bold(tr("reminders.report.title"))]
    for due, state in problems[:limit]:
        lead = (tr("reminders.lead_zero") if not due.lead
                else tr("reminders.lead", span=format_span(due.lead, tr.locale)))
        lines.append("- " + tr(
            f"reminders.report.{state}", title=quiet(due.schedule.title.get(tr.locale)),
            lead=lead, when=when_text(due.schedule, due.occurrence_at, zone, tr),
            due=format_instant(due.fire_at, zone, tr.locale), target=due.target))
    if len(problems) > limit:
        lines.append(tr("reminders.report.more", count=len(problems) - limit))
    return "\n".join(lines)
