"""Digest rows rendered inside SQLite, for exports of a million inputs.

Formatting each row in Python costs about twice the time SQLite takes to read it; here the
query itself builds each CSV line or HTML entry (escaping, the formula guard, local times),
and Python only writes the strings. Each builder mirrors one Python formatter of
`bot.digests` exactly; tests render the same rows both ways and compare them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, String, case, func, literal, select, type_coerce

from bot.storage.bulk_sqlite import sqlite_datetime
from bot.storage.tables import KINDS, MESSAGES, TAGS

Text = ColumnElement[Any]


def _text(value: str) -> Text:
    return literal(value, String)


def _replace_all(expr: Text, pairs: Sequence[tuple[str, str]]) -> Text:
    for old, new in pairs:
        expr = func.replace(expr, _text(old), _text(new), type_=String)
    return expr


def _join(*parts: Text | str) -> Text:
    exprs = [_text(part) if isinstance(part, str) else part for part in parts]
    joined = exprs[0]
    for part in exprs[1:]:
        joined = joined.concat(part)
    return joined


def _or(value: Text, fallback: Text) -> Text:
    """Python's `value or fallback` for text."""
    return func.coalesce(func.nullif(value, ""), fallback, type_=String)


def _kinds_of(separator: str, each: Text | None = None) -> Text:
    """The message's kinds in key order (the primary key's own order), joined."""
    item = each if each is not None else KINDS.c.kind
    return func.coalesce(select(func.group_concat(item, separator))
                         .where(KINDS.c.platform == TAGS.c.platform,
                                KINDS.c.conversation_id == TAGS.c.conversation_id,
                                KINDS.c.message_id == TAGS.c.message_id)
                         .scalar_subquery(), "", type_=String)


AUTHOR = _or(MESSAGES.c.sender_name, TAGS.c.sender_id)
CHANNEL = _or(MESSAGES.c.conversation_name, TAGS.c.conversation_id)
POSTED = type_coerce(TAGS.c.posted_at, String)  # SQLite's own text: 2019-10-02 14:05:00.000000


# CSV ---------------------------------------------------------------------------------------

def _inert(expr: Text, formula_start: frozenset[str]) -> Text:
    """`bot.digests.exports.inert_cell`: a `'` before a formula-looking first character."""
    first = func.substr(func.ltrim(expr, _text(" ")), 1, 1)
    starts = [char for char in formula_start if char != "\x00"]  # NUL is never stored
    return case((first.in_([_text(char) for char in starts]), _join("'", expr)), else_=expr)


def _cell(expr: Text) -> Text:
    return _join('"', _replace_all(expr, [('"', '""')]), '"')


def csv_line(title: str, formula_start: frozenset[str]) -> Text:
    """`bot.digests.exports.csv_line` of one row: every field quoted, CRLF at the end."""
    def inert(expr: Text) -> Text:
        return _inert(func.coalesce(expr, "", type_=String), formula_start)

    iso = _join(func.replace(func.substr(POSTED, 1, 19), " ", "T", type_=String),
                case((func.substr(POSTED, 21) == "000000", _text("")),
                     else_=_join(".", func.substr(POSTED, 21))), "+00:00")
    cells = [type_coerce(TAGS.c.issue, String), _text(title), _kinds_of(" "), iso,
             inert(AUTHOR), inert(TAGS.c.sender_id), TAGS.c.platform, inert(CHANNEL),
             inert(TAGS.c.message_id), inert(MESSAGES.c.permalink), inert(MESSAGES.c.text)]
    line = _cell(cells[0])
    for cell in cells[1:]:
        line = _join(line, ",", _cell(cell))
    return _join(line, "\r\n")


# HTML --------------------------------------------------------------------------------------

_TEXT_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"))
_ATTRIBUTE_ESCAPES = (*_TEXT_ESCAPES, ('"', "&quot;"), ("'", "&#x27;"))


def local_minutes(zone: ZoneInfo, first: datetime, last: datetime) -> Text:
    """`LocalMinutes.format`: `2019-10-02 10:05` in `zone`, from the zone's offsets over the
    period (found on a quarter-hour grid, where every zone changes its offset)."""
    step, moment = timedelta(minutes=15), first.astimezone(UTC).replace(second=0, microsecond=0)
    moment -= timedelta(minutes=moment.minute % 15)
    offset = moment.astimezone(zone).utcoffset() or timedelta(0)
    branches: list[tuple[ColumnElement[bool], Text]] = []
    while moment <= last:
        moment += step
        following = moment.astimezone(zone).utcoffset() or timedelta(0)
        if following != offset:
            branches.append((POSTED < sqlite_datetime(moment), _minutes(offset)))
            offset = following
    shift = case(*branches, else_=_minutes(offset)) if branches else _minutes(offset)
    # Whole seconds only: SQLite rounds fractions, and 01:59:59.999999 must stay 01:59.
    return func.strftime("%Y-%m-%d %H:%M", func.substr(POSTED, 1, 19), shift, type_=String)


def _minutes(offset: timedelta) -> Text:
    return _text(f"{int(offset.total_seconds() // 60):+d} minutes")


def html_entry(local: Text, source: str, kind_labels: Mapping[str, str],
               invisible: str, full_text: int) -> Text:
    """`bot.digests.html_export._entry` of one row. `kind_labels` are escaped already."""
    def text(expr: Text) -> Text:
        return _replace_all(func.coalesce(expr, "", type_=String), _TEXT_ESCAPES)

    link = MESSAGES.c.permalink
    safe = func.lower(func.substr(link, 1, 8)).__eq__("https://") | \
        func.lower(func.substr(link, 1, 7)).__eq__("http://")
    anchor = case((safe, _join(' <a href="', _replace_all(link, _ATTRIBUTE_ESCAPES),
                               f'" rel="noopener">{source}</a>')), else_=_text(""))
    label = case(*[(KINDS.c.kind == key, _text(title)) for key, title in kind_labels.items()],
                 else_=_replace_all(KINDS.c.kind, _ATTRIBUTE_ESCAPES)) if kind_labels \
        else _replace_all(KINDS.c.kind, _ATTRIBUTE_ESCAPES)
    labels = _kinds_of("", _join('<span class="kind">', label, "</span>"))
    body = _replace_all(func.substr(MESSAGES.c.text, 1, full_text, type_=String),
                        [(char, "") for char in invisible])
    return _join('<li><span class="who">', text(AUTHOR), " · ", text(CHANNEL), " · ", local,
                 anchor, "</span>", labels, '<div class="text">', text(body), "</div></li>")
