"""Group commit: every write goes through one queue, applied in order, many per transaction.

Each caller gets its answer only once its write is durable, and a burst of writes (a sync
batch's run of messages beside a command's, concurrent deliveries) costs one commit instead
of one each, up to a bound in rows (`ROWS_PER_TRANSACTION`) past which the rest wait for the
next transaction. A batch that fails is retried one write per transaction, so one bad write
fails alone; an outage fails each write, and each caller sees it.

On SQLite a write may instead be a function of the driver's own connection (`run_on_driver`):
neighbouring ones run as one transaction, from BEGIN to COMMIT, in one trip to the driver's
thread (`Database.write_on_driver`), and the event loop meanwhile parses what comes next.

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
from bot.storage.sqlite_driver import Work

log = logging.getLogger(__name__)

T = TypeVar("T")
WriteOp = Callable[[AsyncConnection], Awaitable[Any]]


@dataclass(slots=True)
class _Pending:
    future: asyncio.Future[Any]
    op: WriteOp | None  # or else:
    work: Work[Any] | None  # on the SQLite driver's thread (`run_on_driver`)
    rows: int


# A transaction takes queued writes until they hold this many rows, and leaves the rest to the
# next: a transaction of every burst in flight left none to parse while it was written and
# synced, and the loop then parsed while the disk was idle (bench/bench_foundation.py). A
# burst of this size already pays its sync once for hundreds of messages.
ROWS_PER_TRANSACTION = 500


class GroupCommit:
    def __init__(self, db: Database, max_batch: int = 1000,
                 rows_per_transaction: int = ROWS_PER_TRANSACTION) -> None:
        self._db = db
        self._max_batch = max_batch
        self._rows_per_transaction = rows_per_transaction
        self._queue: list[_Pending] = []
        self._wakeup = asyncio.Event()
        self._writer: asyncio.Task[None] | None = None
        self._busy = False
        self._idle = asyncio.Event()

    @property
    def queued(self) -> int:
        """Writes waiting for the next transaction."""
        return len(self._queue)

    async def run(self, op: Callable[[AsyncConnection], Awaitable[T]], rows: int = 1) -> T:
        """Apply `op` in the next batch's transaction; returns its result once committed.
        `rows`: about how many rows it writes (see `ROWS_PER_TRANSACTION`)."""
        result: T = await self._enqueue(_Pending(self._new_future(), op, None, rows))
        return result

    async def run_on_driver(self, work: Work[T], rows: int = 1) -> T:
        """SQLite: apply `work` on the driver's thread, in a transaction run whole there with
        the neighbouring writes of this kind (`Database.write_on_driver`)."""
        result: T = await self._enqueue(_Pending(self._new_future(), None, work, rows))
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
                    await self._commit(self._next_batch())
            finally:
                self._busy = False
                self._idle.set()

    def _next_batch(self) -> list[_Pending]:
        """The next transaction's writes: the first queued, and those after it of the same
        kind (on the driver's thread or not), within `max_batch` writes and the rows bound."""
        on_driver = self._queue[0].work is not None
        taken = rows = 0
        for pending in self._queue[:self._max_batch]:
            if rows >= self._rows_per_transaction or (pending.work is not None) != on_driver:
                break
            taken += 1
            rows += pending.rows
        batch = self._queue[:taken]
        del self._queue[:taken]
        return batch

    async def _commit(self, batch: list[_Pending]) -> None:
        results: list[Any] = []

        def resolve() -> None:
            for pending, result in zip(batch, results, strict=True):
                if not pending.future.done():
                    pending.future.set_result(result)

        try:
            if batch[0].work is not None:
                works = [pending.work for pending in batch if pending.work is not None]
                results = await self._db.write_on_driver(
                    lambda connection: [work(connection) for work in works])
                resolve()
            else:
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
        return [await pending.op(conn) for pending in batch if pending.op is not None]
