"""The write operations on messages and their tags; each runs inside a group-commit batch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table, delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.messages import MessageRef
from bot.storage.author_groups import groups_of
from bot.storage.records import TagChange
from bot.storage.sql import (
    insert_ignoring_duplicates,
    insert_or_add_sources,
    is_message,
    joined_kinds,
    key_columns,
    message_key_in,
    storable_text,
)
from bot.storage.tables import AUDIT, KINDS, MESSAGES, REACTIONS, TAGS
from bot.tags import TagSet, TagSource

TAG_KEY = ("platform", "conversation_id", "message_id", "issue")
KIND_KEY = ("platform", "conversation_id", "message_id", "kind")


async def _existing(conn: AsyncConnection, refs: list[MessageRef]) -> set[MessageRef]:
    """The refs stored and not deleted, their rows locked (see `_facts`), in key order so
    that two deletions of overlapping sets wait for each other instead of deadlocking."""
    key = (MESSAGES.c.platform, MESSAGES.c.conversation_id, MESSAGES.c.message_id)
    rows = await conn.execute(
        select(*key).where(message_key_in(MESSAGES, refs), MESSAGES.c.deleted_at.is_(None))
        .order_by(*key).with_for_update(key_share=True))
    return {MessageRef(*row) for row in rows}


def _tag_row(msg: _MessageFacts, issue: int, source: TagSource, by: str, at: datetime,
             group: str | None) -> dict[str, object]:
    return {**key_columns(msg.ref), "issue": issue, "sources": int(source),
            "sender_id": msg.sender_id, "posted_at": msg.sent_at, "tagged_by": by,
            "tagged_at": at, "language": msg.language, "group_key": group}


@dataclass(frozen=True, slots=True)
class _MessageFacts:
    ref: MessageRef
    sender_id: str
    sent_at: datetime
    edited_at: datetime | None
    language: str | None


async def _facts(conn: AsyncConnection, ref: MessageRef) -> _MessageFacts | None:
    """The stored message, its row locked till commit on PostgreSQL: replicas changing the
    same message's tags (or deleting it) take turns, so `messages.kinds` is written from what
    each saw. Every writer of a message locks it first, before its tags, so none waits on
    another in the opposite order. `FOR NO KEY UPDATE`: inserting a tag only takes a key
    share of its message, which must not wait on this."""
    row = (await conn.execute(
        select(MESSAGES.c.sender_id, MESSAGES.c.posted_at, MESSAGES.c.edited_at,
               MESSAGES.c.language)
        .where(is_message(MESSAGES, ref), MESSAGES.c.deleted_at.is_(None))
        .with_for_update(key_share=True)
    )).first()
    if row is None:
        return None
    return _MessageFacts(ref, row.sender_id, row.posted_at, row.edited_at, row.language)


async def _current(conn: AsyncConnection, ref: MessageRef) -> tuple[dict[int, int], dict[str, int]]:
    issues = {row.issue: row.sources for row in await conn.execute(
        select(TAGS.c.issue, TAGS.c.sources).where(is_message(TAGS, ref)))}
    kinds = {row.kind: row.sources for row in await conn.execute(
        select(KINDS.c.kind, KINDS.c.sources).where(is_message(KINDS, ref)))}
    return issues, kinds


async def add_tags(conn: AsyncConnection, ref: MessageRef, tags: TagSet, source: TagSource,
                   by: str, at: datetime) -> TagChange | None:
    """Tag a stored message; None when the message is not stored. A message is one kind of
    input: a kind given now replaces the one before, however that was given, so that a digest
    lists the message once per issue."""
    facts = await _facts(conn, ref)
    if facts is None:
        return None
    if len(tags.kinds) > 1:
        raise ValueError(f"one kind per message, not {tags.kinds}")
    issues, kinds = await _current(conn, ref)
    replaced = tuple(k for k in kinds if tags.kinds and k not in tags.kinds)
    if replaced:
        await conn.execute(delete(KINDS).where(is_message(KINDS, ref), KINDS.c.kind.in_(replaced)))
    dialect = conn.dialect.name
    if tags.issues:
        author = (ref.platform, facts.sender_id)
        group = (await groups_of(conn, [author])).get(author)
        await conn.execute(insert_or_add_sources(dialect, TAGS, TAG_KEY),
                           [_tag_row(facts, issue, source, by, at, group)
                            for issue in tags.issues])
    if tags.kinds:
        await conn.execute(insert_or_add_sources(dialect, KINDS, KIND_KEY),
                           [{**key_columns(ref), "kind": kind, "sources": int(source)}
                            for kind in tags.kinds])
    added = TagSet(tuple(i for i in tags.issues if i not in issues),
                   tuple(k for k in tags.kinds if k not in kinds))
    removed = TagSet(kinds=replaced)
    if added.kinds or replaced:
        await _store_kinds(conn, ref, [*(k for k in kinds if k not in replaced), *added.kinds])
    if (added or removed) and source is not TagSource.HASHTAG:
        detail = _describe(added) + (f" (instead of {_describe(removed)})" if removed else "")
        await record_audit(conn, at, by, "tag", ref, f"{source_name(source)}: {detail}")
    return TagChange(added=added, removed=removed)


async def remove_tags(conn: AsyncConnection, ref: MessageRef, tags: TagSet,
                      source: TagSource | None, by: str, at: datetime) -> TagChange | None:
    """Drop `source` from these tags (every source when None); a tag with none left goes."""
    facts = await _facts(conn, ref)
    if facts is None:
        return None
    issues, kinds = await _current(conn, ref)
    keep_mask = ~int(source) if source is not None else 0
    removed_issues = [i for i in tags.issues if i in issues and not issues[i] & keep_mask]
    removed_kinds = [k for k in tags.kinds if k in kinds and not kinds[k] & keep_mask]
    for issue in tags.issues:
        if issue in issues:
            await _set_sources(conn, TAGS, ref, "issue", issue, issues[issue] & keep_mask)
    for kind in tags.kinds:
        if kind in kinds:
            await _set_sources(conn, KINDS, ref, "kind", kind, kinds[kind] & keep_mask)
    if removed_kinds:
        await _store_kinds(conn, ref, [kind for kind in kinds if kind not in removed_kinds])
    removed = TagSet(tuple(removed_issues), tuple(removed_kinds))
    if removed and source is not TagSource.HASHTAG:
        how = source_name(source) if source is not None else "command"
        await record_audit(conn, at, by, "untag", ref, f"{how}: {_describe(removed)}")
    return TagChange(removed=removed)


async def _store_kinds(conn: AsyncConnection, ref: MessageRef, kinds: list[str]) -> None:
    """The message's `kinds` column, after its `message_kinds` rows changed to `kinds`."""
    await conn.execute(update(MESSAGES).where(is_message(MESSAGES, ref))
                       .values(kinds=joined_kinds(kinds)))


