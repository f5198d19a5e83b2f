"""Ordered, concurrent dispatch of one sync batch, so that storage commits it as a group.

The core stores each plain event with one queued write. Dispatching the events of a batch as
concurrent tasks, in order, puts all their writes in the group-commit queue in that order, so
they commit together; the sync token is written once they are all durable. An event that
refers to one
still pending (an edit of a message of the same batch), and every command, first waits for
what is pending, so nothing is applied before what it depends on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from bot.adapters import Dispatch, dispatch_together
from bot.messages import IncomingMessage
from bot.storage import is_outage

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[Any]]


class StorageUnavailable(RuntimeError):
    """The database failed under a batch: the sync token must not move; retry the batch."""


def is_transient(exc: BaseException) -> bool:
    """A database outage (retry the batch) rather than one bad event (skip it)."""
    return is_outage(exc)


class Batch:
    def __init__(self) -> None:
        self._pending: list[tuple[asyncio.Task[Any], str]] = []
        self._ids: set[str] = set()
        # Consecutive plain messages, handed over together when anything else comes.
        self._run: list[IncomingMessage] = []
        self._run_dispatch: Dispatch | None = None

    def add_message(self, msg: IncomingMessage, dispatch: Dispatch) -> None:
        """A plain message: it joins the current run, stored as one burst."""
        if self._run and self._run_dispatch is not dispatch:
            self._close_run()
        self._run.append(msg)
        self._run_dispatch = dispatch
        self._ids.add(msg.message_id)

    def _close_run(self) -> None:
        if not self._run or self._run_dispatch is None:
            return
        run, dispatch, self._run = self._run, self._run_dispatch, []
        task = asyncio.create_task(_call(lambda: dispatch_together(dispatch, run)))
        self._pending.append((task, f"{len(run)} messages from {run[0].message_id}"))

    def depends_on_pending(self, event_ids: Iterable[str | None]) -> bool:
        return any(event_id in self._ids for event_id in event_ids if event_id)

    async def add(self, job: Job, label: str, *, provides: Iterable[str] = (),
                  needs: Iterable[str | None] = ()) -> asyncio.Task[Any]:
        """Start `job` now, after what it `needs` is done."""
        self._close_run()
        if self.depends_on_pending(needs):
            await self.flush()
        task = asyncio.create_task(_call(job))
        self._pending.append((task, label))
        self._ids.update(provides)
        return task

    async def alone(self, job: Job, label: str) -> None:
        """Run `job` by itself once everything before it is done (a command)."""
        await self.flush()  # closes the run too
        await self._settle([(asyncio.create_task(_call(job)), label)])

    async def abandon(self) -> None:
        """Wait for what was started, ignoring its outcome: the batch is being given up."""
        self._run = []
        pending, self._pending = self._pending, []
        self._ids.clear()
        await asyncio.gather(*(task for task, _ in pending), return_exceptions=True)

    async def flush(self) -> None:
        self._close_run()
        pending, self._pending = self._pending, []
        self._ids.clear()
        await self._settle(pending)

    async def _settle(self, pending: list[tuple[asyncio.Task[Any], str]]) -> None:
        if not pending:
            return
        results = await asyncio.gather(*(task for task, _ in pending), return_exceptions=True)
        outage: BaseException | None = None
        for (_, label), result in zip(pending, results, strict=True):
            if not isinstance(result, BaseException):
                continue
            if isinstance(result, asyncio.CancelledError):
                raise result
            if is_transient(result):
                outage = outage or result
            else:  # one bad event never stops the loop
                log.error("skipped %s: it could not be handled", label, exc_info=result)
        if outage is not None:
            raise StorageUnavailable(f"storage failed during a sync batch: {outage!r}") \
                from outage


async def _call(job: Job) -> Any:
    return await job()
