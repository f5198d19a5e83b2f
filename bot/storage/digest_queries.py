"""Digest reads: figures by SQL aggregation over indexed columns, entries newest first."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, literal, not_, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.digests.model import DigestEntry, DigestFilters, IssueFigures, WeekCount
from bot.messages import MessageRef
from bot.storage import read_sqlite
from bot.storage.models_digests import HIDDEN
from bot.storage.tables import KINDS, MESSAGES, TAGS
from bot.tags import COMMENT

_STREAM_BATCH = 4000


def _needs_messages(filters: DigestFilters) -> bool:
    return filters.channel is not None or filters.author is not None


def _same_message(table: Any) -> ColumnElement[bool]:
    return and_(table.c.platform == TAGS.c.platform,
                table.c.conversation_id == TAGS.c.conversation_id,
                table.c.message_id == TAGS.c.message_id)


def _conditions(filters: DigestFilters, exclude_hidden: bool = True
                ) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if exclude_hidden:  # hidden inputs are few: a primary-key probe per tag
        conditions.append(not_(exists().where(_same_message(HIDDEN))))
    if filters.issues:
        conditions.append(TAGS.c.issue.in_(filters.issues))
    if filters.since is not None:
        conditions.append(TAGS.c.posted_at >= filters.since)
    if filters.until is not None:
        conditions.append(TAGS.c.posted_at < filters.until)
    if filters.tagged_since is not None:
        conditions.append(TAGS.c.tagged_at > filters.tagged_since)
    if filters.tagged_until is not None:
        conditions.append(TAGS.c.tagged_at <= filters.tagged_until)
    if filters.channel is not None:
        name = filters.channel.lstrip("#")
        conditions.append(or_(MESSAGES.c.conversation_id == name,
                              func.lower(MESSAGES.c.conversation_name) == name.lower()))
    if filters.author is not None:
        who = filters.author.lstrip("@")
        conditions.append(or_(MESSAGES.c.sender_id == who, MESSAGES.c.sender_id == "@" + who,
                              func.lower(MESSAGES.c.sender_name) == who.lower()))
    if filters.kinds:
        named = [k for k in filters.kinds if k != COMMENT]
        wanted: list[ColumnElement[bool]] = []
        if named:
            wanted.append(exists().where(_same_message(KINDS), KINDS.c.kind.in_(named)))
        if COMMENT in filters.kinds:
            wanted.append(not_(exists().where(_same_message(KINDS))))
        conditions.append(or_(*wanted))
    return conditions


def _joined(query: Select[Any], filters: DigestFilters, force: bool = False) -> Select[Any]:
    if not (force or _needs_messages(filters)):
        return query
    return query.join(MESSAGES, _same_message(MESSAGES))


async def figures(conn: AsyncConnection, filters: DigestFilters,
                  new_since: datetime | None = None) -> list[IssueFigures]:
    """Inputs, contributors, channels and inputs tagged since `new_since`, per issue."""
    fresh: Any = (func.sum(case((TAGS.c.tagged_at > new_since, 1), else_=0))
                  if new_since is not None else literal(0))
    query = select(TAGS.c.issue, func.count(), func.count(TAGS.c.sender_id.distinct()),
                   func.count(TAGS.c.conversation_id.distinct()), fresh)
    query = _joined(query, filters).where(*_conditions(filters)).group_by(TAGS.c.issue)
    rows = await conn.execute(query)
    return [IssueFigures(issue, inputs, people, channels, int(new or 0))
            for issue, inputs, people, channels, new in rows]


async def weekly_counts(conn: AsyncConnection, filters: DigestFilters) -> list[WeekCount]:
    """Inputs per issue and week (weeks start on Monday, UTC), oldest week first."""
    if conn.dialect.name == "postgresql":
        week: Any = func.to_char(func.date_trunc("week", func.timezone("UTC", TAGS.c.posted_at)),
                                 "YYYY-MM-DD")
    else:  # SQLite keeps naive UTC text; step back to the Monday on or before the day
        week = func.date(TAGS.c.posted_at, "-6 days", "weekday 1")
    query = select(TAGS.c.issue, week.label("week"), func.count())
    query = (_joined(query, filters).where(*_conditions(filters))
             .group_by(TAGS.c.issue, week).order_by(week, TAGS.c.issue))
    return [WeekCount(issue, str(monday), count)
            for issue, monday, count in await conn.execute(query)]


def _kinds_of_message(dialect: str) -> Any:
    """A correlated sub-query: the message's kinds as one comma-separated string."""
    aggregate = (func.string_agg(KINDS.c.kind, ",") if dialect == "postgresql"
                 else func.group_concat(KINDS.c.kind, ","))
    return select(aggregate).where(_same_message(KINDS)).scalar_subquery()


_ENTRY_COLUMNS = (TAGS.c.issue, TAGS.c.platform, TAGS.c.conversation_id, TAGS.c.message_id,
                  MESSAGES.c.conversation_name, TAGS.c.sender_id, MESSAGES.c.sender_name,
                  MESSAGES.c.text, TAGS.c.posted_at, MESSAGES.c.permalink)