async def _set_sources(conn: AsyncConnection, table: Table, ref: MessageRef, column: str,
                       value: object, sources: int) -> None:
    where = is_message(table, ref) & (table.c[column] == value)
    if sources:
        await conn.execute(update(table).where(where).values(sources=sources))
    else:
        await conn.execute(delete(table).where(where))


async def edit_message(conn: AsyncConnection, ref: MessageRef, text: str, found: TagSet,
                       by: str, edited_at: datetime, at: datetime) -> TagChange | None:
    """New text; hashtag tags follow it, tags given another way stay. None (nothing changed)
    for an unknown message, an edit by anyone but the author (Matrix lets any member send
    one), or an edit older than the one stored (a late redelivery must not undo a newer)."""
    facts = await _facts(conn, ref)
    if facts is None or facts.sender_id != by:
        return None
    if facts.edited_at is not None and facts.edited_at >= edited_at:
        return None
    await conn.execute(update(MESSAGES).where(is_message(MESSAGES, ref))
                       .values(text=storable_text(text), edited_at=edited_at,
                               language=None))  # the new text's language: the job's again
    await conn.execute(update(TAGS).where(is_message(TAGS, ref)).values(language=None))
    issues, kinds = await _current(conn, ref)
    dropped = TagSet(tuple(i for i, s in issues.items() if s & TagSource.HASHTAG
                           and i not in found.issues),
                     tuple(k for k, s in kinds.items() if s & TagSource.HASHTAG
                           and k not in found.kinds))
    removed = await remove_tags(conn, ref, dropped, TagSource.HASHTAG, by, at)
    added = await add_tags(conn, ref, found, TagSource.HASHTAG, by, at)
    assert removed is not None and added is not None
    return TagChange(added=added.added,
                     removed=TagSet(removed.removed.issues,
                                    (*removed.removed.kinds, *added.removed.kinds)))


async def delete_messages(conn: AsyncConnection, refs: Sequence[MessageRef], at: datetime
                          ) -> int:
    """Delete messages with their tags, leaving tombstones; returns how many were stored."""
    if not refs:
        return 0
    existed = await _existing(conn, list(refs))  # locked first, as every writer does
    for table in (TAGS, KINDS, REACTIONS):
        await conn.execute(delete(table).where(message_key_in(table, list(refs))))
    await conn.execute(update(MESSAGES).where(message_key_in(MESSAGES, list(refs))).values(
        sender_id="", sender_name=None, conversation_name=None, text="", permalink=None,
        kinds=None, language=None, deleted_at=at))
    # A deletion can arrive before (or instead of) the message: its tombstone still counts.
    unseen = [{**key_columns(ref), "sender_id": "", "text": "", "posted_at": at,
               "deleted_at": at} for ref in refs if ref not in existed]
    if unseen:
        await conn.execute(insert_ignoring_duplicates(conn.dialect.name, MESSAGES), unseen)
    return len(existed)


async def forget_sender(conn: AsyncConnection, platform: str, sender_id: str, at: datetime
                        ) -> int:
    rows = await conn.execute(
        select(MESSAGES.c.platform, MESSAGES.c.conversation_id, MESSAGES.c.message_id)
        .where(MESSAGES.c.platform == platform, MESSAGES.c.sender_id == sender_id,
               MESSAGES.c.deleted_at.is_(None)))
    refs = [MessageRef(*row) for row in rows]
    count = 0
    for start in range(0, len(refs), 500):  # bounded IN lists on every backend
        count += await delete_messages(conn, refs[start:start + 500], at)
    await record_audit(conn, at, sender_id, "forget", None, f"{count} messages", platform)
    return count


async def record_audit(conn: AsyncConnection, at: datetime, actor: str, action: str,
                 ref: MessageRef | None, detail: str, platform: str | None = None) -> None:
    await conn.execute(AUDIT.insert().values(
        at=at, actor_id=actor, action=action,
        platform=ref.platform if ref else (platform or ""),
        conversation_id=ref.conversation_id if ref else None,
        message_id=ref.message_id if ref else None, detail=detail))


def source_name(source: TagSource) -> str:
    return (source.name or str(int(source))).lower()


def _describe(tags: TagSet) -> str:
    return " ".join([f"#{i}" for i in tags.issues] + list(tags.kinds))
