"""Tables of the reminders: milestones added by staff, and one claimed row per delivery."""

from __future__ import annotations

from datetime import date, datetime
from typing import cast

from sqlalchemy import Boolean, Date, Index, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import OPAQUE, Base, Id, UTCDateTime


class MilestoneRow(Base):
    """A milestone staff added with `milestone add`; edits bump `revision`, removal sets
    `cancelled_at` (kept, so that deliveries already made still name what they were for)."""

    __tablename__ = "milestones"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    title_en: Mapped[str] = mapped_column(Text)
    title_fr: Mapped[str] = mapped_column(Text)
    timezone: Mapped[str] = mapped_column(String(64))
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    whole_day: Mapped[bool] = mapped_column(Boolean, default=False)
    recurrence: Mapped[str | None] = mapped_column(String(120))
    until_on: Mapped[date | None] = mapped_column(Date)
    leads: Mapped[str] = mapped_column(String(200))  # "7d,1d,1h"
    targets: Mapped[str] = mapped_column(Text)  # "slack:C1\nmatrix:!room:server"
    link: Mapped[str] = mapped_column(Text)
    issues: Mapped[str] = mapped_column(String(200))  # "1,3"
    created_by: Mapped[str] = mapped_column(OPAQUE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revision: Mapped[int] = mapped_column(Integer)
    revised_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ReminderDeliveryRow(Base):
    """One reminder post: milestone, occurrence, lead and target, claimed by exactly one
    process before it is sent (the unique constraint is the whole of the coordination)."""

    __tablename__ = "reminder_deliveries"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    milestone_key: Mapped[str] = mapped_column(String(120))  # "plan:icann66", "db:12"
    occurrence_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lead_seconds: Mapped[int] = mapped_column(Integer)
    target: Mapped[str] = mapped_column(String(300))  # "slack:C123", "console"
    revision: Mapped[int] = mapped_column(Integer)
    fire_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(16))
    claimed_by: Mapped[str] = mapped_column(String(80))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: never retried
    attempts: Mapped[int] = mapped_column(Integer)
    message_id: Mapped[str | None] = mapped_column(OPAQUE)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        # Named by hand: the generated name would pass PostgreSQL's 63-character limit.
        UniqueConstraint("milestone_key", "occurrence_at", "lead_seconds", "target",
                         name="uq_reminder_deliveries_key"),
        Index(None, "fire_at"),
        Index(None, "state", "lease_until"),
    )


MILESTONES = cast(Table, MilestoneRow.__table__)
DELIVERIES = cast(Table, ReminderDeliveryRow.__table__)
