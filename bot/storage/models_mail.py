"""Tables of the mailing list: each post's whole text and headers, and members' addresses."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import ForeignKeyConstraint, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import OPAQUE, PLATFORM, Base, UTCDateTime


class MailPostRow(Base):
    """What a list post has beyond its `messages` row (which holds its excerpt, sender,
    thread and archive link): the subject, the whole body and its threading headers."""

    __tablename__ = "mail_posts"

    platform: Mapped[str] = mapped_column(PLATFORM, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(OPAQUE, primary_key=True)  # the list
    message_id: Mapped[str] = mapped_column(OPAQUE, primary_key=True)  # without brackets
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    in_reply_to: Mapped[str | None] = mapped_column(OPAQUE)
    reference_ids: Mapped[str] = mapped_column(Text)  # Message-IDs, space-separated, oldest first
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        ForeignKeyConstraint(
            ["platform", "conversation_id", "message_id"],
            ["messages.platform", "messages.conversation_id", "messages.message_id"],
            ondelete="CASCADE"),
    )


class EmailLinkRow(Base):
    """A member's claim to a mail address, confirmed by the code mailed to it: what lets
    `forget-me` in chat erase that address's list posts too."""

    __tablename__ = "email_links"

    platform: Mapped[str] = mapped_column(PLATFORM, primary_key=True)
    user_id: Mapped[str] = mapped_column(OPAQUE, primary_key=True)
    address: Mapped[str] = mapped_column(OPAQUE, primary_key=True)  # lower-case
    code: Mapped[str] = mapped_column(String(32))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index(None, "address"),)


MAIL_POSTS = cast(Table, MailPostRow.__table__)
EMAIL_LINKS = cast(Table, EmailLinkRow.__table__)
