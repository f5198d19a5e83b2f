"""Reminder values: milestones as schedules (from the plan or the database) and deliveries."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from bot.recurrence import Recurrence, fire_time

if TYPE_CHECKING:
    from bot.workplan import Localized

Span = Literal["at", "day", "week"]


@dataclass(frozen=True, slots=True)
class Title:
    """A milestone's title: English and French (what staff commands set and the database
    keeps), and for the plan's own milestones whatever languages the plan gives."""

    en: str
    fr: str
    others: tuple[tuple[str, str], ...] = ()

    def get(self, locale: str) -> str:
        if locale == "fr":
            return self.fr
        return dict(self.others).get(locale) or self.en

    @classmethod
    def of(cls, texts: Localized) -> Title:
        others = tuple(sorted((k, v) for k, v in texts.translations.items() if k != "fr"))
        return cls(texts.en, texts.get("fr"), others)


@dataclass(frozen=True, slots=True)
class Schedule:
    """One milestone, whatever its source: when it happens and whom to remind, how early.

    `key` names it in deliveries (`plan:icann66`, `db:12`); `revision` grows with each edit.
    Reminders due before `defined_at` never existed (a milestone added or moved late)."""

    key: str
    revision: int
    title: Title
    zone: ZoneInfo
    leads: tuple[timedelta, ...]
    targets: tuple[str, ...] = ()
    starts_at: datetime | None = None
    span: Span = "at"
    recurrence: Recurrence | None = None
    until: date | None = None
    link: str = ""
    issues: tuple[int, ...] = ()
    description: Title | None = None
    defined_at: datetime | None = None

    @property
    def label(self) -> str:
        """What staff type to edit or remove it: `12` or the plan key."""
        source, _, name = self.key.partition(":")
        return name


@dataclass(frozen=True, slots=True)
class Due:
    """A reminder whose time has come: `lead` ahead of one occurrence, for one target."""

    schedule: Schedule
    occurrence_at: datetime
    lead: timedelta
    target: str

    @property
    def fire_at(self) -> datetime:
        return fire_time(self.occurrence_at, self.lead, self.schedule.zone)

    @property
    def key(self) -> DeliveryKey:
        return DeliveryKey(self.schedule.key, self.occurrence_at,
                           int(self.lead.total_seconds()), self.target)


@dataclass(frozen=True, slots=True)
class DeliveryKey:
    """The unique identity of one post: claimed once in the database, whoever ticks."""

    milestone_key: str
    occurrence_at: datetime
    lead_seconds: int
    target: str

    @property
    def idempotency_key(self) -> str:
        """Deterministic, so that a resend after a crash reuses it (a Matrix txn id)."""
        raw = (f"{self.milestone_key}|{self.occurrence_at.timestamp():.0f}|"
               f"{self.lead_seconds}|{self.target}")
        return "plenary-reminder-" + hashlib.sha256(raw.encode()).hexdigest()[:32]


class DeliveryState(Enum):
    CLAIMED = "claimed"  # won by one process, not yet handed to the platform
    SENDING = "sending"  # handed to the platform: a crash here resends with the same key
    SENT = "sent"
    LATE = "late"  # sent after its time (the bot was down), within the grace period
    FAILED = "failed"  # the platform refused; retried until the grace period ends
    MISSED = "missed"  # too late to post: reported to staff instead
    CANCELLED = "cancelled"  # the milestone was edited or removed before the post


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    key: DeliveryKey
    revision: int
    fire_at: datetime
    state: DeliveryState
    attempts: int


@dataclass(frozen=True, slots=True)
class MilestoneDraft:
    """A milestone as staff wrote it with `milestone add` / `edit`."""

    title: Title
    timezone: str
    starts_at: datetime | None = None
    whole_day: bool = False
    recurrence: str | None = None
    until: date | None = None
    leads: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    link: str = ""
    issues: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class StoredMilestone:
    id: int
    draft: MilestoneDraft
    revision: int
    created_by: str
    revised_at: datetime
