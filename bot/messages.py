"""Neutral events and value types: what adapters hand to the core, whatever the platform."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final


@dataclass(frozen=True, slots=True)
class Conversation:
    """A channel or room; `id` is opaque to the core. `name` is for display only."""

    platform: str
    id: str
    thread_id: str | None = None
    name: str | None = field(default=None, compare=False)

    @property
    def label(self) -> str:
        return self.name or self.id


CONVERSATION_FORMS = "slack:C0123ABCD, matrix:!room:example.org or console"
_ID_SHAPES = {"slack": re.compile(r"[CGD][A-Z0-9]{2,}"),  # an id (C0123ABCD), not #general
              "matrix": re.compile(r"[!#][^:\s]+:\S+"),  # !room:server or #alias:server
              "console": re.compile(r"(?!)")}  # only `console` itself, handled above
_ANY_ID = re.compile(r"\S+")


def parse_conversation(setting: str) -> Conversation:
    """A conversation named in a setting: `slack:C123`, `matrix:!room:server` or `console`.

    Raises ValueError naming the forms. Other platforms (`test:room`) are taken as written:
    which platforms run is the settings' business, not this parser's.
    """
    platform, _, conversation_id = setting.strip().partition(":")
    if platform == "console" and conversation_id in ("", "console"):
        return Conversation("console", "console")  # the console has one conversation
    shape = _ID_SHAPES.get(platform, _ANY_ID)
    if not platform.isalpha() or shape.fullmatch(conversation_id) is None:
        raise ValueError(f"{setting!r} is not a conversation; write {CONVERSATION_FORMS}")
    return Conversation(platform, conversation_id)


@dataclass(frozen=True, slots=True)
class MessageRef:
    """Identity of one message: unique per platform and conversation."""

    platform: str
    conversation_id: str
    message_id: str


@dataclass(frozen=True, slots=True)
class AboutMessage:
    """What every event carries: the message it is about (its first two fields)."""

    where: Conversation
    message_id: str

    @property
    def ref(self) -> MessageRef:
        return MessageRef(self.where.platform, self.where.id, self.message_id)


@dataclass(frozen=True, slots=True)
class IncomingMessage(AboutMessage):
    sender_id: str
    text: str
    sent_at: datetime
    reply_to_id: str | None = None
    sender_name: str | None = field(default=None, compare=False)
    permalink: str | None = field(default=None, compare=False)
    # Where the platform wants this command's answers, opaque to the core (a Slack slash
    # command's response_url); None: answered in `where`, as any message.
    answer_to: str | None = field(default=None, compare=False, repr=False)
    # The people the platform marked as mentioned: (the words the text shows for them, their
    # id). A Slack mention reads `@Alice Example` in `text`; a command naming her needs U0123.
    mentions: tuple[tuple[str, str], ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class MessageEdited(AboutMessage):
    sender_id: str
    new_text: str
    edited_at: datetime


@dataclass(frozen=True, slots=True)
class MessageDeleted(AboutMessage):
    deleted_at: datetime


@dataclass(frozen=True, slots=True)
class ReactionAdded(AboutMessage):
    """`reaction` is the platform's own spelling: an emoji (Matrix) or a name (Slack)."""

    sender_id: str
    reaction: str
    reacted_at: datetime


@dataclass(frozen=True, slots=True)
class ReactionRemoved(AboutMessage):
    sender_id: str
    reaction: str
    removed_at: datetime


@dataclass(frozen=True, slots=True)
class TagsChosen(AboutMessage):
    """Tags a member picked for a message in a platform's own form (Slack's "Tag to
    work-plan issue" shortcut) rather than by a command."""

    sender_id: str
    issues: tuple[int, ...]
    kinds: tuple[str, ...]
    chosen_at: datetime


@dataclass(frozen=True, slots=True)
class InvitedToRoom:
    """Someone invited the bot to `where`; `direct`: a one-to-one chat, not a room to follow."""

    where: Conversation
    inviter_id: str
    direct: bool = False


Event = (IncomingMessage | MessageEdited | MessageDeleted | ReactionAdded | ReactionRemoved
         | TagsChosen | InvitedToRoom)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one event handed to the core: handled, a `duplicate` (a redelivery of
    one already handled), or failed with `error`. An `outage` (the database did not answer)
    means: do not acknowledge, the platform redelivers (the sync token stays where it was);
    any other failure is that event's alone, and retrying it cannot help."""

    duplicate: bool = False
    error: BaseException | None = field(default=None, compare=False)
    outage: bool = False


HANDLED: Final = Outcome()
DUPLICATE: Final = Outcome(duplicate=True)


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file the bot sends, e.g. a digest export."""

    filename: str
    content: bytes
    mime_type: str


@dataclass(frozen=True, slots=True)
class Reply:
    """What a handler answers. `private` replies reach only the asker. `after_delivery` runs
    once the answer was sent, never if sending failed (a digest moves its reader's cursor)."""

    text: str
    private: bool = False
    attachment: Attachment | None = None
    after_delivery: Callable[[], Awaitable[None]] | None = field(default=None, compare=False)
