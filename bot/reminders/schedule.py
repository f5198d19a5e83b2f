"""Pure due-time computation: which reminders fall due in a window, and what comes next."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.recurrence import fire_time, parse_recurrence
from bot.reminder_values import Due, Schedule, Span, StoredMilestone, Title
from bot.workplan import Milestone, WorkPlan, parse_lead

DEFAULT_LEADS = ("1d", "1h")
_DST_MARGIN = timedelta(hours=2)


def from_plan(milestone: Milestone, plan_zone: ZoneInfo) -> Schedule:
    zone = milestone.zone(plan_zone)
    recurrence = None
    starts_at = None
    if milestone.recurrence is not None:
        recurrence, named_zone = parse_recurrence(milestone.recurrence)
        zone = named_zone or zone
    else:
        starts_at = milestone.starts_at(plan_zone).astimezone(UTC)
    description = (Title.of(milestone.description)
                   if milestone.description is not None else None)
    span: Span = "week" if milestone.week_of else "day" if milestone.on else "at"
    return Schedule(
        key=f"plan:{milestone.key}", revision=0,
        title=Title.of(milestone.title), zone=zone,
        leads=milestone.leads(), targets=milestone.targets, starts_at=starts_at, span=span,
        recurrence=recurrence, until=milestone.until, link=milestone.link,
        issues=milestone.issues, description=description)


def from_database(stored: StoredMilestone) -> Schedule:
    draft = stored.draft
    recurrence = parse_recurrence(draft.recurrence)[0] if draft.recurrence else None
    return Schedule(
        key=f"db:{stored.id}", revision=stored.revision, title=draft.title,
        zone=ZoneInfo(draft.timezone),
        leads=tuple(parse_lead(lead) for lead in draft.leads or DEFAULT_LEADS),
        targets=draft.targets, starts_at=draft.starts_at,
        span="day" if draft.whole_day else "at", recurrence=recurrence, until=draft.until,
        link=draft.link, issues=draft.issues, defined_at=stored.revised_at)


def all_schedules(plan: WorkPlan, stored: Sequence[StoredMilestone]) -> list[Schedule]:
    return ([from_plan(m, plan.zone) for m in plan.milestones]
            + [from_database(s) for s in stored])


def occurrences(schedule: Schedule, start: datetime, end: datetime) -> Iterator[datetime]:
    """The milestone's occurrences (UTC instants) in [start, end]."""
    if schedule.recurrence is not None:
        yield from schedule.recurrence.between(start, end, schedule.zone, schedule.until)
    elif schedule.starts_at is not None and start <= schedule.starts_at <= end:
        yield schedule.starts_at


def due_between(schedule: Schedule, after: datetime, until: datetime,
                targets: Sequence[str]) -> list[Due]:
    """Every reminder whose time falls in (`after`, `until`], one per target, oldest first.

    Reminders timed before the milestone was defined (added or moved too late for them)
    never existed, so they are neither posted nor reported missed."""
    if schedule.defined_at is not None:
        after = max(after, schedule.defined_at)
    found: list[Due] = []
    for lead in set(schedule.leads):
        # Day leads follow the wall clock, so a DST change may shift them by up to an hour
        # (two around Lord Howe's half hour): look a little wider, then keep the exact ones.
        for occurrence in occurrences(schedule, after + lead - _DST_MARGIN,
                                      until + lead + _DST_MARGIN):
            fire_at = fire_time(occurrence, lead, schedule.zone)
            if after < fire_at <= until:
                found += [Due(schedule, occurrence, lead, target) for target in targets]
    found.sort(key=lambda due: (due.fire_at, due.target))
    return found


def next_occurrence(schedule: Schedule, now: datetime) -> datetime | None:
    """The next time the milestone happens, or None once it is over."""
    if schedule.recurrence is not None:
        return schedule.recurrence.next_after(now - timedelta(microseconds=1), schedule.zone,
                                              schedule.until)
    if schedule.starts_at is not None and schedule.starts_at >= now:
        return schedule.starts_at
    return None
