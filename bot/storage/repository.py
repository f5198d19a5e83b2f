"""Storage: the repository the core uses. Returns plain values; every write is group-committed."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.digest_values import DigestEntry, DigestFilters, IssueFigures
from bot.messages import IncomingMessage, MessageRef
from bot.storage import consent, digest_queries, message_writes, reaction_writes
from bot.storage.database import Database
from bot.storage.digest_store import DigestStore
from bot.storage.group_commit import GroupCommit
from bot.storage.inclusion_store import InclusionStore, forget_group
from bot.storage.leadership import Lease, lead, single_replica
from bot.storage.mail_store import MailStore
from bot.storage.member_data import MemberData, read_member
from bot.storage.member_values import member_values
from bot.storage.new_messages import (
    Written,
    note_written,
    prepare,
    save_messages,
    unseen_authors,
    write_burst,
)
from bot.storage.records import SaveOutcome, StoredMessage, TagChange
from bot.storage.reminder_store import ReminderStore
from bot.storage.sql import insert_ignoring_duplicates, is_member, is_message, upsert
from bot.storage.tables import HANDLED_EVENTS, KINDS, MEMBER_LANGUAGES, MESSAGES, STATE, TAGS
from bot.tags import TagSet, TagSource

log = logging.getLogger(__name__)


class Storage:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._commits = GroupCommit(db)
        self._notices = consent.Seen()
        self.digests = DigestStore(db, self._commits)
        self.reminders = ReminderStore(db, self._commits)
        self.inclusion = InclusionStore(db, self._commits)
        self.mail = MailStore(db, self._commits, self.inclusion)

    def lead(self, name: str, *, poll_seconds: float = 5.0
             ) -> AbstractAsyncContextManager[Lease]:
        """Held by one replica at a time (see `leadership`); waits until it is ours."""
        return lead(self.db, name, poll_seconds=poll_seconds)

    def single_replica(self) -> AbstractContextManager[None]:
        """Refuses (ConfigError) a second running bot on the same SQLite file."""
        return single_replica(self.db)

    @property
    def queued_writes(self) -> int:
        return self._commits.queued

    async def ping(self) -> None:
        """Raises unless the database answers a query."""
        async with self.db.read() as conn:
            await conn.execute(select(1))

    async def close(self) -> None:
        """Finish queued writes; the engine is the caller's to dispose of."""
        await self._commits.close()

    # Messages and tags -------------------------------------------------------------------

    async def save_message(self, msg: IncomingMessage, tags: TagSet, at: datetime, *,
                           notice: bool = False) -> SaveOutcome:
        """`notice`: claim the sender's consent notice when this is their first message
        (the outcome is then `NEW_MEMBER`; see `bot.storage.consent`)."""
        [outcome] = await self.save_messages([(msg, tags)], at, notice=notice)
        return outcome

    async def save_messages(self, burst: Sequence[tuple[IncomingMessage, TagSet]],
                            at: datetime, *, notice: bool = False) -> list[SaveOutcome]:
        """A run of new messages (from a sync batch, or deliveries of one loop turn) as one
        write: one statement per table. Outcomes in the run's order."""
        prepared = prepare(burst, at, self.db.dialect, self._seen(notice))
        unseen = unseen_authors(prepared)
        if self.db.dialect == "sqlite":
            written = await self._commits.run_on_driver(
                lambda connection: write_burst(connection, prepared, unseen), len(prepared))
        else:
            async def op(conn: AsyncConnection) -> Written:
                return await save_messages(conn, prepared, unseen)
            written = await self._commits.run(op, len(prepared))
        outcomes = note_written(prepared, written)
        self.inclusion.note_stored()
        return outcomes

    def _seen(self, notice: bool) -> consent.Seen | None:
        return self._notices if notice else None

    async def notices_told(self, members: Sequence[tuple[str, str]], at: datetime) -> None:
        """The consent notices claimed for these (platform, user id) reached them: never
        again. Called after the notices went out, off the burst (`Services.background`)."""
        async def op(conn: AsyncConnection) -> None:
            await consent.mark_told(conn, members, at)
        await self._commits.run(op)

    async def member_data(self, platform: str, user_id: str) -> MemberData:
        """Everything stored about a member (`my-data`), in one read."""
        async with self.db.read() as conn:
            return await read_member(conn, platform, user_id)

    async def edit_message(self, ref: MessageRef, text: str, found: TagSet, by: str,
                           edited_at: datetime, at: datetime) -> TagChange | None:
        async def op(conn: AsyncConnection) -> TagChange | None:
            return await message_writes.edit_message(conn, ref, text, found, by, edited_at, at)
        change = await self._commits.run(op)
        self.inclusion.note_stored()  # the new text's language is asked for again
        return change

    async def delete_message(self, ref: MessageRef, at: datetime) -> bool:
        async def op(conn: AsyncConnection) -> int:
            return await message_writes.delete_messages(conn, [ref], at)
        return await self._commits.run(op) > 0

    async def add_tags(self, ref: MessageRef, tags: TagSet, source: TagSource, by: str,
                       at: datetime) -> TagChange | None:
        async def op(conn: AsyncConnection) -> TagChange | None:
            return await message_writes.add_tags(conn, ref, tags, source, by, at)
        return await self._commits.run(op)

    async def remove_tags(self, ref: MessageRef, tags: TagSet, source: TagSource | None,
                          by: str, at: datetime) -> TagChange | None:
        async def op(conn: AsyncConnection) -> TagChange | None:
            return await message_writes.remove_tags(conn, ref, tags, source, by, at)
        return await self._commits.run(op)

    async def forget_sender(self, platform: str, sender_id: str, at: datetime) -> int:
        """Erase a person: their messages (the count returned), their reactions, their
        language, their stakeholder group and their consent notice (so that they are told
        again if they return)."""
        async def op(conn: AsyncConnection) -> int:
            await reaction_writes.forget_reactions(conn, platform, sender_id, at)
            await conn.execute(MEMBER_LANGUAGES.delete().where(
                is_member(MEMBER_LANGUAGES, platform, sender_id)))
            await forget_group(conn, platform, sender_id)
            await consent.forget(conn, (platform, sender_id))
            return await message_writes.forget_sender(conn, platform, sender_id, at)
        count = await self._commits.run(op)
        self._notices.forget((platform, sender_id))  # told again if they come back
        return count

    async def add_reaction(self, ref: MessageRef, issue: int, user_id: str, at: datetime
                           ) -> TagChange | None:
        async def op(conn: AsyncConnection) -> TagChange | None:
            return await reaction_writes.add_reaction(conn, ref, issue, user_id, at)
        return await self._commits.run(op)

    async def remove_reaction(self, ref: MessageRef, issue: int, user_id: str, at: datetime
                              ) -> TagChange | None:
        async def op(conn: AsyncConnection) -> TagChange | None:
            return await reaction_writes.remove_reaction(conn, ref, issue, user_id, at)
        return await self._commits.run(op)

    async def message(self, ref: MessageRef) -> StoredMessage | None:
        async with self.db.read() as conn:
            row = (await conn.execute(select(MESSAGES).where(
                is_message(MESSAGES, ref), MESSAGES.c.deleted_at.is_(None)))).first()
        if row is None:
            return None
        return StoredMessage(ref, row.conversation_name, row.sender_id, row.sender_name,
                             row.text, row.permalink, row.posted_at, row.edited_at)

    async def tags_of(self, ref: MessageRef) -> TagSet:
        async with self.db.read() as conn:
            issues = (await conn.execute(select(TAGS.c.issue).where(is_message(TAGS, ref))
                                         .order_by(TAGS.c.issue))).scalars().all()
            kinds = (await conn.execute(
                select(KINDS.c.kind).where(is_message(KINDS, ref))
                .order_by(KINDS.c.kind))).scalars().all()
        return TagSet(tuple(issues), tuple(kinds))

    async def messages_for(self, issue: int) -> list[MessageRef]:
        async with self.db.read() as conn:
            rows = await conn.execute(
                select(TAGS.c.platform, TAGS.c.conversation_id, TAGS.c.message_id)
                .where(TAGS.c.issue == issue).order_by(TAGS.c.posted_at))
            return [MessageRef(*row) for row in rows]

    async def count_messages(self) -> int:
        async with self.db.read() as conn:
            return int((await conn.execute(
                select(func.count()).select_from(MESSAGES)
                .where(MESSAGES.c.deleted_at.is_(None)))).scalar_one())

    # Digests ---------------------------------------------------------------------------------

    async def input_counts(self) -> dict[int, int]:
        """Tagged inputs per issue, over all time."""
        return {f.issue: f.inputs for f in await self.figures(DigestFilters())}

    async def figures(self, filters: DigestFilters) -> list[IssueFigures]:
        async with self.db.read() as conn:
            return await digest_queries.figures(conn, filters)

    async def latest_by_kind(self, filters: DigestFilters, issues: Sequence[int],
                             kinds: Sequence[str], limit: int
                             ) -> dict[int, dict[str, list[DigestEntry]]]:
        """For each issue, the newest `limit` entries of each kind (one read throughout)."""
        async with self.db.read() as conn:
            return await digest_queries.latest_by_kind(conn, filters, issues, kinds, limit)

    # Delivery bookkeeping ----------------------------------------------------------------

    async def claim_event(self, platform: str, event_key: str, at: datetime) -> bool:
        """True the first time this event is seen; False for every redelivery."""
        async def op(conn: AsyncConnection) -> bool:
            result = await conn.execute(
                insert_ignoring_duplicates(conn.dialect.name, HANDLED_EVENTS),
                {"platform": platform, "event_key": event_key[:512], "handled_at": at})
            return bool(result.rowcount == 1)
        return await self._commits.run(op)

    async def was_handled(self, platform: str, event_key: str) -> bool:
        """Whether `claim_event` already took this event (a read: nothing is claimed)."""
        async with self.db.read() as conn:
            found = await conn.execute(select(HANDLED_EVENTS.c.event_key).where(
                HANDLED_EVENTS.c.platform == platform,
                HANDLED_EVENTS.c.event_key == event_key[:512]))
            return found.first() is not None

    async def prune_handled_events(self, before: datetime) -> int:
        """Forget redelivery marks older than `before` (platforms stop redelivering long
        before); messages stay deduplicated by their own keys."""
        async def op(conn: AsyncConnection) -> int:
            result = await conn.execute(
                HANDLED_EVENTS.delete().where(HANDLED_EVENTS.c.handled_at < before))
            return int(result.rowcount or 0)
        return await self._commits.run(op)

    async def get_state(self, key: str) -> str | None:
        async with self.db.read() as conn:
            value = (await conn.execute(select(STATE.c.value).where(STATE.c.key == key))
                     ).scalar_one_or_none()
        return value

    async def state_written_at(self, key: str) -> datetime | None:
        """When `key` was last written (the Matrix sync token: the last batch stored)."""
        async with self.db.read() as conn:
            found: datetime | None = (await conn.execute(
                select(STATE.c.updated_at).where(STATE.c.key == key))).scalar_one_or_none()
        return found

    async def set_state(self, key: str, value: str, at: datetime) -> None:
        async def op(conn: AsyncConnection) -> None:
            await conn.execute(upsert(conn.dialect.name, STATE, ["key"],
                                      {"key": key, "value": value, "updated_at": at}))
        await self._commits.run(op)

    # Sync tokens --------------------------------------------------------------------------

    async def sync_token(self, platform: str, account: str) -> str | None:
        """Where `account`'s sync stream resumes: the token of the last batch stored."""
        return await self.get_state(_sync_key(platform, account))

    async def save_sync_token(self, platform: str, account: str, token: str, at: datetime
                              ) -> None:
        """Call only once every event the token covers is durable: a crash in between
        replays the batch (a no-op: writes are idempotent), never skips it."""
        await self.set_state(_sync_key(platform, account), token, at)

    async def sync_token_saved_at(self, platform: str, account: str) -> datetime | None:
        """When the last batch was stored (for `status`)."""
        return await self.state_written_at(_sync_key(platform, account))

    async def member_language(self, platform: str, user_id: str) -> str | None:
        async with self.db.read() as conn:
            return (await conn.execute(select(MEMBER_LANGUAGES.c.locale).where(
                is_member(MEMBER_LANGUAGES, platform, user_id)))).scalar_one_or_none()

    async def member_languages(self, members: Sequence[tuple[str, str]]
                               ) -> dict[tuple[str, str], str]:
        """The chosen language of each of these (platform, user id) that chose one. Members
        whose consent notice was just claimed come with the language read in that claim's
        transaction (`consent.Seen.take_chosen`); only the others are read."""
        found, missing = self._notices.take_chosen(members)
        if missing:
            async with self.db.read() as conn:
                found.update(await member_values(conn, MEMBER_LANGUAGES, "locale", missing))
        return found

    async def set_member_language(self, platform: str, user_id: str, locale: str | None,
                                  at: datetime) -> None:
        """Keep the member's choice; None forgets it (back to the channel's language)."""
        async def op(conn: AsyncConnection) -> None:
            if locale is None:
                await conn.execute(MEMBER_LANGUAGES.delete().where(
                    is_member(MEMBER_LANGUAGES, platform, user_id)))
                return
            await conn.execute(upsert(
                conn.dialect.name, MEMBER_LANGUAGES, ["platform", "user_id"],
                {"platform": platform, "user_id": user_id, "locale": locale, "chosen_at": at}))
        await self._commits.run(op)


def _sync_key(platform: str, account: str) -> str:
    return f"{platform}:{account}:next_batch"  # as stored since the first release


