"""Reactions per person: the reaction tag of an issue stays while anyone's reaction does."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, exists, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.messages import MessageRef
from bot.storage.message_writes import add_tags, remove_tags
from bot.storage.records import TagChange
from bot.storage.sql import insert_ignoring_duplicates, is_message, key_columns
from bot.storage.tables import MESSAGES, REACTIONS
from bot.tags import TagSet, TagSource


async def add_reaction(conn: AsyncConnection, ref: MessageRef, issue: int, user_id: str,
                       at: datetime) -> TagChange | None:
    """None when the message is not stored (its reaction is then not kept either)."""
    stored = await conn.execute(select(exists().where(
        is_message(MESSAGES, ref), MESSAGES.c.deleted_at.is_(None))))
    if not stored.scalar_one():
        return None
    await conn.execute(insert_ignoring_duplicates(conn.dialect.name, REACTIONS),
                       {**key_columns(ref), "issue": issue, "user_id": user_id,
                        "reacted_at": at})
    return await add_tags(conn, ref, TagSet((issue,)), TagSource.REACTION, user_id, at)


async def remove_reaction(conn: AsyncConnection, ref: MessageRef, issue: int, user_id: str,
                          at: datetime) -> TagChange | None:
    await conn.execute(delete(REACTIONS).where(
        is_message(REACTIONS, ref), REACTIONS.c.issue == issue, REACTIONS.c.user_id == user_id))
    remaining = await conn.execute(select(func.count()).select_from(REACTIONS).where(
        is_message(REACTIONS, ref), REACTIONS.c.issue == issue))
    if remaining.scalar_one():
        return TagChange()  # someone else's reaction still tags it
    return await remove_tags(conn, ref, TagSet((issue,)), TagSource.REACTION, user_id, at)


async def forget_reactions(conn: AsyncConnection, platform: str, user_id: str, at: datetime
                           ) -> int:
    """Erase a person's reactions on everyone's messages (their messages are erased apart)."""
    rows = await conn.execute(
        select(REACTIONS.c.conversation_id, REACTIONS.c.message_id, REACTIONS.c.issue)
        .where(REACTIONS.c.platform == platform, REACTIONS.c.user_id == user_id))
    reacted = [(str(row.conversation_id), str(row.message_id), int(row.issue)) for row in rows]
    for conversation_id, message_id, issue in reacted:
        await remove_reaction(conn, MessageRef(platform, conversation_id, message_id), issue,
                              user_id, at)
    return len(reacted)

