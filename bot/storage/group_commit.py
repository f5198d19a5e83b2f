"""Group commit: every write goes through one queue, applied in order, many per transaction.
This is the bot's one batcher.

A burst of events (a Matrix sync batch, concurrent Slack deliveries) then costs one commit
instead of one per event, and each caller still gets its answer only once its write is
durable. Consecutive bulk entries of one writer (new messages) become one multi-row insert;
other writes run as callables in order. A batch that fails is retried one entry per
transaction, so one bad write fails alone; an outage fails every entry, and each caller
sees it.

Why one batcher, and this one: the queue is where writes meet whichever way they came, so
coalescing here serves every caller at once. A sync batch arrives whole and the router's one
entry (`Router.handle`) hands a run of its messages over as one entry; concurrent Slack
deliveries are single events, each its own entry, and meet here all the same, in the same
transaction and insert. A second batcher above the queue (one that waited a loop turn to
gather single messages into bursts, or the Matrix adapter's own ordered dispatch) only added
a future hand-off per event, and a second place for order and failure rules to differ.
Order within a batch is the router's: it starts the batch's steps in order, so their writes
queue in that order, and holds back a step that depends on a pending one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.database import Database

log = logging.getLogger(__name__)

T = TypeVar("T")
WriteOp = Callable[[AsyncConnection], Awaitable[Any]]
BulkWriter = Callable[[AsyncConnection, Sequence[Any]], Awaitable[Sequence[Any]]]


@dataclass(slots=True)
class _Pending:
    future: asyncio.Future[Any]
    op: WriteOp | None = None
    bulk: BulkWriter | None = None
    items: Sequence[Any] = ()  # for `bulk`; their results come back as a list


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
        result: T = await self._enqueue(_Pending(self._new_future(), op=op))
        return result

    async def run_bulk_many(self, bulk: BulkWriter, items: Sequence[Any]) -> list[Any]:
        """Apply `items` with `bulk` (one queue entry, one wake-up), together with the
        neighbouring entries for the same writer; their results in order."""
        if not items:
            return []
        results: list[Any] = await self._enqueue(
            _Pending(self._new_future(), bulk=bulk, items=items))
        return results

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

    def submit(self, op: WriteOp) -> asyncio.Future[Any]:
        """`run` without waiting: `op` joins the next batch (no commit of its own); the caller
        keeps the future. `close` still finishes it."""
        pending = _Pending(self._new_future(), op=op)
        self._queue_up(pending)
        return pending.future

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
        results: list[Any] = []
        start = 0
        while start < len(batch):
            first = batch[start]
            if first.op is not None:
                results.append(await first.op(conn))
                start += 1
                continue
            end = start
            while end < len(batch) and batch[end].bulk is first.bulk:
                end += 1
            assert first.bulk is not None
            group = batch[start:end]
            flat = [item for p in group for item in p.items] if end - start > 1 \
                else first.items
            flat_results = iter(await first.bulk(conn, flat))
            for pending in group:
                results.append([next(flat_results) for _ in pending.items])
            start = end
        return results
