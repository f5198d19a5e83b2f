"""Work a handler starts and does not wait for, kept so that it can be finished.

A member's consent notice is sent once their message is durable, but the burst that stored it
must not wait for the chat (a Slack delivery is acknowledged, a Matrix sync token written,
only when its burst returns). The tasks are kept here, not dropped: a task nobody references
can be garbage-collected mid-flight, shutdown finishes what is running, and tests wait for it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger(__name__)


class Background:
    def __init__(self) -> None:
        self._running: set[asyncio.Task[None]] = set()

    @property
    def running(self) -> int:
        return len(self._running)

    def start(self, work: Coroutine[Any, Any, None], what: str) -> None:
        """Run `work` now, without waiting for it; a failure is logged with `what`."""
        task = asyncio.create_task(work, name=what)
        self._running.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("%s failed", task.get_name(), exc_info=task.exception())

    async def settle(self, grace_seconds: float | None = None) -> None:
        """Wait for what is running, and what it starts, for at most `grace_seconds`; what
        is still running then is cancelled (shutdown)."""
        loop = asyncio.get_running_loop()
        deadline = None if grace_seconds is None else loop.time() + grace_seconds
        while self._running:
            left = None if deadline is None else deadline - loop.time()
            if left is not None and left <= 0:
                break
            await asyncio.wait(set(self._running), timeout=left)
        for task in set(self._running):
            task.cancel()
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)
