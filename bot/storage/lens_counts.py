"""The inclusion lens's counts: one scan of the tags' covering index, added up here.

Each tag carries its author, its message's language and its author's group (`TagRow`), so
every dimension comes from the inputs per (issue, platform, sender, language, group): a
value's inputs are its rows' sum, its contributors the distinct senders among them.

SQLite would sort every tag to `GROUP BY` those five columns (100,000 inputs: 97 ms of CPU).
In index order it groups by issue alone without a sort, so each issue's tags come back as
one string, a record per tag, which a `Counter` adds up (62 ms). Records are split on
control characters no id, language or group has; should one ever carry them, the record
count tells, and the `GROUP BY` answers instead."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, exists, func, literal, not_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.lens_values import UNDECLARED, UNDETERMINED, Dimension, LensCount
from bot.messages import MessageRef
from bot.storage.models_digests import HIDDEN
from bot.storage.sql import message_key_in, same_message
from bot.storage.tables import TAGS

# One row of inputs: (issue, platform, sender id, language, group, inputs), with the lens's
# values for none: `UNDETERMINED`, `UNDECLARED`.
Row = tuple[int, str, str, str, str, int]

_FIELD, _RECORD = "\x1f", "\x1d"  # ASCII's unit and group separators
_BOUNDED = 500  # bounded IN lists on every backend
_LANGUAGE = func.coalesce(TAGS.c.language, UNDETERMINED)
_GROUP = func.coalesce(TAGS.c.group_key, UNDECLARED)
_PER_SENDER = (TAGS.c.issue, TAGS.c.platform, TAGS.c.sender_id, _LANGUAGE, _GROUP)


def _chosen(query: Select[Any], issues: Sequence[int]) -> Select[Any]:
    return query.where(TAGS.c.issue.in_(issues)) if issues else query


def _records(dialect: str) -> Any:
    field = literal(_FIELD)
    record = (TAGS.c.platform + field + TAGS.c.sender_id + field + _LANGUAGE + field + _GROUP)
    return (func.string_agg(record, _RECORD) if dialect == "postgresql"
            else func.group_concat(record, _RECORD))


async def _grouped(conn: AsyncConnection, query: Select[Any]) -> list[Row]:
    return [tuple(row) for row in await conn.execute(
        query.add_columns(func.count()).group_by(*_PER_SENDER))]


async def _per_issue(conn: AsyncConnection, issues: Sequence[int]) -> list[Row] | None:
    """The scan grouped by issue alone; None when a record does not read back as one."""
    query = _chosen(select(TAGS.c.issue, func.count(), _records(conn.dialect.name))
                    .group_by(TAGS.c.issue), issues)
    rows: list[Row] = []
    for issue, inputs, records in await conn.execute(query):
        counted = Counter(records.split(_RECORD))
        if counted.total() != inputs:
            return None
        for record, count in counted.items():
            fields = record.split(_FIELD)
            if len(fields) != 4:
                return None
            rows.append((issue, *fields, count))
    return rows


async def _hidden_tags(conn: AsyncConnection, query: Select[Any]) -> list[Any]:
    """`query`'s rows over the hidden inputs' tags alone: their keys first (few, often none),
    then their tags by primary key. A join would let the planner walk every tag instead."""
    keys = [MessageRef(*row) for row in await conn.execute(
        select(HIDDEN.c.platform, HIDDEN.c.conversation_id, HIDDEN.c.message_id))]
    found: list[Any] = []
    for start in range(0, len(keys), _BOUNDED):
        found += await conn.execute(query.where(message_key_in(TAGS, keys[start:start + _BOUNDED])))
    return found


async def per_sender(conn: AsyncConnection, issues: Sequence[int]) -> list[Row]:
    """Visible inputs per (issue, platform, sender, language, group). Hidden inputs are few:
    counted apart and taken off, so the scan never probes per tag."""
    rows = await _per_issue(conn, issues)
    if rows is None:
        rows = await _grouped(conn, _chosen(select(*_PER_SENDER), issues))
    hidden = await _hidden_tags(conn, _chosen(select(*_PER_SENDER), issues))
    if not hidden:
        return rows
    taken = Counter(tuple(row) for row in hidden)
    left: list[Row] = [(*row[:5], row[5] - taken[row[:5]]) for row in rows]
    return [row for row in left if row[5] > 0]


async def spoken(conn: AsyncConnection, issues: Sequence[int]) -> list[tuple[int, str, str]]:
    """Each (issue, group, language) some visible input has: a scan that keeps the few
    distinct ones (12 ms of CPU for 100,000 inputs, no sort), for the gaps alone. A hidden
    input's are dropped unless a visible input has them too (a look-up each: few)."""
    combination = (TAGS.c.issue, _GROUP, _LANGUAGE)
    found = [tuple(row) for row in await conn.execute(
        _chosen(select(*combination).distinct(), issues))]
    gone = set()
    for issue, group, language in set(await _hidden_tags(conn, _chosen(select(*combination),
                                                                       issues))):
        visible = await conn.execute(
            select(TAGS.c.issue).where(TAGS.c.issue == issue, _GROUP == group,
                                       _LANGUAGE == language,
                                       not_(exists().where(same_message(HIDDEN, TAGS))))
            .limit(1))
        if visible.first() is None:
            gone.add((issue, group, language))
    return [row for row in found if row not in gone]


async def newest(conn: AsyncConnection, issues: Iterable[int]) -> dict[int, datetime]:
    """Each issue's newest visible input: a backward walk of its index range from its end,
    stopping at the first one not hidden."""
    query = (select(TAGS.c.posted_at)
             .where(TAGS.c.issue == bindparam("issue"),
                    not_(exists().where(same_message(HIDDEN, TAGS))))
             .order_by(TAGS.c.posted_at.desc()).limit(1))
    found = {}
    for issue in issues:
        at = (await conn.execute(query, {"issue": issue})).scalar_one_or_none()
        if at is not None:
            found[issue] = at
    return found


def lens_counts(rows: Iterable[Row]) -> list[LensCount]:
    """Inputs and distinct contributors (by sender id, as `count(DISTINCT sender_id)`) per
    issue and value of each dimension; in dimension order, then issue, then value (code
    points, as SQLite sorts text)."""
    inputs: list[dict[tuple[int, str], int]] = [defaultdict(int) for _ in Dimension]
    people: list[set[tuple[int, str, str]]] = [set() for _ in Dimension]
    by_group, by_language, by_platform = inputs
    group_people, language_people, platform_people = people
    for issue, platform, sender, language, group, count in rows:
        by_group[issue, group] += count
        by_language[issue, language] += count
        by_platform[issue, platform] += count
        group_people.add((issue, group, sender))
        language_people.add((issue, language, sender))
        platform_people.add((issue, platform, sender))
    found = []
    for dimension, counted, seen in zip(Dimension, inputs, people, strict=True):
        contributors = Counter((issue, value) for issue, value, _ in seen)
        found += [LensCount(issue, dimension, value, counted[issue, value],
                            contributors[issue, value]) for issue, value in sorted(counted)]
    return found
