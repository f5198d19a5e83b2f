"""Digest rows rendered inside SQLite, for exports of a million inputs.

Formatting each row in Python costs more than SQLite takes to read it; here the query itself
builds each CSV line or HTML entry (escaping, the formula guard, local times), and Python only
writes the strings. Each builder mirrors one Python formatter of `bot.digests` exactly; tests
render the same rows both ways and compare them.

Cost matters per row: a line is one `printf()` (one allocation, not one per `||`), and each
cell takes a fast path, one scan that finds nothing to escape and returns the column as it
is, so only the rare cell with a quote, a markup character or a formula-looking start pays for
`replace()` calls.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from itertools import combinations
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    LargeBinary,
    String,
    case,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
    type_coerce,
)

from bot.storage.bulk_sqlite import sqlite_datetime
from bot.storage.sql import same_message
from bot.storage.tables import KINDS, MESSAGES, TAGS

Text = ColumnElement[Any]
Flag = ColumnElement[bool]


def _text(value: str) -> Text:
    return literal(value, String)


def _printf(template: str, *values: Text | str) -> Text:
    """SQLite's `printf`; every `%s` of `template` takes one value (NULL writes nothing).
    Text of ours goes in as values, never into the template, so a `%` in it stays a `%`."""
    assert template.count("%s") == len(values) and template.count("%") == len(values)
    return func.printf(_text(template), *(_text(v) if isinstance(v, str) else v
                                          for v in values), type_=String)


def _glob(expr: Text, pattern: str) -> Flag:
    return expr.op("GLOB", is_comparison=True)(_text(pattern))


def _one_of(chars: str) -> str:
    """A GLOB character class matching any of `chars` (a `-` first is a `-`, not a range)."""
    assert "]" not in chars and chars and chars[0] != "^"
    return "[" + ("-" if "-" in chars else "") + chars.replace("-", "") + "]"


def _holds_any(expr: Text, chars: Iterable[str]) -> Flag:
    """Whether `expr` holds any of `chars`: one `instr()` scan each (a GLOB `*[…]*` was
    measured four times slower)."""
    return or_(*[func.instr(expr, _text(char)) > 0 for char in sorted(set(chars))])


def _may_hold_any(expr: Text, chars: str) -> Flag:
    """Whether `expr` holds any of `chars`, by `instr()` scans. A character beyond ASCII is
    looked for by its first UTF-8 byte: a superset test, one scan for many characters; what
    it lets through is handled exactly."""
    one_byte = [char for char in chars if char < "\x80"]
    tests = [_holds_any(expr, one_byte)] if one_byte else []
    # A blob literal of our own byte (workers take JSON values, which have no bytes).
    tests += [func.instr(cast(expr, LargeBinary), literal_column(f"x'{lead:02X}'")) > 0
              for lead in sorted({char.encode()[0] for char in chars if char >= "\x80"})]
    return or_(*tests)


def _replaced(expr: Text, pairs: Mapping[str, str]) -> Text:
    for old, new in pairs.items():
        expr = func.replace(expr, _text(old), _text(new), type_=String)
    return expr


def _or(value: Text, fallback: Text) -> Text:
    """Python's `value or fallback` for text."""
    return func.coalesce(func.nullif(value, ""), fallback, type_=String)


def _each_kind(item: Text) -> Text:
    """`item` of each of the message's kinds in key order (the primary key's own order),
    joined; NULL if none. A sub-query per row: only for kinds the plan does not know."""
    return select(func.group_concat(item, "")).where(same_message(KINDS, TAGS)).scalar_subquery()


# The message's kind keys, space-separated in key order (kept with its tags); NULL if none.
KIND_KEYS = MESSAGES.c.kinds
AUTHOR = _or(MESSAGES.c.sender_name, TAGS.c.sender_id)
CHANNEL = _or(MESSAGES.c.conversation_name, TAGS.c.conversation_id)
POSTED = type_coerce(TAGS.c.posted_at, String)  # SQLite's own text: 2019-10-02 14:05:00.000000


# CSV ---------------------------------------------------------------------------------------

def _csv_cell(expr: Text, formula_start: str) -> Text:
    """`inert_cell` and the quote doubling of `csv_line`, for one cell (NULL stays NULL)."""
    starts = _one_of(formula_start) + "*"
    # An anchored GLOB looks at the first character only: cheap, unlike `*[…]*`.
    suspect = _glob(expr, _one_of(formula_start + " ") + "*") | (func.instr(expr, '"') > 0)
    guard = case((_glob(func.ltrim(expr, _text(" ")), starts), _text("'")), else_=_text(""))
    return case((suspect, guard.concat(func.replace(expr, _text('"'), _text('""')))),
                else_=expr)


