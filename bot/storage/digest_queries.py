"""Digest reads: figures by SQL aggregation over indexed columns, entries newest first."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, not_, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.digests.model import DigestEntry, DigestFilters, IssueFigures
from bot.messages import MessageRef
from bot.storage.tables import KINDS, MESSAGES, TAGS
from bot.tags import COMMENT


def _needs_messages(filters: DigestFilters) -> bool:
    return filters.channel is not None or filters.author is not None


def _conditions(filters: DigestFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.issues:
        conditions.append(TAGS.c.issue.in_(filters.issues))
    if filters.since is not None:
        conditions.append(TAGS.c.posted_at >= filters.since)
    if filters.until is not None:
        conditions.append(TAGS.c.posted_at < filters.until)
    if filters.channel is not None:
        name = filters.channel.lstrip("#")
        conditions.append(or_(MESSAGES.c.conversation_id == name,
                              func.lower(MESSAGES.c.conversation_name) == name.lower()))
    if filters.author is not None:
        who = filters.author.lstrip("@")
        conditions.append(or_(MESSAGES.c.sender_id == who, MESSAGES.c.sender_id == "@" + who,
                              func.lower(MESSAGES.c.sender_name) == who.lower()))
    if filters.kinds:
        same_message = and_(KINDS.c.platform == TAGS.c.platform,
                            KINDS.c.conversation_id == TAGS.c.conversation_id,
                            KINDS.c.message_id == TAGS.c.message_id)
        named = [k for k in filters.kinds if k != COMMENT]
        wanted: list[ColumnElement[bool]] = []
        if named:
            wanted.append(exists().where(same_message, KINDS.c.kind.in_(named)))
        if COMMENT in filters.kinds:
            wanted.append(not_(exists().where(same_message)))
        conditions.append(or_(*wanted))
    return conditions


def _joined(query: Select[Any], filters: DigestFilters, force: bool = False) -> Select[Any]:
    if not (force or _needs_messages(filters)):
        return query
    return query.join(MESSAGES, and_(MESSAGES.c.platform == TAGS.c.platform,
                                      MESSAGES.c.conversation_id == TAGS.c.conversation_id,
                                      MESSAGES.c.message_id == TAGS.c.message_id))


async def figures(conn: AsyncConnection, filters: DigestFilters) -> list[IssueFigures]:
    query = select(TAGS.c.issue, func.count(), func.count(TAGS.c.sender_id.distinct()))
    query = _joined(query, filters).where(*_conditions(filters)).group_by(TAGS.c.issue)
    rows = await conn.execute(query)
    return [IssueFigures(issue, inputs, contributors) for issue, inputs, contributors in rows]


def _kinds_of_message(dialect: str) -> Any:
    """A correlated sub-query: the message's kinds as one comma-separated string."""
    aggregate = (func.string_agg(KINDS.c.kind, ",") if dialect == "postgresql"
                 else func.group_concat(KINDS.c.kind, ","))
    return (select(aggregate).where(KINDS.c.platform == TAGS.c.platform,
                                    KINDS.c.conversation_id == TAGS.c.conversation_id,
                                    KINDS.c.message_id == TAGS.c.message_id)
            .scalar_subquery())


def _entries_query(dialect: str, filters: DigestFilters) -> Select[Any]:
    query = select(TAGS.c.issue, TAGS.c.platform, TAGS.c.conversation_id, TAGS.c.message_id,
                   MESSAGES.c.conversation_name, TAGS.c.sender_id, MESSAGES.c.sender_name,
                   MESSAGES.c.text, _kinds_of_message(dialect).label("kinds"), TAGS.c.posted_at,
                   MESSAGES.c.permalink)
    return _joined(query, filters, force=True).where(*_conditions(filters))


def _entry(row: Any) -> DigestEntry:
    kinds = tuple(sorted(row.kinds.split(","))) if row.kinds else ()
    return DigestEntry(row.issue, MessageRef(row.platform, row.conversation_id, row.message_id),
                       row.conversation_name, row.sender_id, row.sender_name, row.text, kinds,
                       row.posted_at, row.permalink)


async def latest_entries(conn: AsyncConnection, filters: DigestFilters, issue: int,
                         limit: int) -> list[DigestEntry]:
    """The newest `limit` entries of one issue (an index range scan, whatever the table size)."""
    query = (_entries_query(conn.dialect.name, filters).where(TAGS.c.issue == issue)
             .order_by(TAGS.c.posted_at.desc(), TAGS.c.message_id.desc()).limit(limit))
    return [_entry(row) for row in await conn.execute(query)]


async def stream_entries(conn: AsyncConnection, filters: DigestFilters
                         ) -> AsyncIterator[DigestEntry]:
    """Every entry, by issue then newest first, streamed so memory stays flat."""
    query = (_entries_query(conn.dialect.name, filters)
             .order_by(TAGS.c.issue, TAGS.c.posted_at.desc(), TAGS.c.message_id.desc())
             .execution_options(yield_per=1000))
    result = await conn.stream(query)
    async for row in result:
        yield _entry(row)
