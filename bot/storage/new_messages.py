"""Storing bursts of new messages with their hashtag tags: the ingest hot path.

One multi-row statement per table and no look-up first: the insert itself skips keys already
taken (a redelivery, or a deleted message's tombstone) and returns the keys it wrote. Rows are
plain tuples; on SQLite they go straight to the driver (see `bulk_sqlite`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.messages import IncomingMessage
from bot.storage import bulk_sqlite, consent
from bot.storage.author_groups import groups_of
from bot.storage.records import SaveOutcome
from bot.storage.sql import (
    insert_ignoring_duplicates,
    insert_or_add_sources,
    joined_kinds,
    storable_text,
)
from bot.storage.tables import KINDS, MESSAGES, TAGS
from bot.tags import TagSet, TagSource

KEY = ("platform", "conversation_id", "message_id")
MESSAGE_COLUMNS = (*KEY, "conversation_name", "thread_id", "sender_id", "sender_name", "text",
                   "permalink", "kinds", "posted_at")
TAG_COLUMNS = (*KEY, "issue", "sources", "sender_id", "posted_at", "tagged_by", "tagged_at",
               "group_key")  # a new message's language is not known yet: NULL
KIND_COLUMNS = (*KEY, "kind", "sources")
_HASHTAG = int(TagSource.HASHTAG)
# A fresh message has no tags yet, but another replica may have added some: keep every bit.
_ADD_SOURCES = "ON CONFLICT DO UPDATE SET sources = {table}.sources | excluded.sources"

Stamp = Callable[[datetime], object]


@dataclass(frozen=True, slots=True)
class NewMessage:
    msg: IncomingMessage
    tags: TagSet
    at: datetime
    # Claim the sender's consent notice (`bot.storage.consent`) if this is their first; the
    # members this process already found claimed are skipped.
    notice: consent.Seen | None = None


async def save_messages(conn: AsyncConnection, items: Sequence[NewMessage]) -> list[SaveOutcome]:
    """Outcomes in the order of `items`; the same message twice in a burst is NEW once."""
    stamp = _sqlite_stamp() if conn.dialect.name == "sqlite" else _as_is
    rows = []
    for item in items:
        msg, where = item.msg, item.msg.where
        rows.append((where.platform, where.id, msg.message_id, _storable(where.name),
                     where.thread_id, msg.sender_id, _storable(msg.sender_name),
                     storable_text(msg.text), msg.permalink, joined_kinds(item.tags.kinds),
                     stamp(msg.sent_at)))
    # Keys as plain tuples: this loop runs once per message of every burst.
    inserted = set(await _insert(conn, MESSAGES, MESSAGE_COLUMNS, rows,
                                 "ON CONFLICT DO NOTHING", returning=KEY))
    outcomes: list[SaveOutcome] = []
    tag_rows: list[tuple[object, ...]] = []
    kind_rows: list[tuple[object, ...]] = []
    groups = await groups_of(conn, {(item.msg.where.platform, item.msg.sender_id)
                                    for item in items if item.tags.issues})
    for item, row in zip(items, rows, strict=True):
        key = row[:3]
        if key not in inserted:
            outcomes.append(SaveOutcome.REPEAT)
            continue
        inserted.discard(key)
        outcomes.append(SaveOutcome.NEW)
        sender, posted_at, tagged_at = item.msg.sender_id, row[-1], stamp(item.at)
        group = groups.get((key[0], sender)) if groups else None
        tag_rows += [(*key, issue, _HASHTAG, sender, posted_at, sender, tagged_at, group)
                     for issue in item.tags.issues]
        kind_rows += [(*key, kind, _HASHTAG) for kind in item.tags.kinds]
    await _insert(conn, TAGS, TAG_COLUMNS, tag_rows, _ADD_SOURCES.format(table="tags"))
    await _insert(conn, KINDS, KIND_COLUMNS, kind_rows,
                  _ADD_SOURCES.format(table="message_kinds"))
    seen = next((item.notice for item in items if item.notice is not None), None)
    if seen is not None:
        await _claim_notices(conn, items, outcomes, seen)
    return outcomes


async def _claim_notices(conn: AsyncConnection, items: Sequence[NewMessage],
                         outcomes: list[SaveOutcome], seen: consent.Seen) -> None:
    """Mark the first stored message of each member whose notice is now due `NEW_MEMBER`."""
    at = max(item.at for item in items)
    senders = seen.unseen({(item.msg.where.platform, item.msg.sender_id)
                           for item, outcome in zip(items, outcomes, strict=True)
                           if item.notice is not None and outcome is SaveOutcome.NEW}, at)
    if not senders:
        return
    due = await consent.claim(conn, senders, at)
    seen.remember(senders, at)
    for index, item in enumerate(items):
        member = (item.msg.where.platform, item.msg.sender_id)
        if member in due and outcomes[index] is SaveOutcome.NEW:
            outcomes[index] = SaveOutcome.NEW_MEMBER
            due.discard(member)


async def _insert(conn: AsyncConnection, table: Table, columns: Sequence[str],
                  rows: Sequence[tuple[object, ...]], on_conflict: str,
                  returning: Sequence[str] = ()) -> list[tuple[object, ...]]:
    if not rows:
        return []
    if conn.dialect.name == "sqlite":
        return await bulk_sqlite.insert_values(conn, table, columns, rows,
                                               on_conflict=on_conflict, returning=returning)
    dialect = conn.dialect.name
    if table is MESSAGES:
        statement = insert_ignoring_duplicates(dialect, table)
    else:
        statement = insert_or_add_sources(dialect, table, columns[:4])
    if returning:
        statement = statement.returning(*(table.c[column] for column in returning))
    result = await conn.execute(statement, [dict(zip(columns, row, strict=True))
                                            for row in rows])
    return [tuple(row) for row in result] if returning else []


def _storable(text: str | None) -> str | None:
    return storable_text(text) if text is not None else None


def _as_is(moment: datetime) -> object:
    return moment


def _sqlite_stamp() -> Stamp:
    """SQLite's text for an instant, computed once per distinct instant of a burst."""
    texts: dict[datetime, object] = {}

    def stamp(moment: datetime) -> object:
        text = texts.get(moment)
        if text is None:
            text = texts[moment] = bulk_sqlite.sqlite_datetime(moment)
        return text
    return stamp
