"""Protocols the core needs from the outside world: chat platforms, staff lists and time."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

from bot.messages import Attachment, Conversation


class Chat(Protocol):
    """What the core may do on a chat platform. Text is neutral markup (see `bot.text`).

    `answer_to` is a command's own private answer channel when its platform gave one
    (`IncomingMessage.answer_to`: a Slack slash command's response_url): a private answer
    goes there instead of the platform's usual private place."""

    async def send(self, where: Conversation, text: str, *, reply_to: str | None = None,
                   idempotency_key: str | None = None) -> str:
        """Post `text` in `where` (its thread when set); returns the new message id.

        The same `idempotency_key` sent twice (a retry after a crash) must not post twice
        where the platform allows it (a Matrix transaction id)."""
        ...

    async def send_private(self, where: Conversation, user_id: str, text: str, *,
                           reply_to: str | None = None, answer_to: str | None = None
                           ) -> str | None:
        """Answer `user_id` so that only they see it (ephemeral, direct room...). When the
        answer goes elsewhere, a note in `where` (a reply to `reply_to`) says where it went."""
        ...

    async def send_file(
        self, where: Conversation, user_id: str, attachment: Attachment, text: str, *,
        reply_to: str | None = None, answer_to: str | None = None
    ) -> str | None:
        """Hand `attachment` privately to `user_id`, with `text` as its caption."""
        ...

    async def react(self, where: Conversation, message_id: str, reaction: str) -> None:
        """Acknowledge a message with a reaction (an emoji)."""
        ...

    async def permalink(self, where: Conversation, message_id: str) -> str | None: ...

    async def message_id_named(self, where: Conversation, word: str) -> str | None:
        """The id of a message a person named in the platform's own short form (the
        console's `m3`); None when `word` is no such name (links and ids are looked up in
        storage)."""
        ...


class StaffDirectory(Protocol):
    """Who may run staff-only commands. Never the power level of the room typed in."""

    async def is_staff(self, platform: str, user_id: str) -> bool: ...


class Clock(Protocol):
    def now(self) -> datetime:
        """An aware datetime in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)