_NEWEST_FIRST = (TAGS.c.posted_at.desc(), TAGS.c.message_id.desc())


def _entries_query(dialect: str, filters: DigestFilters) -> Select[Any]:
    query = select(*_ENTRY_COLUMNS, _kinds_of_message(dialect).label("kinds"))
    return _joined(query, filters, force=True).where(*_conditions(filters))


def _entry(row: Any, kinds: tuple[str, ...] | None = None) -> DigestEntry:
    if kinds is None:
        kinds = tuple(sorted(row.kinds.split(","))) if row.kinds else ()
    return DigestEntry(row.issue, MessageRef(row.platform, row.conversation_id, row.message_id),
                       row.conversation_name, row.sender_id, row.sender_name, row.text, kinds,
                       row.posted_at, row.permalink)


async def latest_entries(conn: AsyncConnection, filters: DigestFilters, issue: int,
                         limit: int) -> list[DigestEntry]:
    """The newest `limit` entries of one issue (an index range scan, whatever the table size)."""
    query = (_entries_query(conn.dialect.name, filters).where(TAGS.c.issue == issue)
             .order_by(*_NEWEST_FIRST).limit(limit))
    return [_entry(row) for row in await conn.execute(query)]


async def _prefetched(batches: AsyncIterator[Sequence[Any]]) -> AsyncIterator[Sequence[Any]]:
    """Fetch the next batch while the caller works on this one: the database driver's thread
    reads on while the event loop formats, and only one batch waits in memory."""
    pending = asyncio.ensure_future(anext(batches, None))
    try:
        while (batch := await pending) is not None:
            pending = asyncio.ensure_future(anext(batches, None))
            yield batch
    finally:
        if not pending.done():
            pending.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pending


async def hidden_keys(conn: AsyncConnection) -> set[tuple[str, str, str]]:
    """The keys of hidden inputs: few, so that streams can drop them without a probe per row."""
    rows = await conn.execute(select(HIDDEN.c.platform, HIDDEN.c.conversation_id,
                                     HIDDEN.c.message_id))
    return {(platform, conversation, message) for platform, conversation, message in rows}


async def stream_issue(conn: AsyncConnection, filters: DigestFilters, issue: int
                       ) -> AsyncIterator[list[DigestEntry]]:
    """Every entry of one issue, newest first, in batches: a backward range scan of the
    (issue, posted_at) index, so no sort, and memory stays flat whatever the count."""
    hidden = await hidden_keys(conn)
    query = _issue_query(filters, issue, *_ENTRY_COLUMNS,
                         _kinds_of_message(conn.dialect.name).label("kinds"))
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:
        batches = read_sqlite.stream_rows(conn, query, _STREAM_BATCH)
    else:
        result = await conn.stream(query.execution_options(yield_per=_STREAM_BATCH))
        batches = result.partitions(_STREAM_BATCH)
    async for rows in _prefetched(batches):
        batch = []
        for (number, platform, conversation_id, message_id, conversation_name, sender_id,
             sender_name, text, posted_at, permalink, kinds) in rows:
            if hidden and (platform, conversation_id, message_id) in hidden:
                continue
            batch.append(DigestEntry(
                number, MessageRef(platform, conversation_id, message_id), conversation_name,
                sender_id, sender_name, text, tuple(sorted(kinds.split(","))) if kinds else (),
                read_sqlite.read_datetime(posted_at) if sqlite else posted_at, permalink))
        yield batch


def _issue_query(filters: DigestFilters, issue: int, *columns: Any) -> Select[Any]:
    """One issue's rows, newest first: a backward range scan of the (issue, posted_at) index."""
    return (select(*columns).join(MESSAGES, _same_message(MESSAGES))
            .where(TAGS.c.issue == issue, *_conditions(filters, exclude_hidden=False))
            .order_by(TAGS.c.posted_at.desc()))


async def stream_rendered(conn: AsyncConnection, filters: DigestFilters, issue: int,
                          rendered: ColumnElement[Any]) -> AsyncIterator[list[str]]:
    """Like `stream_issue`, but each row already rendered by SQLite (`render_sqlite`)."""
    hidden = await hidden_keys(conn)
    query = _issue_query(filters, issue, TAGS.c.platform, TAGS.c.conversation_id,
                         TAGS.c.message_id, rendered)
    async for rows in _prefetched(read_sqlite.stream_rows(conn, query, _STREAM_BATCH)):
        yield [text for platform, conversation_id, message_id, text in rows
               if not hidden or (platform, conversation_id, message_id) not in hidden]


async def posted_range(conn: AsyncConnection, filters: DigestFilters
                       ) -> tuple[datetime, datetime] | None:
    """The first and last posting times the export covers (for its local-time table)."""
    query = select(func.min(TAGS.c.posted_at), func.max(TAGS.c.posted_at))
    row = (await conn.execute(_joined(query, filters).where(*_conditions(filters)))).first()
    if row is None or row[0] is None:
        return None
    return row[0], row[1]
