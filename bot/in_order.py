"""In order: the steps of one batch of events run concurrently, yet nothing runs before what it
depends on.

The router's one entry takes a batch (a Matrix sync batch, one Slack delivery) and starts its
steps in order; each step's writes join the one write queue (`bot.storage.group_commit`) in
that order, so the batch commits together. A step that touches a message
an earlier pending step touches (an edit, reaction or deletion of a message of the same batch)
first waits for all that is pending, and so does a command (`settle` before it).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

Step = Coroutine[Any, Any, None]


class InOrder:
    def __init__(self) -> None:
        self._waiting: list[Step] = []
        self._touched: set[str] = set()

    def touches_pending(self, message_id: str | None) -> bool:
        return message_id is not None and message_id in self._touched

    def touch(self, message_id: str | None) -> None:
        if message_id is not None:
            self._touched.add(message_id)

    def add(self, step: Step, message_id: str | None = None) -> None:
        """Run `step` with the others not yet settled; it must not raise (it records its own
        failure), so that one bad step never cancels its neighbours."""
        self._waiting.append(step)
        self.touch(message_id)

    async def settle(self) -> None:
        """Run what was added, concurrently and started in order, and wait for all of it."""
        waiting, self._waiting = self._waiting, []
        self._touched.clear()
        if len(waiting) == 1:  # the usual single delivery: no task to create
            await waiting[0]
        elif waiting:
            await asyncio.gather(*waiting)
