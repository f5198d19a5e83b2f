"""The values a digest is made of: filters, per-issue figures, entries and plan columns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.messages import MessageRef

PLAN_COLUMNS = ("responsible", "resources", "timeline")


@dataclass(frozen=True, slots=True)
class DigestFilters:
    """Empty fields mean "any". `since` (inclusive) and `until` (exclusive) bound when a
    message was posted. `tagged_since` (exclusive) and `tagged_until` (inclusive) bound when it
    was tagged: a digest up to now takes what was tagged at this very instant, and the next
    one, starting there, does not take it again."""

    issues: tuple[int, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    channel: str | None = None
    kinds: tuple[str, ...] = ()
    author: str | None = None
    tagged_since: datetime | None = None
    tagged_until: datetime | None = None

    @property
    def narrowed(self) -> bool:
        """Whether some input of the period is left out (an issue, channel, kind or author)."""
        return bool(self.issues or self.channel or self.kinds or self.author)


@dataclass(frozen=True, slots=True)
class IssueFigures:
    issue: int
    inputs: int
    contributors: int
    channels: int = 0
    new: int = 0  # tagged since the reader's previous digest


@dataclass(frozen=True, slots=True)
class WeekCount:
    issue: int
    week: str  # the week's Monday, `2019-10-07`
    inputs: int


@dataclass(frozen=True, slots=True)
class PlanColumns:
    """The work plan's three columns of one issue, as staff keep them."""

    responsible: str = ""
    resources: str = ""
    timeline: str = ""

    def get(self, column: str) -> str:
        return str(getattr(self, column))


@dataclass(frozen=True, slots=True)
class DigestEntry:
    issue: int
    ref: MessageRef
    conversation_name: str | None
    sender_id: str
    sender_name: str | None
    text: str
    kinds: tuple[str, ...]
    posted_at: datetime
    permalink: str | None
    language: str | None = None  # ISO 639-1, `und` when undetermined, None until detected
    group: str | None = None  # the author's stakeholder group, None when not declared

    @property
    def author(self) -> str:
        return self.sender_name or self.sender_id

    @property
    def channel(self) -> str:
        return self.conversation_name or self.ref.conversation_id
