"""The values a digest is made of: filters, per-issue figures and entries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.messages import MessageRef


@dataclass(frozen=True, slots=True)
class DigestFilters:
    """Empty fields mean "any". `since` is inclusive and `until` exclusive."""

    issues: tuple[int, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    channel: str | None = None
    kinds: tuple[str, ...] = ()
    author: str | None = None


@dataclass(frozen=True, slots=True)
class IssueFigures:
    issue: int
    inputs: int
    contributors: int


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

    @property
    def author(self) -> str:
        return self.sender_name or self.sender_id

    @property
    def channel(self) -> str:
        return self.conversation_name or self.ref.conversation_id
