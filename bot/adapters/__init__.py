"""Adapters turn platform events into neutral events and implement `Chat` for the core."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from bot.messages import Event
from bot.ports import Chat, StaffDirectory

Dispatch = Callable[[Event], Awaitable[None]]


class Adapter(Protocol):
    platform: str

    @property
    def chat(self) -> Chat: ...

    def staff_directory(self) -> StaffDirectory | None:
        """Extra staff this platform knows of (a user group, a staff room), if configured."""
        ...

    async def serve(self, dispatch: Dispatch) -> None:
        """Run until stopped (or, for the console, until its input ends)."""
        ...
