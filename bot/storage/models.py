"""SQLAlchemy tables. `*Row` classes never leave `bot.storage`."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    DateTime,
    Dialect,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite keeps them as naive UTC text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to storage")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# Stable constraint names, so that migrations can refer to them on every backend.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s",
    "pk": "pk_%(table_name)s",
}

Id = BigInteger().with_variant(Integer(), "sqlite")  # SQLite autoincrements INTEGER keys only
PLATFORM = String(16)
OPAQUE = String(255)  # platform ids: channel ids, room ids, event ids, user ids


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class MessageRow(Base):
    """Every message seen in a subscribed conversation (so that it can be tagged later).

    A deleted message stays as a tombstone: `deleted_at` set and every personal field blanked,
    so that a late or replayed event for it cannot bring it back (its key is taken)."""

    __tablename__ = "messages"

    platform: Mapped[str] = mapped_column(PLATFORM, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(OPAQUE, primary_key=True)
    message_id: Mapped[str] = mapped_column(OPAQUE, primary_key=True)
    conversation_name: Mapped[str | None] = mapped_column(OPAQUE)
    thread_id: Mapped[str | None] = mapped_column(OPAQUE)
    sender_id: Mapped[str] = mapped_column(OPAQUE)
    sender_name: Mapped[str | None] = mapped_column(OPAQUE)
    text: Mapped[str] = mapped_column(Text)
    permalink: Mapped[str | None] = mapped_column(Text)
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The message's kinds (`message_kinds`), keys in code-point order joined by spaces; NULL
    # when none. Kept by every write of kinds (`message_writes`, `new_messages`) so that an
    # export of a million inputs reads one column instead of a sub-query per row.
    kinds: Mapped[str | None] = mapped_column(Text)
    # The language the entry is in (ISO 639-1: `ar`, `zh`): the author's declared one, else
    # detected by the `detect-languages` job; `und` when neither could tell; NULL until the
    # job has looked (detection stays off the ingest path, see `bot.language_detection`).
    # Not indexed: a partial index of the messages waiting cost each new message a quarter of
    # the ingest rate (bench/), for a job that can afford a scan when something was stored.
    language: Mapped[str | None] = mapped_column(String(16))

    # No index on the sender: it would cost each new message a random B-tree insert (half of
    # the ingest time, see bench/), for the rare `forget-me`, which can afford a scan.


_MESSAGE_KEY = ("platform", "conversation_id", "message_id")


def _message_foreign_key() -> ForeignKeyConstraint:
    """Rows about a message go with it (a constraint belongs to one table: a new one each)."""
    return ForeignKeyConstraint(list(_MESSAGE_KEY), [f"messages.{c}" for c in _MESSAGE_KEY],
                                ondelete="CASCADE")


class TagRow(Base):
    """A message tagged to a work-plan issue. Sender and time are copied from the message
    (they never change) so that digest figures are one indexed scan of this table; so are
    what the inclusion lens counts by, kept in step wherever they change: the message's
    `language` (set by the detection job, cleared by an edit) and its author's stakeholder
    group (`member_groups`, rewritten here by `iam`)."""

    __tablename__ = "tags"

    platform: Mapped[str] = mapped_column(PLATFORM, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(OPAQUE, primary_key=True)
    message_id: Mapped[str] = mapped_column(OPAQUE, primary_key=True)
    issue: Mapped[int] = mapped_column(Integer, primary_key=True)
    sources: Mapped[int] = mapped_column(Integer)
    sender_id: Mapped[str] = mapped_column(OPAQUE)
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    tagged_by: Mapped[str] = mapped_column(OPAQUE)
    tagged_at: Mapped[datetime] = mapped_column(UTCDateTime)
    language: Mapped[str | None] = mapped_column(String(16))  # `messages.language`
    group_key: Mapped[str | None] = mapped_column(String(64))  # NULL: none declared

    __table_args__ = (
        _message_foreign_key(),
        # Covering: an issue's inputs in posting order with their keys, senders, languages
        # and groups, so that figures, weekly counts, the lens and export range cuts read
        # this index alone, and an export reaches the message straight from it (no look-up
        # of the tag row itself).
        Index("ix_tags_issue_posted_at_covering", "issue", "posted_at", "platform",
              "conversation_id", "message_id", "sender_id", "language", "group_key"),
    )


class KindRow(Base):
    """A kind of input (solution, quick win...) a message was marked with."""

    __tablename__ = "message_kinds"

    platform: Mapped[str] = mapped_column(PLATFORM, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(OPAQUE, primary_key=True)
    message_id: Mapped[str] = mapped_column(OPAQUE, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    sources: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        _message_foreign_key(),
    )


class ReactionRow(Base):
    """Who reacted with an issue's emoji: the reaction tag stays while anyone's reaction does."""

    __tablename__ = "reactions"

    platform: Mapped[str] = mapped_column(PLATFORM, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(OPAQUE, primary_key=True)
    message_id: Mapped[str] = mapped_column(OPAQUE, primary_key=True)
    issue: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[str] = mapped_column(OPAQUE, primary_key=True)
    reacted_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        _message_foreign_key(),
        Index(None, "platform", "user_id"),  # forget-me erases a person's reactions too
    )


class HandledEventRow(Base):
    """Platform events (and commands) already acted on: redeliveries are dropped here."""

    __tablename__ = "handled_events"

    platform: Mapped[str] = mapped_column(PLATFORM, primary_key=True)
    event_key: Mapped[str] = mapped_column(String(512), primary_key=True)
    handled_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MemberLanguageRow(Base):
    """The language a member chose (`lang es`) for the answers meant for them."""

    __tablename__ = "member_languages"

    platform: Mapped[str] = mapped_column(PLATFORM, primary_key=True)
    user_id: Mapped[str] = mapped_column(OPAQUE, primary_key=True)
    locale: Mapped[str] = mapped_column(String(16))
    chosen_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ConsentNoticeRow(Base):
    """A member told, privately, what plenary keeps of them: one row per member, so never
    twice. A claim whose notice was never marked told (a crash, a failed send) may be taken
    again once it is stale (`bot.storage.consent`)."""

    __tablename__ = "consent_notices"

    platform: Mapped[str] = mapped_column(PLATFORM, primary_key=True)
    user_id: Mapped[str] = mapped_column(OPAQUE, primary_key=True)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    told_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class StateRow(Base):
    """Small pieces of adapter state that must survive restarts (sync token, device id)."""

    __tablename__ = "bot_state"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditRow(Base):
    """Who tagged, untagged or erased what, and when."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[str] = mapped_column(OPAQUE)
    action: Mapped[str] = mapped_column(String(32))
    platform: Mapped[str] = mapped_column(PLATFORM)
    conversation_id: Mapped[str | None] = mapped_column(OPAQUE)
    message_id: Mapped[str | None] = mapped_column(OPAQUE)
    detail: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index(None, "at"),)
