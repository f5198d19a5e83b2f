"""Everything stored about one member, read for `my-data` (their copy of their own data)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.models_digests import CURSORS, HIDDEN, WORKPLAN_CHANGES
from bot.storage.sql import is_member, same_message
from bot.storage.tables import (
    AUDIT,
    CONSENT_NOTICES,
    KINDS,
    MEMBER_LANGUAGES,
    MESSAGES,
    REACTIONS,
    TAGS,
)


@dataclass(frozen=True, slots=True)
class OwnMessage:
    conversation_id: str
    conversation_name: str | None
    message_id: str
    thread_id: str | None
    sender_name: str | None
    text: str  # as stored: the original, byte for byte
    permalink: str | None
    posted_at: datetime
    edited_at: datetime | None
    issues: tuple[int, ...]
    kinds: tuple[str, ...]
    hidden_from_digests: bool


@dataclass(frozen=True, slots=True)
class TagMade:
    """A tag this member put on a message (theirs or anyone's)."""

    conversation_id: str
    message_id: str
    issue: int
    tagged_at: datetime


@dataclass(frozen=True, slots=True)
class ReactionMade:
    conversation_id: str
    message_id: str
    issue: int
    reacted_at: datetime


@dataclass(frozen=True, slots=True)
class StaffRecord:
    """What staff work left: work-plan columns set, inputs hidden, audited actions."""

    kind: str  # "workplan_change" | "hidden_input" | "audit"
    at: datetime
    detail: dict[str, str | int | None]


@dataclass(frozen=True, slots=True)
class MemberData:
    platform: str
    user_id: str
    language: str | None
    language_chosen_at: datetime | None
    notice_claimed_at: datetime | None
    notice_told_at: datetime | None
    digest_read_until: datetime | None
    messages: tuple[OwnMessage, ...]
    tags: tuple[TagMade, ...]
    reactions: tuple[ReactionMade, ...]
    staff_records: tuple[StaffRecord, ...]


async def read_member(conn: AsyncConnection, platform: str, user_id: str) -> MemberData:
    language = (await conn.execute(select(MEMBER_LANGUAGES).where(
        is_member(MEMBER_LANGUAGES, platform, user_id)))).first()
    notice = (await conn.execute(select(CONSENT_NOTICES).where(
        is_member(CONSENT_NOTICES, platform, user_id)))).first()
    cursor = (await conn.execute(select(CURSORS.c.covered_until).where(
        is_member(CURSORS, platform, user_id, "staff_id")))).scalar_one_or_none()
    return MemberData(
        platform, user_id,
        language.locale if language else None, language.chosen_at if language else None,
        notice.claimed_at if notice else None, notice.told_at if notice else None, cursor,
        await _messages(conn, platform, user_id),
        tuple(TagMade(r.conversation_id, r.message_id, r.issue, r.tagged_at)
              for r in await conn.execute(
                  select(TAGS).where(is_member(TAGS, platform, user_id, "tagged_by"))
                  .order_by(TAGS.c.tagged_at, TAGS.c.message_id, TAGS.c.issue))),
        tuple(ReactionMade(r.conversation_id, r.message_id, r.issue, r.reacted_at)
              for r in await conn.execute(
                  select(REACTIONS).where(is_member(REACTIONS, platform, user_id))
                  .order_by(REACTIONS.c.reacted_at, REACTIONS.c.message_id))),
        await _staff_records(conn, platform, user_id))


async def _messages(conn: AsyncConnection, platform: str, user_id: str
                    ) -> tuple[OwnMessage, ...]:
    # A scan by sender (messages has no sender index, see models): rare, and read-only.
    mine = is_member(MESSAGES, platform, user_id, "sender_id") & MESSAGES.c.deleted_at.is_(None)
    issues: dict[tuple[str, str], list[int]] = {}
    for row in await conn.execute(
            select(TAGS.c.conversation_id, TAGS.c.message_id, TAGS.c.issue)
            .join(MESSAGES, same_message(TAGS, MESSAGES)).where(mine).order_by(TAGS.c.issue)):
        issues.setdefault((row.conversation_id, row.message_id), []).append(row.issue)
    kinds: dict[tuple[str, str], list[str]] = {}
    for row in await conn.execute(
            select(KINDS.c.conversation_id, KINDS.c.message_id, KINDS.c.kind)
            .join(MESSAGES, same_message(KINDS, MESSAGES)).where(mine).order_by(KINDS.c.kind)):
        kinds.setdefault((row.conversation_id, row.message_id), []).append(row.kind)
    hidden = {(row.conversation_id, row.message_id) for row in await conn.execute(
        select(HIDDEN.c.conversation_id, HIDDEN.c.message_id)
        .join(MESSAGES, same_message(HIDDEN, MESSAGES)).where(mine))}
    rows = await conn.execute(select(MESSAGES).where(mine).order_by(
        MESSAGES.c.posted_at, MESSAGES.c.conversation_id, MESSAGES.c.message_id))
    return tuple(
        OwnMessage(r.conversation_id, r.conversation_name, r.message_id, r.thread_id,
                   r.sender_name, r.text, r.permalink, r.posted_at, r.edited_at,
                   tuple(issues.get((r.conversation_id, r.message_id), ())),
                   tuple(kinds.get((r.conversation_id, r.message_id), ())),
                   (r.conversation_id, r.message_id) in hidden)
        for r in rows)


async def _staff_records(conn: AsyncConnection, platform: str, user_id: str
                         ) -> tuple[StaffRecord, ...]:
    records = [StaffRecord("workplan_change", r.changed_at,
                           {"issue": r.issue, "column": r.column, "value": r.value})
               for r in await conn.execute(select(WORKPLAN_CHANGES).where(
                   is_member(WORKPLAN_CHANGES, platform, user_id, "changed_by")))]
    records += [StaffRecord("hidden_input", r.hidden_at,
                            {"conversation_id": r.conversation_id,
                             "message_id": r.message_id, "reason": r.reason})
                for r in await conn.execute(select(HIDDEN).where(
                    is_member(HIDDEN, platform, user_id, "hidden_by")))]
    records += [StaffRecord("audit", r.at,
                            {"action": r.action, "conversation_id": r.conversation_id,
                             "message_id": r.message_id, "detail": r.detail})
                for r in await conn.execute(select(AUDIT).where(
                    is_member(AUDIT, platform, user_id, "actor_id")))]
    return tuple(sorted(records, key=lambda record: record.at))
