"""Tables of the inclusion lens: members' stakeholder groups and the nudges already posted."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import String, Table
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import OPAQUE, PLATFORM, Base, UTCDateTime


class MemberGroupRow(Base):
    """The stakeholder group a member belongs to (`iam GNSO`), declared or set by staff."""

    __tablename__ = "member_groups"

    platform: Mapped[str] = mapped_column(PLATFORM, primary_key=True)
    user_id: Mapped[str] = mapped_column(OPAQUE, primary_key=True)
    group_key: Mapped[str] = mapped_column(String(64))
    set_by: Mapped[str] = mapped_column(OPAQUE)
    set_at: Mapped[datetime] = mapped_column(UTCDateTime)


class NudgeSentRow(Base):
    """A nudge about silent issues posted to a conversation for one period: its key taken
    before posting, so that restarts and replicas post it once."""

    __tablename__ = "nudges_sent"

    platform: Mapped[str] = mapped_column(PLATFORM, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(OPAQUE, primary_key=True)
    period: Mapped[str] = mapped_column(String(32), primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)


MEMBER_GROUPS = cast(Table, MemberGroupRow.__table__)
NUDGES_SENT = cast(Table, NudgeSentRow.__table__)
