"""Recurring events: a crontab or `every Tuesday 14:00 UTC`, expanded in local time, DST-safe.

Local times are turned into instants with one explicit rule (RFC 5545, 3.3.5): a time that does
not exist (the spring-forward gap) is shifted forward by the gap (02:30 → 03:30), and a time that
occurs twice (the autumn fold) means its first occurrence. `fold=0` gives exactly that.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.errors import ConfigError

_DAY_NAMES = {
    "monday": 1, "tuesday": 2, "wednesday": 3, "thursday": 4, "friday": 5, "saturday": 6,
    "sunday": 0, "lundi": 1, "mardi": 2, "mercredi": 3, "jeudi": 4, "vendredi": 5,
    "samedi": 6, "dimanche": 0,
}
_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                "dec")
_TIME = re.compile(r"^(\d{1,2})[:h](\d{2})$")


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time (gap: shifted forward; fold: first occurrence)."""
    return datetime.combine(day, at, tzinfo=zone).replace(fold=0).astimezone(UTC)


def fire_time(occurrence: datetime, lead: timedelta, zone: ZoneInfo) -> datetime:
    """When to remind `lead` ahead: whole days count on the wall clock (`1d` before 10:30 is
    10:30 the day before, whatever DST did overnight); hours and minutes are elapsed time."""
    base = occurrence
    if lead.days:
        wall = occurrence.astimezone(zone).replace(tzinfo=None) - timedelta(days=lead.days)
        base = local_instant(wall.date(), wall.time(), zone)
    return base - timedelta(seconds=lead.seconds, microseconds=lead.microseconds)


def parse_time(word: str) -> time | None:
    """`14:00`, `9:30` or `14h00`; None if the word is not a time of day."""
    match = _TIME.match(word.strip().lower())
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def parse_zone(word: str) -> ZoneInfo | None:
    """An IANA zone name (`America/Toronto`, `UTC`); None for any other word."""
    if "/" not in word and word.upper() not in ("UTC", "GMT"):
        return None
    try:
        return ZoneInfo(word if "/" in word else word.upper())
    except (ZoneInfoNotFoundError, ValueError):
        return None


@dataclass(frozen=True, slots=True)
class Recurrence:
    """A five-field crontab in a time zone; `cron` is the canonical text we store."""

    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday, as in cron
    days_restricted: bool
    weekdays_restricted: bool
    cron: str

    def matches(self, day: date) -> bool:
        if day.month not in self.months:
            return False
        in_month = day.day in self.days
        in_week = (day.isoweekday() % 7) in self.weekdays
        if self.days_restricted and self.weekdays_restricted:
            return in_month or in_week  # cron's rule when both are given
        return in_month and in_week

    def times(self) -> list[time]:
        return [time(h, m) for h in sorted(self.hours) for m in sorted(self.minutes)]

    def between(self, start: datetime, end: datetime, zone: ZoneInfo,
                until: date | None = None) -> Iterator[datetime]:
        """Occurrences as UTC instants in [start, end], in order, up to the local day `until`."""
        day = start.astimezone(zone).date() - timedelta(days=1)
        last = end.astimezone(zone).date() + timedelta(days=1)
        if until is not None:
            last = min(last, until)
        seen: set[datetime] = set()
        while day <= last:
            if self.matches(day):
                for at in self.times():
                    instant = local_instant(day, at, zone)
                    # Two times in a spring-forward gap can land on one instant: post it once.
                    if start <= instant <= end and instant not in seen:
                        seen.add(instant)
                        yield instant
            day += timedelta(days=1)

    def next_after(self, after: datetime, zone: ZoneInfo, until: date | None = None,
                   horizon_days: int = 400) -> datetime | None:
        end = after + timedelta(days=horizon_days)
        return next((at for at in self.between(after, end, zone, until) if at > after), None)

    def last_at_or_before(self, now: datetime, zone: ZoneInfo,
                          horizon_days: int = 400) -> datetime | None:
        """The newest occurrence at or before `now` (what a periodic job is due for)."""
        day = now.astimezone(zone).date()
        for _ in range(horizon_days):
            if self.matches(day):
                past = [at for t in self.times() if (at := local_instant(day, t, zone)) <= now]
                if past:
                    return max(past)
            day -= timedelta(days=1)
        return None

    @property
    def simple_weekly(self) -> tuple[tuple[int, ...], time] | None:
        """(weekdays, time) when this is `every <days> HH:MM`, for friendly display."""
        if self.days_restricted or len(self.months) != 12 or len(self.times()) != 1:
            return None
        return tuple(sorted(self.weekdays, key=lambda d: (d + 6) % 7)), self.times()[0]


