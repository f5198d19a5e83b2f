"""Tables of the staff digests: cursors, work-plan edits, hidden inputs, scheduled runs."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import OPAQUE, PLATFORM, Base, Id, TagRow, UTCDateTime

# "Since your last digest" reads tags by the time they were tagged, issue by issue.
TAGGED_AT_INDEX = Index("ix_tags_issue_tagged_at", TagRow.issue, TagRow.tagged_at)


class DigestCursorRow(Base):
    """Where a staff member's previous digest ended: the next one starts there."""

    __tablename__ = "digest_cursors"

    platform: Mapped[str] = mapped_column(PLATFORM, primary_key=True)
    staff_id: Mapped[str] = mapped_column(OPAQUE, primary_key=True)
    covered_until: Mapped[datetime] = mapped_column(UTCDateTime)


class WorkplanChangeRow(Base):
    """One edit of a work-plan column by staff; the newest per issue and column is current."""

    __tablename__ = "workplan_changes"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    issue: Mapped[int] = mapped_column(Integer)
    column: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(Text)
    platform: Mapped[str] = mapped_column(PLATFORM)
    changed_by: Mapped[str] = mapped_column(OPAQUE)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index(None, "issue", "column", "id"),)


class HiddenInputRow(Base):
    """A message staff keep out of digests (spam, off-topic), with their reason."""

    __tablename__ = "hidden_inputs"

    platform: Mapped[str] = mapped_column(PLATFORM, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(OPAQUE, primary_key=True)
    message_id: Mapped[str] = mapped_column(OPAQUE, primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    hidden_by: Mapped[str] = mapped_column(OPAQUE)
    hidden_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ScheduledDigestRow(Base):
    """One period of the scheduled digest; each delivery step is claimed, then marked done,
    so that a restart or a second replica neither repeats nor drops it."""

    __tablename__ = "scheduled_digests"

    period_end: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    period_start: Mapped[datetime] = mapped_column(UTCDateTime)
    post_claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    mail_claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# Typed `Table`s for Core statements.
CURSORS = cast(Table, DigestCursorRow.__table__)
WORKPLAN_CHANGES = cast(Table, WorkplanChangeRow.__table__)
HIDDEN = cast(Table, HiddenInputRow.__table__)
SCHEDULED = cast(Table, ScheduledDigestRow.__table__)
