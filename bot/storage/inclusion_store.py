"""The inclusion repository: stakeholder groups, languages waiting for detection, the lens's
counts and the nudges' claims."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import (
    and_,
    bindparam,
    func,
    select,
    tuple_,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.lens_values import LensCount
from bot.messages import MessageRef
from bot.storage import lens_counts
from bot.storage.author_groups import wait_for_tag_writers
from bot.storage.database import Database
from bot.storage.group_commit import GroupCommit
from bot.storage.models_inclusion import MEMBER_GROUPS, NUDGES_SENT
from bot.storage.sql import insert_ignoring_duplicates, is_member, upsert
from bot.storage.tables import MEMBER_LANGUAGES, MESSAGES, TAGS


class InclusionStore:
    def __init__(self, db: Database, commits: GroupCommit) -> None:
        self._db = db
        self._commits = commits
        # Whether messages may be waiting for their language: set by every store of a new or
        # edited message in this process, and at start (another process may have left some).
        # The job's scan (no index: see `MessageRow.language`) runs only then.
        self.maybe_pending = True

    # Stakeholder groups ----------------------------------------------------------------------

    async def group_of(self, platform: str, user_id: str) -> str | None:
        async with self._db.read() as conn:
            return (await conn.execute(select(MEMBER_GROUPS.c.group_key).where(
                is_member(MEMBER_GROUPS, platform, user_id)))).scalar_one_or_none()

    async def set_group(self, platform: str, user_id: str, group: str, by: str,
                        at: datetime) -> None:
        """Also onto every tag of the member's messages (`TagRow.group_key`), once the
        writes of tags in flight are done (`bot.storage.author_groups`): a scan of the tags,
        as no index leads with the sender (it would cost every tag written), for a command a
        member gives about once."""
        async def store(conn: AsyncConnection) -> None:
            await conn.execute(upsert(
                conn.dialect.name, MEMBER_GROUPS, ["platform", "user_id"],
                {"platform": platform, "user_id": user_id, "group_key": group, "set_by": by,
                 "set_at": at}))

        async def rewrite_tags(conn: AsyncConnection) -> None:
            await conn.execute(update(TAGS).where(
                TAGS.c.platform == platform, TAGS.c.sender_id == user_id,
                TAGS.c.group_key.is_distinct_from(group)).values(group_key=group))
        await self._commits.run(store)
        await wait_for_tag_writers(self._db)
        await self._commits.run(rewrite_tags)

    # Languages -------------------------------------------------------------------------------

    def note_stored(self) -> None:
        self.maybe_pending = True

    async def pending_languages(self, limit: int, after: MessageRef | None = None
                                ) -> list[tuple[MessageRef, str, str | None]]:
        """Messages the detection job has not looked at yet, in key order after `after`, with
        their text and their author's declared language (`lang`), if any. A walk of the
        primary key: a run over a backlog reads each message once."""
        key = (MESSAGES.c.platform, MESSAGES.c.conversation_id, MESSAGES.c.message_id)
        query = (select(*key, MESSAGES.c.text, MEMBER_LANGUAGES.c.locale)
                 .outerjoin(MEMBER_LANGUAGES, and_(
                     MEMBER_LANGUAGES.c.platform == MESSAGES.c.platform,
                     MEMBER_LANGUAGES.c.user_id == MESSAGES.c.sender_id))
                 .where(MESSAGES.c.language.is_(None), MESSAGES.c.deleted_at.is_(None))
                 .order_by(*key).limit(limit))
        if after is not None:
            query = query.where(tuple_(*key) > tuple_(after.platform, after.conversation_id,
                                                      after.message_id))
        async with self._db.read() as conn:
            return [(MessageRef(p, c, m), text, locale)
                    for p, c, m, text, locale in await conn.execute(query)]

    async def set_languages(self, found: Sequence[tuple[MessageRef, str]]) -> None:
        """Onto the messages still without one, and their tags: a message's tags have its
        language (`TagRow.language`), so those without one are the same message's."""
        statements = [update(table).where(
            table.c.platform == bindparam("ref_platform"),
            table.c.conversation_id == bindparam("ref_conversation"),
            table.c.message_id == bindparam("ref_message"),
            table.c.language.is_(None)).values(language=bindparam("found"))
            for table in (MESSAGES, TAGS)]
        rows = [{"ref_platform": ref.platform, "ref_conversation": ref.conversation_id,
                 "ref_message": ref.message_id, "found": language} for ref, language in found]

        async def op(conn: AsyncConnection) -> None:
            for statement in statements:
                await conn.execute(statement, rows)  # one executemany each
        if found:
            await self._commits.run(op)

    # The lens --------------------------------------------------------------------------------

    async def lens_counts(self, issues: Sequence[int]
                          ) -> tuple[list[LensCount], dict[int, datetime]]:
        """Inputs and distinct contributors per issue and group, language and platform, over
        all time (hidden inputs left out), and each issue's newest input: one scan of the
        tags (`bot.storage.lens_counts`), in one transaction."""
        async with self._db.read() as conn:
            rows = await lens_counts.per_sender(conn, issues)
            newest = await lens_counts.newest(conn, issues or sorted({row[0] for row in rows}))
        return lens_counts.lens_counts(rows), newest

    async def spoken(self, issues: Sequence[int]
                     ) -> tuple[list[tuple[int, str, str]], dict[int, datetime]]:
        """Each (issue, group, language) of visible input (`lens_counts.spoken`), and each
        issue's newest input, in one transaction: what the gaps need, without the counts."""
        async with self._db.read() as conn:
            found = await lens_counts.spoken(conn, issues)
            newest = await lens_counts.newest(conn, issues or sorted({row[0] for row in found}))
        return found, newest

    async def newest_by_channel(self, issues: Sequence[int]
                                ) -> dict[tuple[str, str], dict[int, datetime]]:
        """For each conversation with input on these issues, each issue's newest input there
        (a conversation without any is absent: it has none to be newest)."""
        found: dict[tuple[str, str], dict[int, datetime]] = {}
        async with self._db.read() as conn:
            rows = await conn.execute(
                select(TAGS.c.platform, TAGS.c.conversation_id, TAGS.c.issue,
                       func.max(TAGS.c.posted_at))
                .where(TAGS.c.issue.in_(issues))
                .group_by(TAGS.c.platform, TAGS.c.conversation_id, TAGS.c.issue))
            for platform, conversation, issue, at in rows:
                found.setdefault((platform, conversation), {})[issue] = at
        return found

    # Nudges ----------------------------------------------------------------------------------

    async def claim_nudge(self, platform: str, conversation_id: str, period: str,
                          at: datetime) -> bool:
        """True for the one run (of any replica) that may post this period's nudge here."""
        async def op(conn: AsyncConnection) -> bool:
            result = await conn.execute(
                insert_ignoring_duplicates(conn.dialect.name, NUDGES_SENT),
                {"platform": platform, "conversation_id": conversation_id, "period": period,
                 "sent_at": at})
            return bool(result.rowcount == 1)
        return await self._commits.run(op)

    async def release_nudge(self, platform: str, conversation_id: str, period: str) -> None:
        """Give a claim back when posting failed, so that the next tick tries again."""
        async def op(conn: AsyncConnection) -> None:
            await conn.execute(NUDGES_SENT.delete().where(
                NUDGES_SENT.c.platform == platform,
                NUDGES_SENT.c.conversation_id == conversation_id,
                NUDGES_SENT.c.period == period))
        await self._commits.run(op)


async def forget_group(conn: AsyncConnection, platform: str, user_id: str) -> None:
    await conn.execute(MEMBER_GROUPS.delete().where(is_member(MEMBER_GROUPS, platform, user_id)))
