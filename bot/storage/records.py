"""Plain values the repository returns (never ORM rows)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from bot.messages import MessageRef
from bot.tags import TagSet


class SaveOutcome(Enum):
    NEW = "new"  # stored now
    # Stored now, and the sender's first stored message: their consent notice is due.
    NEW_MEMBER = "new member"
    REPEAT = "repeat"  # seen before: a redelivery, or a replay of a deleted message (kept out)

    @property
    def stored(self) -> bool:
        return self is not SaveOutcome.REPEAT


@dataclass(frozen=True, slots=True)
class StoredMessage:
    ref: MessageRef
    conversation_name: str | None
    sender_id: str
    sender_name: str | None
    text: str
    permalink: str | None
    posted_at: datetime
    edited_at: datetime | None


@dataclass(frozen=True, slots=True)
class TagChange:
    """What a tagging write changed: the issues and kinds added and removed."""

    added: TagSet = TagSet()
    removed: TagSet = TagSet()
