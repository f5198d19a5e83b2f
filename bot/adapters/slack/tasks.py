"""Background work the adapter starts (answers after an ack, reactions): owned and awaited."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger(__name__)


class BackgroundTasks:
    """Every task is kept (asyncio holds only weak references) and finished on close."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def spawn(self, work: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None]:
        task = asyncio.create_task(self._guarded(work, name), name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _guarded(self, work: Coroutine[Any, Any, None], name: str) -> None:
        try:
            await work
        except Exception:
            log.exception("slack background task %s failed", name)

    async def settle(self) -> None:
        """Wait for the work started so far (and any it starts) to finish."""
        while self._tasks:
            await asyncio.wait(set(self._tasks))

    async def drain(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109 - a bounded close
        """Let running work finish (answers people wait for), then cancel what is left."""
        pending = set(self._tasks)
        if pending:
            _, late = await asyncio.wait(pending, timeout=timeout)
            for task in late:
                task.cancel()
            if late:
                await asyncio.gather(*late, return_exceptions=True)
