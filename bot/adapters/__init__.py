"""Adapters turn platform events into neutral events and implement `Chat` for the core."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from bot.messages import Event, Outcome
from bot.ports import Chat, StaffDirectory

# The core's one entry (`Router.handle`): events received together in, one outcome each out.
# An adapter acknowledges an event (or moves its sync token) only once it did not fail with
# an outage; any other `Outcome.error` is that event's problem, already logged.
Dispatch = Callable[[Sequence[Event]], Awaitable[list[Outcome]]]


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
