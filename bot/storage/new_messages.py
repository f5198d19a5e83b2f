"""Storing bursts of new messages with their hashtag tags: the ingest hot path.

One multi-row statement per table and no look-up first: the insert itself skips keys already
taken (a redelivery, or a deleted message's tombstone) and tells which it wrote. Rows are
plain tuples, built by the caller before its write is queued (`prepare`), so that the one
writer's transaction, which every burst waits for in turn, only binds them. On SQLite the
whole transaction runs on the driver's thread in one hand-off (`write_burst`), while the
event loop parses the next burst; elsewhere `save_messages` runs the same steps.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.messages import IncomingMessage
from bot.storage import bulk_sqlite, consent
from bot.storage.author_groups import groups_of
from bot.storage.member_values import member_values, sqlite_member_values
from bot.storage.models_inclusion import MEMBER_GROUPS
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


class Written(NamedTuple):
    """What a burst's write found, on the driver's thread (`write_burst`)."""

    outcomes: list[SaveOutcome]
    claimed: set[consent.Member]  # the members whose notice was claimed for (`Seen.remember`)
    due: set[consent.Member]  # of those, the members whose notice is now due
    chosen: dict[consent.Member, str]  # their chosen languages


async def save_messages(conn: AsyncConnection, items: Sequence[NewMessage],
                        unseen: set[consent.Member] | None = None) -> Written:
    """Outcomes in the order of `items` (the same message twice in a burst is NEW once), and
    the consent notices claimed for the `unseen` authors (`unseen_authors`) whose message is
    new; `note_written` then notes them. On SQLite, `write_burst` does the same in one trip
    to the driver's thread."""
    inserted = set(await _insert(conn, MESSAGES, MESSAGE_COLUMNS, [item.row for item in items],
                                 "ON CONFLICT DO NOTHING", returning=KEY))
    # Read in this transaction (see `author_groups`): a tag takes its author's group.
    groups = await groups_of(conn, _tagging_authors(items))
    outcomes, tag_rows, kind_rows = _sorted_out(items, inserted, groups)
    await _insert(conn, TAGS, TAG_COLUMNS, tag_rows, _ADD_SOURCES.format(table="tags"))
    await _insert(conn, KINDS, KIND_COLUMNS, kind_rows,
                  _ADD_SOURCES.format(table="message_kinds"))
    claimed = _claimable(items, outcomes, unseen or set())
    due = await consent.claim(conn, claimed, _latest(items)) if claimed else set()
    chosen = await member_values(conn, MEMBER_LANGUAGES, "locale", due)
    return Written(outcomes, claimed, due, chosen)


def unseen_authors(items: Sequence[NewMessage]) -> set[consent.Member]:
    """The authors of `items` whose consent notice `write_burst` is to claim if their message
    is new: read on the event loop's thread, which alone touches `consent.Seen`."""
    seen = _seen(items)
    return seen.unseen(_noticed(items), _latest(items)) if seen is not None else set()


def write_burst(connection: sqlite3.Connection, items: Sequence[NewMessage],
                unseen: set[consent.Member]) -> Written:
    """`save_messages` on SQLite, run whole on the driver's thread in the caller's transaction.
    Each statement here is one step of SQLite's: rows read back one by one would each take the
    interpreter's lock again, and while the event loop holds it each take waits for its switch
    interval. So the new messages are told by their row ids, not by `RETURNING` them."""
    inserted = _inserted_keys(connection, items)
    groups = sqlite_member_values(connection, table=MEMBER_GROUPS, column="group_key",
                                  members=_tagging_authors(items))
    outcomes, tag_rows, kind_rows = _sorted_out(items, inserted, groups)
    for table, columns, rows in ((TAGS, TAG_COLUMNS, tag_rows), (KINDS, KIND_COLUMNS, kind_rows)):
        bulk_sqlite.insert_rows(connection, table=table, columns=columns, rows=rows,
                                on_conflict=_ADD_SOURCES.format(table=table.name))
    claimed = _claimable(items, outcomes, unseen)
    due = consent.claim_sqlite(connection, members=claimed, at=_latest(items)) if claimed \
        else set()
    chosen = sqlite_member_values(connection, table=MEMBER_LANGUAGES, column="locale",
                                  members=due) if due else {}
    return Written(outcomes, claimed, due, chosen)


def note_written(items: Sequence[NewMessage], written: Written) -> list[SaveOutcome]:
    """Back on the event loop's thread after the write: the claims noted in `Seen`."""
    if written.claimed:
        _note_claims(items, written)
    return written.outcomes


def _inserted_keys(connection: sqlite3.Connection, items: Sequence[NewMessage]
                   ) -> set[tuple[object, ...]]:
    """Insert the messages, skipping keys already taken; the keys written. Every key is new
    unless fewer rows were written than there are keys. Then the new ones are the last rows
    written: SQLite gives each new row the table's largest row id plus one, and this is the
    one writer."""
    keys = {item.row[:3] for item in items}
    before = connection.total_changes
    bulk_sqlite.insert_rows(connection, table=MESSAGES, columns=MESSAGE_COLUMNS,
                            rows=[item.row for item in items], on_conflict="ON CONFLICT DO NOTHING")
    written = connection.total_changes - before
    if written == len(keys):
        return keys
    if not written:
        return set()
    return set(connection.execute(
        f"SELECT {', '.join(KEY)} FROM messages WHERE rowid > last_insert_rowid() - ?",
        (written,)).fetchall())


def _sorted_out(items: Sequence[NewMessage], inserted: set[tuple[object, ...]],
                groups: dict[tuple[str, str], str]
                ) -> tuple[list[SaveOutcome], list[Row], list[Row]]:
    """Each item's outcome, and the tag and kind rows of the new ones (with their author's
    group); `inserted` is emptied."""
    outcomes: list[SaveOutcome] = []
    tag_rows: list[Row] = []
    kind_rows: list[Row] = []
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
    return outcomes, tag_rows, kind_rows


def _seen(items: Sequence[NewMessage]) -> consent.Seen | None:
    return next((item.notice for item in items if item.notice is not None), None)


def _noticed(items: Sequence[NewMessage]) -> set[consent.Member]:
    return {_member(item) for item in items if item.notice is not None}


def _latest(items: Sequence[NewMessage]) -> datetime:
    return max(item.at for item in items)


def _tagging_authors(items: Sequence[NewMessage]) -> set[consent.Member]:
    return {_member(item) for item in items if item.tags}


def _claimable(items: Sequence[NewMessage], outcomes: Sequence[SaveOutcome],
               unseen: set[consent.Member]) -> set[consent.Member]:
    """The authors among `unseen` whose message here is new: their notice is to be claimed."""
    if not unseen:
        return set()
    return {member for item, outcome in zip(items, outcomes, strict=True)
            if outcome is SaveOutcome.NEW and (member := _member(item)) in unseen}


def _note_claims(items: Sequence[NewMessage], written: Written) -> None:
    """Remember the claimed members, note the chosen languages of those due, and mark the
    first new message of each of these `NEW_MEMBER`."""
    seen = _seen(items)
    assert seen is not None
    at = _latest(items)
    seen.remember(written.claimed, at)
    due = set(written.due)
    if due:
        seen.note_chosen(due, written.chosen)
    outcomes = written.outcomes
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
