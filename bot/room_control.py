"""What the core may ask a platform about rooms: answer an invite, leave one, read its past
messages, or how many messages it could not read (end-to-end encrypted ones whose keys never
came)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol, runtime_checkable

from bot.errors import AdapterError
from bot.messages import Conversation


@runtime_checkable
class RoomControl(Protocol):
    def supports(self, platform: str) -> bool: ...

    async def leave(self, where: Conversation, farewell: str) -> None:
        """Post `farewell` in `where`, leave it, and stop following it (also after restarts)."""
        ...

    async def accept_invite(self, where: Conversation, *, follow: bool) -> None:
        """Join `where`, and if `follow`, store its messages (also after restarts)."""
        ...

    async def decline_invite(self, where: Conversation, reason: str) -> None:
        """Refuse the invite to `where`; `reason` is shown to the inviter where possible."""
        ...

    async def backfill(self, where: Conversation, since: datetime) -> int:
        """Read the messages of `where` posted since `since` and dispatch them, as if they had
        just arrived (commands excepted); returns how many messages were read."""
        ...

    async def unreadable(self, platform: str) -> int:
        """Messages delivered to the bot that it still cannot read (staff are told)."""
        ...


class RoomControls:
    """One `RoomControl` over every adapter that has one, chosen by the platform."""

    def __init__(self, controls: Iterable[object]) -> None:
        self._controls = [c for c in controls if isinstance(c, RoomControl)]

    def _for(self, platform: str) -> RoomControl:
        for control in self._controls:
            if control.supports(platform):
                return control
        raise AdapterError(f"no room control for platform {platform!r}")

    def supports(self, platform: str) -> bool:
        return any(control.supports(platform) for control in self._controls)

    async def leave(self, where: Conversation, farewell: str) -> None:
        await self._for(where.platform).leave(where, farewell)

    async def accept_invite(self, where: Conversation, *, follow: bool) -> None:
        await self._for(where.platform).accept_invite(where, follow=follow)

    async def decline_invite(self, where: Conversation, reason: str) -> None:
        await self._for(where.platform).decline_invite(where, reason)

    async def backfill(self, where: Conversation, since: datetime) -> int:
        return await self._for(where.platform).backfill(where, since)

    async def unreadable(self, platform: str) -> int:
        return sum([await control.unreadable(platform) for control in self._controls
                    if control.supports(platform)])
