"""Dates for people: parsing what staff type, rendering instants in a zone and a language."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_RELATIVE = re.compile(r"^(\d+)\s*([dwh])$")

_MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"],
}
_WEEKDAYS = {
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    "fr": ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"],
}
_UNITS = {
    "en": {"d": ("day", "days"), "h": ("hour", "hours"), "m": ("minute", "minutes")},
    "fr": {"d": ("jour", "jours"), "h": ("heure", "heures"), "m": ("minute", "minutes")},
}


def parse_day(text: str, now: datetime, zone: ZoneInfo) -> datetime | None:
    """`2019-10-01` (midnight in `zone`) or `7d` / `2w` / `12h` before `now`; None if neither."""
    word = text.strip().lower()
    match = _RELATIVE.match(word)
    if match:
        amount, unit = int(match.group(1)), match.group(2)
        try:
            span = {"d": timedelta(days=amount), "w": timedelta(weeks=amount),
                    "h": timedelta(hours=amount)}[unit]
            return now - span
        except OverflowError:  # 9999999999d: not a date anyone means
            return None
    try:
        day = date.fromisoformat(word)
    except ValueError:
        return None
    return datetime.combine(day, time(0, 0), tzinfo=zone).astimezone(UTC)


def format_day(instant: datetime, zone: ZoneInfo, locale: str) -> str:
    local = instant.astimezone(zone)
    month = _MONTHS[locale][local.month - 1]
    if locale == "fr":
        return f"{_WEEKDAYS['fr'][local.weekday()]} {local.day} {month} {local.year}"
    return f"{_WEEKDAYS['en'][local.weekday()]} {local.day} {month} {local.year}"


def format_instant(instant: datetime, zone: ZoneInfo, locale: str) -> str:
    """`Thursday 7 November 2019, 10:30 EST` / `jeudi 7 novembre 2019, 10 h 30 EST`."""
    local = instant.astimezone(zone)
    clock = f"{local.hour} h {local.minute:02d}" if locale == "fr" else f"{local:%H:%M}"
    return f"{format_day(instant, zone, locale)}, {clock} {local.tzname()}"


def format_short(instant: datetime, zone: ZoneInfo) -> str:
    """Compact and unambiguous, for digest entries: `2019-10-02 14:05 EDT`. The zone's name is
    part of it: a reader in another zone, or a period across a DST change, must not guess."""
    return f"{instant.astimezone(zone):%Y-%m-%d %H:%M %Z}"


def format_span(delta: timedelta, locale: str) -> str:
    """A rounded duration: `3 days 2 hours`, `45 minutes`, `2 jours 1 heure`."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    units = _UNITS[locale]

    def part(amount: int, unit: str) -> str:
        singular, plural = units[unit]
        return f"{amount} {singular if amount == 1 else plural}"

    if days:
        return part(days, "d") + (f" {part(hours, 'h')}" if hours else "")
    if hours:
        return part(hours, "h") + (f" {part(mins, 'm')}" if mins else "")
    return part(mins, "m")
