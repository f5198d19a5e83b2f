"""The reminders' repository: staff milestones, delivery claims and the checked-until mark.

Every delivery is a row claimed with INSERT … ON CONFLICT DO NOTHING before anything is sent:
whichever process (replica, restarted bot, doubled tick) inserts it is the only one to post.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.reminder_values import (
    Delivery,
    DeliveryKey,
    DeliveryState,
    MilestoneDraft,
    StoredMilestone,
    Title,
)
from bot.storage.database import Database
from bot.storage.group_commit import GroupCommit
from bot.storage.models_reminders import DELIVERIES, MILESTONES
from bot.storage.sql import insert_ignoring_duplicates, storable_text
from bot.storage.tables import STATE

CHECKED_UNTIL = "reminders.checked_until"
RETRYABLE = (DeliveryState.CLAIMED.value, DeliveryState.SENDING.value,
             DeliveryState.FAILED.value)


def _draft_columns(draft: MilestoneDraft) -> dict[str, Any]:
    return {
        "title_en": storable_text(draft.title.en), "title_fr": storable_text(draft.title.fr),
        "timezone": draft.timezone, "starts_at": draft.starts_at, "whole_day": draft.whole_day,
        "recurrence": draft.recurrence, "until_on": draft.until,
        "leads": ",".join(draft.leads), "targets": "\n".join(draft.targets),
        "link": storable_text(draft.link), "issues": ",".join(str(n) for n in draft.issues),
    }


def _milestone(row: Row[Any]) -> StoredMilestone:
    until: date | None = row.until_on
    draft = MilestoneDraft(
        title=Title(row.title_en, row.title_fr), timezone=row.timezone, starts_at=row.starts_at,
        whole_day=row.whole_day, recurrence=row.recurrence, until=until,
        leads=tuple(lead for lead in row.leads.split(",") if lead),
        targets=tuple(target for target in row.targets.split("\n") if target),
        link=row.link, issues=tuple(int(n) for n in row.issues.split(",") if n))
    return StoredMilestone(row.id, draft, row.revision, row.created_by, row.revised_at)


def _delivery(row: Row[Any]) -> Delivery:
    key = DeliveryKey(row.milestone_key, row.occurrence_at, row.lead_seconds, row.target)
    return Delivery(row.id, key, row.revision, row.fire_at, DeliveryState(row.state),
                    row.attempts)


def _stamp(at: datetime) -> str:
    """Fixed width, so that comparing the text compares the instants."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


async def _still_current(conn: AsyncConnection, milestone_key: str, revision: int) -> bool:
    """Is this milestone (at this revision) still wanted? Plan milestones always are.

    On PostgreSQL the row is share-locked, so an edit committing meanwhile waits for us, or
    we see it: a removed or edited milestone is never posted in its old form."""
    source, _, name = milestone_key.partition(":")
    if source != "db":
        return True
    query = (select(MILESTONES.c.revision, MILESTONES.c.cancelled_at)
             .where(MILESTONES.c.id == int(name)).with_for_update(read=True))
    row = (await conn.execute(query)).first()
    return row is not None and row.cancelled_at is None and row.revision == revision


async def _checked_until(conn: AsyncConnection) -> datetime | None:
    value = (await conn.execute(select(STATE.c.value).where(STATE.c.key == CHECKED_UNTIL))
             ).scalar_one_or_none()
    return datetime.fromisoformat(value) if value is not None else None


@dataclass(frozen=True, slots=True)
class TickView:
    milestones: list[StoredMilestone]
    checked_until: datetime | None
    start: datetime  # reminders due after this are the tick's business
    claimed: set[DeliveryKey]  # already claimed (in any state) since `start`
    stale: list[Delivery]  # unfinished, their lease run out: a crash or a failed send


