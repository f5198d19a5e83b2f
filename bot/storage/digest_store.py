"""The digests' repository: figures and entries, per-staff cursors, the staff-kept work-plan
columns, hidden inputs, the audit log and the scheduled digest's delivery claims."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.digest_values import (
    PLAN_COLUMNS,
    DigestEntry,
    DigestFilters,
    IssueFigures,
    PlanColumns,
    WeekCount,
)
from bot.messages import MessageRef
from bot.storage import digest_queries
from bot.storage.database import Database
from bot.storage.group_commit import GroupCommit
from bot.storage.message_writes import record_audit
from bot.storage.models_digests import CURSORS, HIDDEN, SCHEDULED, WORKPLAN_CHANGES
from bot.storage.sql import insert_ignoring_duplicates, is_message, key_columns
from bot.storage.tables import AUDIT, MESSAGES
from bot.workplan import WorkPlan

Step = Literal["post", "mail"]
_STEP_COLUMNS = {"post": ("post_claimed_at", "posted_at"), "mail": ("mail_claimed_at", "mailed_at")}


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: datetime
    actor_id: str
    action: str
    platform: str
    conversation_id: str | None
    message_id: str | None
    detail: str


class DigestStore:
    def __init__(self, db: Database, commits: GroupCommit) -> None:
        self._db = db
        self._commits = commits

    # Figures and entries ---------------------------------------------------------------------

    async def figures(self, filters: DigestFilters, new_since: datetime | None = None
                      ) -> list[IssueFigures]:
        async with self._db.read() as conn:
            return await digest_queries.figures(conn, filters, new_since)

    async def weekly_counts(self, filters: DigestFilters) -> list[WeekCount]:
        async with self._db.read() as conn:
            return await digest_queries.weekly_counts(conn, filters)

    async def stream_issue(self, filters: DigestFilters, issue: int
                           ) -> AsyncGenerator[list[DigestEntry]]:
        """One issue's entries, newest first, in batches (memory stays flat)."""
        async with self._db.read() as conn:
            async for batch in digest_queries.stream_issue(conn, filters, issue):
                yield batch

    async def stream_export_rows(self, filters: DigestFilters, issue: int
                                 ) -> AsyncGenerator[list[digest_queries.ExportRow]]:
        """One issue's inputs as plain rows (`digest_queries.stream_export_rows`), newest
        first, in batches: for exports of a million inputs."""
        async with self._db.read() as conn:
            async for batch in digest_queries.stream_export_rows(conn, filters, issue):
                yield batch

    async def export_reads(self, filters: DigestFilters, issues: list[int], rows_per_range: int
                           ) -> digest_queries.ExportReads | None:
        """The export's rows as statements over ranges, for worker processes (SQLite files
        only: `digest_queries.export_reads`)."""
        database = self._db.sqlite_file
        if database is None:
            return None
        async with self._db.read() as conn:
            return await digest_queries.export_reads(conn, database, filters, issues,
                                                     rows_per_range)

    # Since last digest -----------------------------------------------------------------------

    async def cursor(self, platform: str, staff_id: str) -> datetime | None:
        """Where this staff member's previous digest ended; None before their first."""
        async with self._db.read() as conn:
            return (await conn.execute(
                select(CURSORS.c.covered_until).where(CURSORS.c.platform == platform,
                                                      CURSORS.c.staff_id == staff_id))
                    ).scalar_one_or_none()

    async def move_cursor(self, platform: str, staff_id: str, to: datetime) -> None:
        async def op(conn: AsyncConnection) -> None:
            key = {"platform": platform, "staff_id": staff_id}
            await conn.execute(insert_ignoring_duplicates(conn.dialect.name, CURSORS),
                               {**key, "covered_until": to})
            await conn.execute(update(CURSORS).where(CURSORS.c.platform == platform,
                                                     CURSORS.c.staff_id == staff_id)
                               .values(covered_until=to))
        await self._commits.run(op)

    # The work plan's columns -----------------------------------------------------------------

    async def plan_columns(self, plan: WorkPlan) -> dict[int, PlanColumns]:
        """Every issue's columns: the plan's YAML, overridden by the newest staff edits."""
        async with self._db.read() as conn:
            rows = await conn.execute(select(WORKPLAN_CHANGES.c.issue, WORKPLAN_CHANGES.c.column,
                                             WORKPLAN_CHANGES.c.value)
                                      .order_by(WORKPLAN_CHANGES.c.id))
            edits = {(issue, column): value for issue, column, value in rows}
        return {issue.number: PlanColumns(*(edits.get((issue.number, column),
                                                      getattr(issue, column))
                                            for column in PLAN_COLUMNS))
                for issue in plan.issues}

    async def set_plan_column(self, issue: int, column: str, value: str, previous: str,
                              platform: str, by: str, at: datetime) -> None:
        """Record the edit with who and when, in the plan's history and in the audit log."""
        if column not in PLAN_COLUMNS:
            raise ValueError(f"no work-plan column {column!r}")

        async def op(conn: AsyncConnection) -> None:
            await conn.execute(WORKPLAN_CHANGES.insert().values(
                issue=issue, column=column, value=value, platform=platform, changed_by=by,
                changed_at=at))
            await record_audit(conn, at, by, "workplan", None,
                         f"#{issue} {column}: {previous!r} → {value!r}", platform)
        await self._commits.run(op)

    # Moderation ------------------------------------------------------------------------------

    async def hide(self, ref: MessageRef, reason: str, by: str, at: datetime) -> bool | None:
        """Keep a message out of digests. None when it is not stored; False when it was
        hidden already (the first reason stays)."""
        async def op(conn: AsyncConnection) -> bool | None:
            stored = (await conn.execute(select(MESSAGES.c.message_id).where(
                is_message(MESSAGES, ref), MESSAGES.c.deleted_at.is_(None)))).first()
            if stored is None:
                return None
            result = await conn.execute(
                insert_ignoring_duplicates(conn.dialect.name, HIDDEN),
                {**key_columns(ref), "reason": reason, "hidden_by": by, "hidden_at": at})
            if result.rowcount != 1:
                return False
            await record_audit(conn, at, by, "hide", ref, reason)
            return True
        return await self._commits.run(op)

    async def find_message(self, word: str, platform: str, conversation_id: str
                           ) -> MessageRef | None:
        """A stored message by its permalink, or by its id in the given conversation."""
        key = (MESSAGES.c.platform, MESSAGES.c.conversation_id, MESSAGES.c.message_id)
        async with self._db.read() as conn:
            live = MESSAGES.c.deleted_at.is_(None)
            row = (await conn.execute(select(*key).where(MESSAGES.c.permalink == word, live)
                                      .limit(1))).first()
            if row is None:
                row = (await conn.execute(select(*key).where(
                    is_message(MESSAGES, MessageRef(platform, conversation_id, word)), live))
                       ).first()
        return MessageRef(*row) if row is not None else None

    async def audit_log(self, limit: int = 200, since: datetime | None = None
                        ) -> list[AuditEntry]:
        """The newest `limit` entries (since `since`), oldest first."""
        query = select(AUDIT).order_by(AUDIT.c.id.desc()).limit(limit)
        if since is not None:
            query = query.where(AUDIT.c.at >= since)
        async with self._db.read() as conn:
            rows = list(await conn.execute(query))
        return [AuditEntry(row.at, row.actor_id, row.action, row.platform, row.conversation_id,
                           row.message_id, row.detail) for row in reversed(rows)]

    # Scheduled digests -----------------------------------------------------------------------

    async def claim_delivery(self, start: datetime, end: datetime, step: Step, now: datetime,
                             lease: timedelta) -> bool:
        """True for the one caller that may deliver this period's `step` now: it is not done,
        and nobody else claimed it within `lease` (a claim older than that died mid-send)."""
        claimed, done = _STEP_COLUMNS[step]

        async def op(conn: AsyncConnection) -> bool:
            await conn.execute(insert_ignoring_duplicates(conn.dialect.name, SCHEDULED),
                               {"period_end": end, "period_start": start})
            result = await conn.execute(
                update(SCHEDULED)
                .where(SCHEDULED.c.period_end == end, SCHEDULED.c[done].is_(None),
                       SCHEDULED.c[claimed].is_(None) | (SCHEDULED.c[claimed] < now - lease))
                .values({claimed: now}))
            return bool(result.rowcount == 1)
        return await self._commits.run(op)

    async def finish_delivery(self, end: datetime, step: Step, at: datetime | None) -> None:
        """Mark the step delivered at `at`; None releases the claim for a later retry."""
        claimed, done = _STEP_COLUMNS[step]
        values = {done: at} if at is not None else {claimed: None}

        async def op(conn: AsyncConnection) -> None:
            await conn.execute(update(SCHEDULED).where(SCHEDULED.c.period_end == end)
                               .values(values))
        await self._commits.run(op)
