"""Rendered exports read by worker processes, so that a big export uses every core.

An export rendered by its query (`render_sqlite`) is SQLite's CPU work, and one process gets
one SQLite thread's worth of it: two threads with a connection each were measured no faster
than one (10.9 s against 10.4 s), two processes took 5.8 s. So a big export on a SQLite file
is cut into statements (issues, then ranges of posted time), a few worker processes render
them into spill files, and the files are streamed back in order, then deleted. Workers run
ahead of the reader by a bounded window, so the disk holds a few ranges, not the export.

This module is both sides: the parent's `stream_statements` and the worker's `_serve`, run as
`python -I` on this file. It imports only the standard library, so a worker starts in tens
of milliseconds. Statements come compiled by SQLAlchemy in the parent, values bound.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sqlite3
import sys
import tempfile
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass, field
from typing import Any

_SELF = os.path.abspath(__file__)
_READ_SIZE = 1 << 20  # characters streamed back per chunk
_FETCH = 4000


@dataclass(frozen=True, slots=True)
class Statement:
    """A compiled query whose rows are one text column each, written back to back."""

    sql: str
    params: tuple[Any, ...]


def _cores() -> int:
    return min(os.cpu_count() or 1, 4)


@dataclass(frozen=True, slots=True)
class Parallelism:
    """How a big export is spread over worker processes."""

    workers: int = field(default_factory=_cores)
    rows_per_range: int = 25_000  # small enough to keep every worker busy to the end
    # Ranges rendered ahead of the one being read (each a spill file of ~10 MB), enough for
    # the workers to keep going while the parent counts an HTML digest's figures.
    ranges_ahead: int = 8
    min_full_ranges: int = 2  # below this, starting workers costs more than they save

    def worth_it(self, full_ranges: int) -> bool:
        return self.workers >= 2 and full_ranges >= self.min_full_ranges


class WorkerFailed(RuntimeError):
    """A worker could not render its statement (the message says why)."""


class _Worker:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self._process = process

    @classmethod
    async def start(cls, database: str) -> _Worker:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-I", _SELF,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
        worker = cls(process)
        await worker._send({"database": database})
        return worker

    async def _send(self, message: dict[str, Any]) -> None:
        assert self._process.stdin is not None
        self._process.stdin.write(json.dumps(message).encode() + b"\n")
        await self._process.stdin.drain()

    async def render(self, statement: Statement, path: str) -> int:
        """Renders `statement` into the file at `path`; the number of rows written."""
        await self._send({"sql": statement.sql, "params": statement.params, "path": path})
        assert self._process.stdout is not None
        line = await self._process.stdout.readline()
        if not line:
            code = await self._process.wait()
            raise WorkerFailed(f"export worker exited with status {code}")
        reply = json.loads(line)
        if "error" in reply:
            raise WorkerFailed(reply["error"])
        return int(reply["rows"])

    async def stop(self) -> None:
        if self._process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self._process.kill()
        await self._process.wait()


class _Window:
    """Hands statements to free workers in order, at most `ahead` past the one being read."""

    def __init__(self, count: int, ahead: int) -> None:
        self._count, self._ahead = count, ahead
        self._claimed = self._read = 0
        self._moved = asyncio.Condition()

    def _open(self) -> bool:
        return self._claimed >= self._count or self._claimed < self._read + self._ahead

    async def claim(self) -> int | None:
        async with self._moved:
            await self._moved.wait_for(self._open)
            if self._claimed >= self._count:
                return None
            self._claimed += 1
            return self._claimed - 1

    async def read_one(self) -> None:
        async with self._moved:
            self._read += 1
            self._moved.notify_all()


async def stream_statements(database: str, statements: Sequence[Statement], workers: int,
                            ahead: int) -> AsyncGenerator[tuple[int, str]]:
    """Each statement's text, in statement order, as (statement index, chunk) pairs; at most
    `ahead` statements are rendered (their spill files kept) past the one being read."""
    window = _Window(len(statements), ahead=max(ahead, workers))
    results: list[asyncio.Future[str]] = [asyncio.get_running_loop().create_future()
                                          for _ in statements]
    pool: list[_Worker] = []
    tasks: list[asyncio.Task[None]] = []
    with tempfile.TemporaryDirectory(prefix="plenary-export-") as folder:

        async def work(worker: _Worker) -> None:
            while (index := await window.claim()) is not None:
                path = os.path.join(folder, f"{index}.part")
                try:
                    await worker.render(statements[index], path)
                except BaseException as error:
                    results[index].set_exception(error)
                    raise
                results[index].set_result(path)

        try:  # from the first worker on: one cancelled while the next starts must not stay
            for _ in range(min(workers, len(statements))):
                pool.append(await _Worker.start(database))
            tasks = [asyncio.create_task(work(worker)) for worker in pool]
            for index, result in enumerate(results):
                path = await result
                part = await asyncio.to_thread(open, path, encoding="utf-8", newline="")
                with part:
                    while chunk := await asyncio.to_thread(part.read, _READ_SIZE):
                        yield index, chunk
                await asyncio.to_thread(os.unlink, path)
                await window.read_one()
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await asyncio.gather(*(worker.stop() for worker in pool), return_exceptions=True)
            for result in results:  # failures nobody awaited must not be logged as lost
                if result.done() and not result.cancelled():
                    result.exception()


def _serve() -> None:
    """The worker: a `{"database"}` line, then one `{"sql", "params", "path"}` line per
    statement, each answered by `{"rows"}` or `{"error"}` once its file is written."""
    hello = json.loads(sys.stdin.readline())
    connection = sqlite3.connect(hello["database"], timeout=30, isolation_level=None)
    connection.execute("PRAGMA query_only = ON")
    # SQLite's UTF-8 as it is: decoding each row into `str` only to encode it again for the
    # file was measured at a million French rows: CSV 4.9 → 3.9 s, HTML 8.3 → 7.6 s.
    connection.text_factory = bytes
    for line in sys.stdin:
        task = json.loads(line)
        try:
            rows = 0
            with open(task["path"], "wb") as out:
                cursor = connection.execute(task["sql"], task["params"])
                while batch := cursor.fetchmany(_FETCH):
                    out.write(b"".join([row[0] for row in batch]))
                    rows += len(batch)
            reply: dict[str, Any] = {"rows": rows}
        except Exception as error:  # the parent raises it; the worker serves on
            reply = {"error": f"{type(error).__name__}: {error}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    _serve()
