"""Dates for people: parsing what staff type, rendering instants in a zone and a language."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time, get_datetime_format
from babel.lists import format_list
from babel.units import format_unit

_RELATIVE = re.compile(r"^(\d+)\s*([dwh])$")


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
    """The day in `zone`, in the locale's full form (CLDR, by Babel): `Thursday, November 7,
    2019`, `jeudi 7 novembre 2019`, `2019年11月7日星期四`."""
    return format_date(instant.astimezone(zone).date(), "full", locale=locale)


def format_clock(at: time, locale: str) -> str:
    """A wall-clock time in the locale's short form: `10:30 AM`, `10:30`."""
    return format_time(at, "short", locale=locale)


def format_instant(instant: datetime, zone: ZoneInfo, locale: str) -> str:
    """`Thursday, November 7, 2019, 10:30 AM EST` / `jeudi 7 novembre 2019, 10:30 EST`: the
    locale's own date, time and the glue between them; the zone's abbreviation, which every
    reader can look up, after the time."""
    local = instant.astimezone(zone)
    clock = f"{format_clock(local.time(), locale)} {local.tzname()}"
    glue = get_datetime_format("medium", locale=locale)
    return str(glue).replace("{1}", format_day(instant, zone, locale)).replace("{0}", clock)


def format_short(instant: datetime, zone: ZoneInfo) -> str:
    """Compact and unambiguous, for digest entries: `2019-10-02 14:05 EDT`. The zone's name is
    part of it: a reader in another zone, or a period across a DST change, must not guess."""
    return f"{instant.astimezone(zone):%Y-%m-%d %H:%M %Z}"


def format_span(delta: timedelta, locale: str) -> str:
    """A duration rounded down to two units, in the locale's words and plural forms:
    `3 days and 2 hours`, `45 minutes`, `2 jours et 1 heure`."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    (first, first_unit), (second, second_unit) = (
        ((days, "day"), (hours, "hour")) if days else
        ((hours, "hour"), (mins, "minute")) if hours else ((mins, "minute"), (0, "")))
    parts = [format_unit(first, f"duration-{first_unit}", length="long", locale=locale)]
    if second:
        parts.append(format_unit(second, f"duration-{second_unit}", length="long",
                                 locale=locale))
    # The standard list style: Babel's "unit" lists are incomplete for some locales (es).
    return format_list(parts, style="standard", locale=locale)
