"""Storing list posts (a burst at a time: an archive's import, a delivery) and the mail
addresses members confirmed, and erasing an address's posts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, func, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.messages import IncomingMessage
from bot.storage import bulk_sqlite, message_writes
from bot.storage.database import Database
from bot.storage.group_commit import GroupCommit
from bot.storage.inclusion_store import InclusionStore
from bot.storage.models_mail import EMAIL_LINKS, MAIL_POSTS
from bot.storage.new_messages import prepare, save_messages
from bot.storage.records import SaveOutcome
from bot.storage.sql import storable_text, upsert
from bot.storage.tables import MESSAGES
from bot.tags import TagSet

PLATFORM = "email"
_COLUMNS = ("platform", "conversation_id", "message_id", "subject", "body", "in_reply_to",
            "reference_ids", "received_at")


@dataclass(frozen=True, slots=True)
class PostRecord:
    """A post as stored: its message (excerpt as text) and what only a post has."""

    msg: IncomingMessage
    tags: TagSet
    subject: str
    body: str
    in_reply_to: str | None
    references: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StoredPost:
    subject: str
    body: str
    in_reply_to: str | None
    references: tuple[str, ...]


class MailStore:
    def __init__(self, db: Database, commits: GroupCommit, inclusion: InclusionStore) -> None:
        self._db = db
        self._commits = commits
        self._inclusion = inclusion

    async def save_posts(self, posts: Sequence[PostRecord], at: datetime) -> list[SaveOutcome]:
        """Idempotent: a post already stored (or erased: its tombstone stays) is a REPEAT and
        nothing of it is written again. One transaction for the whole burst."""
        if not posts:
            return []
        prepared = prepare([(p.msg, p.tags) for p in posts], at, self._db.dialect)

        async def op(conn: AsyncConnection) -> list[SaveOutcome]:
            outcomes = (await save_messages(conn, prepared)).outcomes  # no notices: no claims
            new = [post for post, outcome in zip(posts, outcomes, strict=True)
                   if outcome is SaveOutcome.NEW]
            await _insert_posts(conn, new, at)
            return outcomes
        outcomes: list[SaveOutcome] = await self._commits.run(op)
        self._inclusion.note_stored()  # the posts' language is for the detection job
        return outcomes

    async def post(self, list_name: str, message_id: str) -> StoredPost | None:
        async with self._db.read() as conn:
            row = (await conn.execute(select(MAIL_POSTS).where(
                MAIL_POSTS.c.platform == PLATFORM, MAIL_POSTS.c.conversation_id == list_name,
                MAIL_POSTS.c.message_id == message_id))).first()
        if row is None:
            return None
        return StoredPost(row.subject, row.body, row.in_reply_to,
                          tuple(row.reference_ids.split()))

    async def forget_address(self, address: str, at: datetime) -> int:
        """Erase every post from `address` (its excerpt, body and tags; a tombstone keeps
        a re-import from bringing it back) and every link to it; returns the post count."""
        async def op(conn: AsyncConnection) -> int:
            return await forget_address(conn, address.lower(), at)
        return await self._commits.run(op)

    async def request_link(self, platform: str, user_id: str, address: str, code: str,
                           at: datetime) -> None:
        """Ask to link `address`; a new request replaces an unconfirmed code (not a
        confirmed link: that stays confirmed)."""
        async def op(conn: AsyncConnection) -> None:
            await conn.execute(upsert(conn.dialect.name, EMAIL_LINKS,
                                      ["platform", "user_id", "address"],
                                      {"platform": platform, "user_id": user_id,
                                       "address": address.lower(), "code": code,
                                       "requested_at": at}))
        await self._commits.run(op)

    async def last_request_at(self, platform: str, user_id: str) -> datetime | None:
        """When the member last asked for a code (confirmed or not)."""
        async with self._db.read() as conn:
            last: datetime | None = (await conn.execute(
                select(func.max(EMAIL_LINKS.c.requested_at)).where(
                    EMAIL_LINKS.c.platform == platform, EMAIL_LINKS.c.user_id == user_id))
            ).scalar_one_or_none()
        return last

    async def confirm_link(self, platform: str, user_id: str, code: str, at: datetime,
                           not_before: datetime) -> str | None:
        """The address whose code this is (requested after `not_before`), now confirmed."""
        async def op(conn: AsyncConnection) -> str | None:
            mine = and_(EMAIL_LINKS.c.platform == platform, EMAIL_LINKS.c.user_id == user_id,
                        EMAIL_LINKS.c.code == code, EMAIL_LINKS.c.requested_at >= not_before)
            address = (await conn.execute(select(EMAIL_LINKS.c.address).where(mine))
                       ).scalar_one_or_none()
            if address is not None:
                await conn.execute(update(EMAIL_LINKS).where(mine).values(confirmed_at=at))
            return address
        return await self._commits.run(op)

    async def linked_addresses(self, platform: str, user_id: str) -> list[str]:
        async with self._db.read() as conn:
            rows = await conn.execute(select(EMAIL_LINKS.c.address).where(
                EMAIL_LINKS.c.platform == platform, EMAIL_LINKS.c.user_id == user_id,
                EMAIL_LINKS.c.confirmed_at.is_not(None)).order_by(EMAIL_LINKS.c.address))
            return list(rows.scalars())

    async def forget_member(self, platform: str, user_id: str, at: datetime) -> int:
        """The list posts of every address the member confirmed, and the links themselves."""
        async def op(conn: AsyncConnection) -> int:
            rows = await conn.execute(select(EMAIL_LINKS.c.address).where(
                EMAIL_LINKS.c.platform == platform, EMAIL_LINKS.c.user_id == user_id,
                EMAIL_LINKS.c.confirmed_at.is_not(None)))
            count = 0
            for address in sorted(set(rows.scalars())):
                count += await forget_address(conn, address, at)
            await conn.execute(delete(EMAIL_LINKS).where(
                EMAIL_LINKS.c.platform == platform, EMAIL_LINKS.c.user_id == user_id))
            return count
        return await self._commits.run(op)


async def forget_address(conn: AsyncConnection, address: str, at: datetime) -> int:
    mine = select(MESSAGES.c.conversation_id, MESSAGES.c.message_id).where(
        MESSAGES.c.platform == PLATFORM, MESSAGES.c.sender_id == address)
    keys = [tuple(row) for row in await conn.execute(mine)]
    for start in range(0, len(keys), 500):
        part = keys[start:start + 500]
        await conn.execute(delete(MAIL_POSTS).where(
            MAIL_POSTS.c.platform == PLATFORM,
            tuple_(MAIL_POSTS.c.conversation_id, MAIL_POSTS.c.message_id).in_(part)))
    await conn.execute(delete(EMAIL_LINKS).where(EMAIL_LINKS.c.address == address))
    return await message_writes.forget_sender(conn, PLATFORM, address, at)


async def _insert_posts(conn: AsyncConnection, posts: Sequence[PostRecord], at: datetime
                        ) -> None:
    if not posts:
        return
    sqlite = conn.dialect.name == "sqlite"
    received = bulk_sqlite.sqlite_datetime(at) if sqlite else at
    rows = [(PLATFORM, p.msg.where.id, p.msg.message_id, storable_text(p.subject),
             storable_text(p.body), p.in_reply_to, " ".join(p.references), received)
            for p in posts]
    if sqlite:
        await bulk_sqlite.insert_values(conn, MAIL_POSTS, _COLUMNS, rows,
                                        on_conflict="ON CONFLICT DO NOTHING")
        return
    await conn.execute(MAIL_POSTS.insert(), [dict(zip(_COLUMNS, row, strict=True))
                                             for row in rows])
