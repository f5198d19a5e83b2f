"""Adapters turn platform events into neutral events and implement `Chat` for the core."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from bot.messages import Event, Outcome
from bot.ports import Chat, StaffDirectory

# The core's one entry (`Router.handle`): events received together in, one outcome each out.
# An adapter acknowledges an event (or moves its sync token) only once it did not fail with
# an outage (`raise_on_outage`); any other `Outcome.error` is that event's problem, already
# logged: redelivered, it would only fail again.
Dispatch = Callable[[Sequence[Event]], Awaitable[list[Outcome]]]


class StorageUnavailable(RuntimeError):
    """The database failed under events: they must not be acknowledged (a Slack delivery is
    answered 5xx, a Matrix sync token stays), so that they come again."""


def raise_on_outage(outcomes: Sequence[Outcome]) -> None:
    """An event the database failed under: nothing of the batch may count as done. Any other
    failure is that event's alone (logged by the core) and is skipped."""
    outage = next((outcome.error for outcome in outcomes if outcome.outage), None)
    if outage is not None:
        raise StorageUnavailable(f"storage failed under a batch of events: {outage!r}"
                                 ) from outage


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