def csv_line(leading_cells: str, formula_start: frozenset[str]) -> Text:
    """`bot.digests.exports.csv_line` of one row: every field quoted, CRLF at the end.
    `leading_cells` are the issue's own cells (number and title), rendered by the caller."""
    starts = "".join(sorted(formula_start - {"\x00"}))  # NUL is never stored

    def cell(expr: Text) -> Text:
        return _csv_cell(expr, starts)

    fraction = case((func.substr(POSTED, 21) == "000000", _text("")),
                    else_=func.substr(POSTED, 20))
    return _printf('%s"%s","%sT%s%s+00:00","%s","%s","%s","%s","%s","%s","%s"\r\n',
                   leading_cells, KIND_KEYS, func.substr(POSTED, 1, 10),
                   func.substr(POSTED, 12, 8), fraction, cell(AUTHOR), cell(TAGS.c.sender_id),
                   TAGS.c.platform, cell(CHANNEL), cell(TAGS.c.message_id),
                   cell(MESSAGES.c.permalink), cell(MESSAGES.c.text))


# HTML --------------------------------------------------------------------------------------

_TEXT_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_ATTRIBUTE_ESCAPES = {**_TEXT_ESCAPES, '"': "&quot;", "'": "&#x27;"}


def _escaped(expr: Text, escapes: Mapping[str, str]) -> Text:
    return case((_may_hold_any(expr, "".join(escapes)), _replaced(expr, escapes)), else_=expr)


def local_minutes(zone: ZoneInfo, first: datetime, last: datetime) -> Text:
    """`LocalMinutes.format`: `2019-10-02 10:05` in `zone`, from the zone's offsets over the
    period (found on a quarter-hour grid, where every zone changes its offset)."""
    step, moment = timedelta(minutes=15), first.astimezone(UTC).replace(second=0, microsecond=0)
    moment -= timedelta(minutes=moment.minute % 15)
    offset = moment.astimezone(zone).utcoffset() or timedelta(0)
    branches: list[tuple[Flag, Text]] = []
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


_MAX_KNOWN_KINDS = 6  # 63 label sets at most; more kinds take the general path


def _kind_labels(kind_labels: Mapping[str, str]) -> Text:
    """The message's kinds as label spans, in key order. Each set of known kinds is looked up
    whole by its keys (a CASE on the `kinds` column, measured half the cost of building spans
    kind by kind); a kind the plan does not know takes the general path."""
    def span(title: Text | str) -> Text:
        return _printf('<span class="kind">%s</span>', title)

    title = case(*[(KINDS.c.kind == key, _text(text)) for key, text in kind_labels.items()],
                 else_=_escaped(KINDS.c.kind, _ATTRIBUTE_ESCAPES)) if kind_labels \
        else _escaped(KINDS.c.kind, _ATTRIBUTE_ESCAPES)
    general = _each_kind(span(title))
    # A plan's keys hold no space (`Kind.key`), so joined keys name one set of kinds.
    known = sorted(key for key in kind_labels if " " not in key)
    if not known or len(known) > _MAX_KNOWN_KINDS:
        return general
    branches = {" ".join(keys): "".join(  # sorted, as `joined_kinds` writes them
        f'<span class="kind">{kind_labels[key]}</span>' for key in keys)
        for size in range(1, len(known) + 1) for keys in combinations(known, size)}
    return case({"": _text(""), **{keys: _text(html) for keys, html in branches.items()}},
                value=func.coalesce(KIND_KEYS, "", type_=String), else_=general)


def html_entry(local: Text, source: str, kind_labels: Mapping[str, str],
               invisible: str, full_text: int) -> Text:
    """`bot.digests.html_export._entry` of one row. `kind_labels` are escaped already."""
    link = MESSAGES.c.permalink
    web = _glob(link, "[hH][tT][tT][pP]://*") | _glob(link, "[hH][tT][tT][pP][sS]://*")
    anchor = case((web, _printf(' <a href="%s" rel="noopener">%s</a>',
                                _escaped(link, _ATTRIBUTE_ESCAPES), source)), else_=_text(""))
    labels = _kind_labels(kind_labels)
    # Only a text with markup or invisible characters pays for replacements (on its first
    # `full_text` characters, as Python slices). Typographic quotes, dashes and many emoji
    # share the invisible characters' first byte: such a text looks for each invisible
    # character exactly (a scan each) before paying for their removal (a copy each).
    text = MESSAGES.c.text
    shown = func.substr(text, 1, full_text, type_=String)
    invisible_in_text = _may_hold_any(text, invisible) & _holds_any(text, invisible)
    body = case((invisible_in_text,
                 _replaced(_replaced(shown, dict.fromkeys(invisible, "")), _TEXT_ESCAPES)),
                (_may_hold_any(text, "".join(_TEXT_ESCAPES)), _replaced(shown, _TEXT_ESCAPES)),
                else_=shown)
    return _printf('<li><span class="who">%s · %s · %s%s</span>%s<div class="text">%s</div>'
                   "</li>", _escaped(AUTHOR, _TEXT_ESCAPES), _escaped(CHANNEL, _TEXT_ESCAPES),
                   local, anchor, labels, body)
