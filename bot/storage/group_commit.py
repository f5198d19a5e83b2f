"""Group commit: every write goes through one queue, applied in order, many per transaction.

Each caller gets its answer only once its write is durable, and a burst of writes (a sync
batch's run of messages beside a command's, two batches in flight, concurrent deliveries)
costs one commit instead of one each. A batch that fails is retried one write per
transaction, so one bad write fails alone; an outage fails each write, and each caller sees it.

This queue is the one write path under the one batcher: events are batched once, by the
router's entry (`Router.handle`), which takes a sync batch whole and joins concurrent single
deliveries of one loop turn into one run, so a run of messages reaches this queue as one
write. Batching here as well (merging neighbouring bulk writes) or in the adapters (the Matrix
adapter's ordered dispatch) only added a future hand-off per event and a second place for the
rules of order and failure to differ; and a queue entry per delivery, with its handler's work
after the write (acknowledgement, consent notices) done once per message instead of once per
run, more than doubled the CPU a message costs when deliveries come one by one
(bench/bench_foundation.py, `one handle per event`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.database import Database

log = logging.getLogger(__name__)

T = TypeVar("T")
WriteOp = Callable[[AsyncConnection], Awaitable[Any]]


@dataclass(slots=True)
class _Pending:
    future: asyncio.Future[Any]
    op: WriteOp


class GroupCommit:
    def __init__(self, db: Database, max_batch: int = 1000) -> None:
        self._db = db
        self._max_batch = max_batch
        self._queue: list[_Pending] = []
        self._wakeup = asyncio.Event()
        self._writer: asyncio.Task[None] | None = None
        self._busy = False
        self._idle = asyncio.Event()

    @property
    def queued(self) -> int:
        """Writes waiting for the next transaction."""
        return len(self._queue)

    async def run(self, op: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        """Apply `op` in the next batch's transaction; returns its result once committed."""
        result: T = await self._enqueue(_Pending(self._new_future(), op))
        return result

    async def close(self) -> None:
        """Finish what is queued, then stop the writer."""
        if self._writer is None:
            return
        while self._queue or self._busy:
            self._idle.clear()
            self._wakeup.set()
            await self._idle.wait()
        self._writer.cancel()
        try:
            await self._writer
        except asyncio.CancelledError:
            pass
        self._writer = None

    def _new_future(self) -> asyncio.Future[Any]:
        return asyncio.get_running_loop().create_future()

    async def _enqueue(self, pending: _Pending) -> Any:
        self._queue_up(pending)
        return await pending.future

    def _queue_up(self, pending: _Pending) -> None:
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_forever(), name="group-commit")
        self._queue.append(pending)
        self._wakeup.set()

    async def _write_forever(self) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            self._busy = True
            try:
                while self._queue:
                    batch = self._queue[: self._max_batch]
                    del self._queue[: self._max_batch]
                    await self._commit(batch)
            finally:
                self._busy = False
                self._idle.set()

    async def _commit(self, batch: list[_Pending]) -> None:
        results: list[Any] = []

        def resolve() -> None:
            for pending, result in zip(batch, results, strict=True):
                if not pending.future.done():
                    pending.future.set_result(result)

        try:
            async with self._db.write(after_commit=resolve) as conn:
                results = await self._apply(conn, batch)
        except Exception as exc:
            unresolved = [p for p in batch if not p.future.done()]  # none if committed
            if len(unresolved) == 1:
                unresolved[0].future.set_exception(exc)
            elif unresolved:
                # One bad write must not fail its neighbours: retry them one transaction each.
                log.warning("a batch of %d writes failed; retrying them one by one",
                            len(unresolved))
                for pending in unresolved:
                    await self._commit([pending])

    async def _apply(self, conn: AsyncConnection, batch: list[_Pending]) -> list[Any]:
        return [await pending.op(conn) for pending in batch]