class ReminderStore:
    def __init__(self, db: Database, commits: GroupCommit) -> None:
        self._db = db
        self._commits = commits

    # Milestones staff keep in the database -------------------------------------------------

    async def add_milestone(self, draft: MilestoneDraft, by: str, at: datetime) -> int:
        async def op(conn: AsyncConnection) -> int:
            result = await conn.execute(MILESTONES.insert().values(
                **_draft_columns(draft), created_by=by, created_at=at, revision=1,
                revised_at=at, cancelled_at=None).returning(MILESTONES.c.id))
            return int(result.scalar_one())
        return await self._commits.run(op)

    async def revise_milestone(self, milestone_id: int, draft: MilestoneDraft,
                               expected_revision: int, at: datetime) -> bool:
        """Replace a milestone; False when it is gone or someone else edited it meanwhile."""
        async def op(conn: AsyncConnection) -> bool:
            result = await conn.execute(
                update(MILESTONES)
                .where(MILESTONES.c.id == milestone_id, MILESTONES.c.cancelled_at.is_(None),
                       MILESTONES.c.revision == expected_revision)
                .values(**_draft_columns(draft), revision=expected_revision + 1,
                        revised_at=at))
            return bool(result.rowcount == 1)
        return await self._commits.run(op)

    async def cancel_milestone(self, milestone_id: int, at: datetime) -> bool:
        async def op(conn: AsyncConnection) -> bool:
            result = await conn.execute(
                update(MILESTONES)
                .where(MILESTONES.c.id == milestone_id, MILESTONES.c.cancelled_at.is_(None))
                .values(cancelled_at=at, revision=MILESTONES.c.revision + 1, revised_at=at))
            return bool(result.rowcount == 1)
        return await self._commits.run(op)

    async def milestone(self, milestone_id: int) -> StoredMilestone | None:
        async with self._db.read() as conn:
            row = (await conn.execute(select(MILESTONES).where(
                MILESTONES.c.id == milestone_id, MILESTONES.c.cancelled_at.is_(None)))).first()
        return _milestone(row) if row is not None else None

    async def active_milestones(self) -> list[StoredMilestone]:
        async with self._db.read() as conn:
            rows = await conn.execute(select(MILESTONES).where(
                MILESTONES.c.cancelled_at.is_(None)).order_by(MILESTONES.c.id))
            return [_milestone(row) for row in rows]

    # Deliveries ----------------------------------------------------------------------------

    async def snapshot(self, now: datetime, grace: timedelta) -> TickView:
        """What a tick needs, read in one go: the milestones, the window to look at (back over
        the grace period, and back to the last check after downtime), what is already claimed
        in it, and what was left unfinished."""
        async with self._db.read() as conn:
            rows = await conn.execute(select(MILESTONES).where(
                MILESTONES.c.cancelled_at.is_(None)).order_by(MILESTONES.c.id))
            milestones = [_milestone(row) for row in rows]
            checked = await _checked_until(conn)
            start = now - grace if checked is None else min(checked, now - grace)
            rows = await conn.execute(
                select(DELIVERIES.c.milestone_key, DELIVERIES.c.occurrence_at,
                       DELIVERIES.c.lead_seconds, DELIVERIES.c.target)
                .where(DELIVERIES.c.fire_at > start))
            claimed = {DeliveryKey(*row) for row in rows}
            rows = await conn.execute(
                select(DELIVERIES).where(DELIVERIES.c.state.in_(RETRYABLE),
                                         DELIVERIES.c.lease_until.is_not(None),
                                         DELIVERIES.c.lease_until < now)
                .order_by(DELIVERIES.c.fire_at))
            stale = [_delivery(row) for row in rows]
        return TickView(milestones, checked, start, claimed, stale)

    async def claim(self, key: DeliveryKey, revision: int, fire_at: datetime,
                    state: DeliveryState, claimer: str, at: datetime,
                    lease_until: datetime | None) -> int | None:
        """The new row's id if this process won the delivery; None if anyone had it already
        or the milestone was removed or edited in the meantime."""
        async def op(conn: AsyncConnection) -> int | None:
            if not await _still_current(conn, key.milestone_key, revision):
                return None
            insert = insert_ignoring_duplicates(conn.dialect.name, DELIVERIES).values(
                milestone_key=key.milestone_key, occurrence_at=key.occurrence_at,
                lead_seconds=key.lead_seconds, target=key.target, revision=revision,
                fire_at=fire_at, state=state.value, claimed_by=claimer, claimed_at=at,
                lease_until=lease_until, attempts=0,
                finished_at=None if state is DeliveryState.CLAIMED else at)
            won = (await conn.execute(insert.returning(DELIVERIES.c.id))).scalar_one_or_none()
            return int(won) if won is not None else None
        return await self._commits.run(op)

    async def start_sending(self, delivery: Delivery, claimer: str, at: datetime) -> bool:
        """Mark the delivery as handed to the platform, if it is still ours and still wanted;
        otherwise it is cancelled and must not be sent."""
        async def op(conn: AsyncConnection) -> bool:
            if not await _still_current(conn, delivery.key.milestone_key, delivery.revision):
                await conn.execute(update(DELIVERIES).where(
                    DELIVERIES.c.id == delivery.id, DELIVERIES.c.claimed_by == claimer)
                    .values(state=DeliveryState.CANCELLED.value, lease_until=None,
                            finished_at=at))
                return False
            result = await conn.execute(
                update(DELIVERIES)
                .where(DELIVERIES.c.id == delivery.id, DELIVERIES.c.claimed_by == claimer,
                       DELIVERIES.c.state.in_(RETRYABLE))
                .values(state=DeliveryState.SENDING.value, attempts=DELIVERIES.c.attempts + 1))
            return bool(result.rowcount == 1)
        return await self._commits.run(op)

    async def finish(self, delivery_id: int, state: DeliveryState, at: datetime, *,
                     message_id: str | None = None, error: str | None = None,
                     retry_at: datetime | None = None) -> None:
        """Record the outcome; `retry_at` leaves a failed delivery open for another try."""
        async def op(conn: AsyncConnection) -> None:
            await conn.execute(update(DELIVERIES).where(DELIVERIES.c.id == delivery_id).values(
                state=state.value, message_id=message_id, error=error, lease_until=retry_at,
                finished_at=at))
        await self._commits.run(op)

    async def reclaim(self, delivery: Delivery, claimer: str, now: datetime,
                      lease_until: datetime) -> bool:
        """Take over an unfinished delivery; only one process can (its lease is compared)."""
        async def op(conn: AsyncConnection) -> bool:
            result = await conn.execute(
                update(DELIVERIES)
                .where(DELIVERIES.c.id == delivery.id, DELIVERIES.c.state.in_(RETRYABLE),
                       DELIVERIES.c.lease_until < now)
                .values(claimed_by=claimer, claimed_at=now, lease_until=lease_until))
            return bool(result.rowcount == 1)
        return await self._commits.run(op)

    async def deliveries(self) -> list[Delivery]:
        async with self._db.read() as conn:
            rows = await conn.execute(select(DELIVERIES).order_by(DELIVERIES.c.id))
            return [_delivery(row) for row in rows]

    # How far the reminders have been checked: a restart catches up from there ------------

    async def checked_until(self) -> datetime | None:
        async with self._db.read() as conn:
            return await _checked_until(conn)

    async def advance_checked_until(self, at: datetime) -> None:
        """Move the mark forward only: a replica with a slower clock never moves it back."""
        async def op(conn: AsyncConnection) -> None:
            dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
            insert = dialect.insert(STATE).values(key=CHECKED_UNTIL, value=_stamp(at),
                                                  updated_at=at)
            await conn.execute(insert.on_conflict_do_update(
                index_elements=["key"], set_={"value": insert.excluded.value,
                                              "updated_at": insert.excluded.updated_at},
                where=STATE.c.value < insert.excluded.value))
        await self._commits.run(op)