def parse_recurrence(text: str) -> tuple[Recurrence, ZoneInfo | None]:
    """`every Tuesday 14:00 UTC`, `every weekday 9:30`, or a crontab (`0 14 * * tue`), each
    optionally followed by a zone. Raises ValueError with a readable reason."""
    words = text.split()
    zone = parse_zone(words[-1]) if words else None
    if zone is not None:
        words = words[:-1]
    if words and words[0].lower() in ("every", "chaque"):
        return _every(" ".join(words[1:]).replace(",", " ").split()), zone
    if len(words) != 5:
        raise ValueError(f"{text!r} is neither `every <day> HH:MM` nor a five-field crontab")
    return parse_cron(" ".join(words)), zone


def _every(words: list[str]) -> Recurrence:
    if not words:
        raise ValueError("say which days and time, e.g. `every Tuesday 14:00`")
    at = parse_time(words[-1])
    if at is None:
        raise ValueError(f"{words[-1]!r} is not a time like 14:00")
    weekdays: set[int] = set()
    for word in words[:-1]:
        name = word.lower().rstrip("s") if word.lower() not in _DAY_NAMES else word.lower()
        if name in (",", "and", "et", "on", "at", "à", "le"):
            continue
        if name in ("day", "jour"):
            weekdays.update(range(7))
        elif name in ("weekday", "semaine"):
            weekdays.update(range(1, 6))
        else:
            day = _day_number(name)
            if day is None:
                raise ValueError(f"{word!r} is not a day of the week")
            weekdays.add(day)
    if not weekdays:
        weekdays.update(range(7))
    dow = ",".join(str(d) for d in sorted(weekdays)) if len(weekdays) < 7 else "*"
    return parse_cron(f"{at.minute} {at.hour} * * {dow}")


def _day_number(name: str) -> int | None:
    if name in _DAY_NAMES:
        return _DAY_NAMES[name]
    matches = {number for full, number in _DAY_NAMES.items()
               if len(name) >= 3 and full.startswith(name)}
    return matches.pop() if len(matches) == 1 else None


def parse_cron(text: str) -> Recurrence:
    fields = text.split()
    if len(fields) != 5:
        raise ValueError(f"a crontab has five fields (minute hour day month weekday): {text!r}")
    minute, hour, day, month, weekday = fields
    weekdays = {d % 7 for d in _field(weekday, 0, 7, "weekday")}
    return Recurrence(
        minutes=frozenset(_field(minute, 0, 59, "minute")),
        hours=frozenset(_field(hour, 0, 23, "hour")),
        days=frozenset(_field(day, 1, 31, "day")),
        months=frozenset(_field(month, 1, 12, "month")),
        weekdays=frozenset(weekdays),
        days_restricted=day != "*",
        weekdays_restricted=weekday != "*",
        cron=" ".join(fields).lower(),
    )


def _field(text: str, low: int, high: int, what: str) -> set[int]:
    values: set[int] = set()
    for part in text.lower().split(","):
        body, _, step_text = part.partition("/")
        step = _number(step_text, what) if step_text else 1
        if body == "*":
            first, last = low, high
        elif "-" in body:
            first_text, last_text = body.split("-", 1)
            first, last = _value(first_text, what), _value(last_text, what)
        else:
            first = _value(body, what)
            last = high if step_text else first
        if step < 1 or not low <= first <= last <= high:
            raise ValueError(f"bad {what} {part!r} (allowed {low}-{high})")
        values.update(range(first, last + 1, step))
    return values


def _value(word: str, what: str) -> int:
    if what == "month" and word[:3] in _MONTH_NAMES:
        return _MONTH_NAMES.index(word[:3]) + 1
    if what == "weekday" and not word.isdigit():
        day = _day_number(word)
        if day is not None:
            return day
    return _number(word, what)


def _number(word: str, what: str) -> int:
    if not word.isdigit():
        raise ValueError(f"bad {what} {word!r}")
    return int(word)


def scheduled_setting(name: str, text: str, default_zone: ZoneInfo
                      ) -> tuple[Recurrence, ZoneInfo]:
    """A schedule setting (`PLENARY_DIGEST_CRON`, `PLENARY_NUDGE_CRON`) with its zone, the
    consultation's unless it names one; a mistake is a `ConfigError` naming the setting."""
    try:
        recurrence, zone = parse_recurrence(text)
    except ValueError as exc:
        raise ConfigError(f"{name}: {exc}") from None
    return recurrence, zone or default_zone
