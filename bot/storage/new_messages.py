"""Storing bursts of new messages with their hashtag tags: the ingest hot path.

One multi-row statement per table and no look-up first: the insert itself skips keys already
taken (a redelivery, or a deleted message's tombstone) and returns the keys it wrote. Rows are
plain tuples, built by the caller before its write is queued (`prepare`), so that the one
writer's transaction, which every burst waits for in turn, only binds them; on SQLite they go
straight to the driver (see `bulk_sqlite`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.messages import IncomingMessage
from bot.storage import bulk_sqlite, consent
from bot.storage.author_groups import groups_of
from bot.storage.member_values import member_values
from bot.storage.records import SaveOutcome
from bot.storage.sql import (
    insert_ignoring_duplicates,
    insert_or_add_sources,
    joined_kinds,
    storable_text,
)
from bot.storage.tables import KINDS, MEMBER_LANGUAGES, MESSAGES, TAGS
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

Row = tuple[object, ...]


class NewMessage(NamedTuple):
    """One message's rows, built before its write joins the queue (`prepare`): the writer's
    transaction then only binds them. A tuple: one is made per message of every burst."""

    row: Row  # MESSAGE_COLUMNS
    tags: list[Row]  # TAG_COLUMNS, written only if the message is new
    kinds: list[Row]  # KIND_COLUMNS, likewise
    at: datetime
    # Claim the sender's consent notice (`bot.storage.consent`) if this is their first; the
    # members this process already found claimed are skipped.
    notice: consent.Seen | None = None


def prepare(burst: Sequence[tuple[IncomingMessage, TagSet]], at: datetime, dialect: str,
            notice: consent.Seen | None = None) -> list[NewMessage]:
    """The rows of each message of `burst` with its hashtag tags, stamped for `dialect`."""
    stamp = bulk_sqlite.sqlite_datetime if dialect == "sqlite" else _as_is
    tagged_at = stamp(at)
    make = tuple.__new__  # NewMessage's own __new__ is Python, this loop runs per message
    prepared = []
    for msg, tags in burst:
        where, sender = msg.where, msg.sender_id
        key = (where.platform, where.id, msg.message_id)
        posted_at = stamp(msg.sent_at)
        row = (*key, _storable(where.name), where.thread_id, sender,
               _storable(msg.sender_name), storable_text(msg.text), msg.permalink,
               joined_kinds(tags.kinds) if tags.kinds else None, posted_at)
        # The author's group, last, is read in the write's transaction (`save_messages`).
        tag_rows = [(*key, issue, _HASHTAG, sender, posted_at, sender, tagged_at, None)
                    for issue in tags.issues] if tags.issues else []
        kind_rows = [(*key, kind, _HASHTAG) for kind in tags.kinds] if tags.kinds else []
        prepared.append(make(NewMessage, (row, tag_rows, kind_rows, at, notice)))
    return prepared


async def save_messages(conn: AsyncConnection, items: Sequence[NewMessage]) -> list[SaveOutcome]:
    """Outcomes in the order of `items`; the same message twice in a burst is NEW once."""
    inserted = set(await _insert(conn, MESSAGES, MESSAGE_COLUMNS, [item.row for item in items],
                                 "ON CONFLICT DO NOTHING", returning=KEY))
    outcomes: list[SaveOutcome] = []
    tag_rows: list[Row] = []
    kind_rows: list[Row] = []
    # Read in this transaction (see `author_groups`): a tag takes its author's group.
    groups = await groups_of(conn, {_member(item) for item in items if item.tags})
    for item in items:
        key = item.row[:3]
        if key not in inserted:
            outcomes.append(SaveOutcome.REPEAT)
            continue
        inserted.discard(key)
        outcomes.append(SaveOutcome.NEW)
        group = groups.get(_member(item)) if groups else None
        tag_rows += item.tags if group is None else [(*tag[:-1], group) for tag in item.tags]
        kind_rows += item.kinds
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
    senders = seen.unseen({_member(item) for item, outcome in zip(items, outcomes, strict=True)
                           if item.notice is not None and outcome is SaveOutcome.NEW}, at)
    if not senders:
        return
    due = await consent.claim(conn, senders, at)
    seen.remember(senders, at)
    if due:
        seen.note_chosen(due, await member_values(conn, MEMBER_LANGUAGES, "locale", due))
    for index, item in enumerate(items):
        member = _member(item)
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


def _member(item: NewMessage) -> tuple[str, str]:
    """(platform, sender) of the message's row (MESSAGE_COLUMNS)."""
    platform, sender_id = item.row[0], item.row[5]
    assert isinstance(platform, str) and isinstance(sender_id, str)
    return platform, sender_id


def _storable(text: str | None) -> str | None:
    return storable_text(text) if text is not None else None


def _as_is(moment: datetime) -> object:
    return moment
