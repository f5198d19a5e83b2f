"""One `Chat` for the core over every running adapter, chosen by the conversation's platform."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.errors import AdapterError
from bot.messages import Attachment, Conversation
from bot.ports import Chat, StaffDirectory


class ChatHub:
    def __init__(self, chats: Mapping[str, Chat]) -> None:
        self._chats = dict(chats)

    def _for(self, where: Conversation) -> Chat:
        try:
            return self._chats[where.platform]
        except KeyError:
            raise AdapterError(f"no adapter runs for platform {where.platform!r}") from None

    async def send(self, where: Conversation, text: str, *, reply_to: str | None = None,
                   idempotency_key: str | None = None) -> str:
        return await self._for(where).send(where, text, reply_to=reply_to,
                                           idempotency_key=idempotency_key)

    async def send_private(self, where: Conversation, user_id: str, text: str, *,
                           reply_to: str | None = None, answer_to: str | None = None
                           ) -> str | None:
        return await self._for(where).send_private(where, user_id, text, reply_to=reply_to,
                                                   answer_to=answer_to)

    async def send_file(self, where: Conversation, user_id: str, attachment: Attachment,
                        text: str, *, reply_to: str | None = None,
                        answer_to: str | None = None) -> str | None:
        return await self._for(where).send_file(where, user_id, attachment, text,
                                                reply_to=reply_to, answer_to=answer_to)

    async def react(self, where: Conversation, message_id: str, reaction: str) -> None:
        await self._for(where).react(where, message_id, reaction)

    async def permalink(self, where: Conversation, message_id: str) -> str | None:
        return await self._for(where).permalink(where, message_id)

    async def message_id_named(self, where: Conversation, word: str) -> str | None:
        return await self._for(where).message_id_named(where, word)


class AnyStaff:
    """Staff when any directory says so (the allow-list, a Slack group, a Matrix staff room)."""

    def __init__(self, directories: Sequence[StaffDirectory]) -> None:
        self._directories = tuple(directories)

    async def is_staff(self, platform: str, user_id: str) -> bool:
        for directory in self._directories:
            if await directory.is_staff(platform, user_id):
                return True
        return False
