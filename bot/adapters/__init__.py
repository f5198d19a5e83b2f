"""Adapters turn platform events into neutral events and implement `Chat` for the core."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from bot.messages import Event
from bot.ports import Chat, StaffDirectory

Dispatch = Callable[[Event], Awaitable[None]]


async def dispatch_together(dispatch: Dispatch, events: Sequence[Event]) -> None:
    """Hand over events received together (a sync batch). The router takes them as one burst
    (`Router.many`); any other `Dispatch` (a test's recorder) gets them as concurrent calls,
    started in order. Either way one failing event does not stop the others; the first
    failure is raised once all were tried."""
    many = getattr(dispatch, "many", None)
    if many is not None:
        await many(events)
        return
    results = await asyncio.gather(*(dispatch(event) for event in events),
                                   return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result


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
