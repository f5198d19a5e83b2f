"""Worker processes for big exports: each reads ranges of rows from the SQLite file and
renders them with the formatter it is sent (the digests' own Python code, pickled), so that
two cores read and format at once; the texts are read back in the order of the ranges.

Both ends of the pipe are here. A worker imports only the standard library and the
formatters' modules (`html_entries`, `csv_export`): it starts in ~50 ms and holds ~25 MB.
It writes each range's text to a file of a temporary folder, batch by batch, so that it
need not wait for the export to be ready for that text (the HTML export counts its figures
and lens first): memory stays flat, and the folder holds at most the export's size. A worker
stops when its input closes; a failed or cancelled export kills its workers, waits for them
and removes the folder before it ends."""

from __future__ import annotations

import asyncio
import os
import pickle
import shutil
import signal
import sqlite3
import struct
import sys
import tempfile
import traceback
from collections.abc import AsyncGenerator, Callable, Sequence
from contextlib import aclosing
from dataclasses import dataclass
from typing import IO, Any

# A frame: its length (8 bytes, big-endian), then its payload. A job is a pickled `Job` and
# the file for its text; its answer is one byte, done or failed, then why it failed.
_LENGTH = struct.Struct(">Q")
_DONE, _FAILED = b"\x00", b"\x01"
_BATCH = 1000  # rows per `fetchmany`: a worker holds about this many rows and their text
_READ_CHARACTERS = 2**18  # a range's text is read back in pieces of this size
_PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class WorkerFailed(RuntimeError):
    """A worker's job raised (its traceback is the message) or the worker died."""


@dataclass(frozen=True, slots=True)
class Job:
    """Run `sql` with `values`, drop the rows whose key (their first three columns) is
    hidden, and render the rest in batches with the unpickled `render`."""

    tag: int  # given back with the text (an issue)
    render: bytes
    sql: str
    values: tuple[Any, ...]
    hidden: frozenset[tuple[str, str, str]]


def available_workers(limit: int = 4) -> int:
    """How many workers can run at once: the cores this process may use."""
    affinity = getattr(os, "sched_getaffinity", None)
    cores = len(affinity(0)) if affinity else os.cpu_count() or 1
    return min(cores, limit)


async def in_order(database: str, jobs: Sequence[Job], workers: int
                   ) -> AsyncGenerator[tuple[int, str]]:
    """Each job's text with its tag, in the jobs' order; each worker takes the next job as
    soon as it is done with one."""
    folder = await asyncio.to_thread(tempfile.mkdtemp, prefix="plenary-export-")
    done = [asyncio.get_running_loop().create_future() for _ in jobs]
    started: list[_Worker] = []
    runners: list[asyncio.Task[None]] = []
    queue = iter(enumerate(jobs))

    async def run(worker: _Worker) -> None:
        for index, job in queue:  # shared by the runners: each takes the next
            try:
                await worker.run(job, os.path.join(folder, str(index)))
            except Exception as exc:
                for waiting in done:  # nothing more can be promised
                    if not waiting.done():
                        waiting.set_exception(exc)
                return
            if not done[index].done():  # not failed meanwhile by another worker's failure
                done[index].set_result(None)

    finished = False
    try:
        for _ in range(workers):
            started.append(await _Worker.start(database))
        runners = [asyncio.ensure_future(run(worker)) for worker in started]
        for index, job in enumerate(jobs):
            await done[index]
            path = os.path.join(folder, str(index))
            async with aclosing(_read_text(path)) as texts:
                async for text in texts:
                    yield job.tag, text
            await asyncio.to_thread(os.unlink, path)
        finished = True
    finally:
        for worker in started:  # before any wait, so that a second cancellation leaves none
            worker.stop(kill=not finished)
        for runner in runners:
            runner.cancel()
        await asyncio.gather(*runners, return_exceptions=True)
        for waiting in done:  # read, so that a failure nobody awaited is not logged
            if waiting.done() and not waiting.cancelled():
                waiting.exception()
        for worker in started:
            await worker.wait()
        await asyncio.to_thread(shutil.rmtree, folder, ignore_errors=True)


async def _read_text(path: str) -> AsyncGenerator[str]:
    file = await asyncio.to_thread(open, path, encoding="utf-8", newline="")
    try:
        while text := await asyncio.to_thread(file.read, _READ_CHARACTERS):
            yield text
    finally:
        file.close()


class _Worker:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self._process = process

    @classmethod
    async def start(cls, database: str) -> _Worker:
        # The worker imports `bot` from where this process did, whatever its working folder.
        path = os.pathsep.join(filter(None, (_PACKAGE_ROOT, os.environ.get("PYTHONPATH"))))
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", __name__, database, stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, env={**os.environ, "PYTHONPATH": path})
        return cls(process)

    async def run(self, job: Job, path: str) -> None:
        """Has the worker write the job's text to `path`."""
        jobs, answers = self._process.stdin, self._process.stdout
        assert jobs is not None and answers is not None
        work = pickle.dumps((job, path), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            jobs.write(_LENGTH.pack(len(work)) + work)
            await jobs.drain()
            size = _LENGTH.unpack(await answers.readexactly(_LENGTH.size))[0]
            answer = await answers.readexactly(size)
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            raise WorkerFailed(f"export worker {self._process.pid} stopped") from exc
        if answer[:1] != _DONE:
            raise WorkerFailed(answer[1:].decode("utf-8", "replace"))

    def stop(self, kill: bool) -> None:
        """Close its input (an idle worker then ends), or kill it mid-job."""
        if self._process.stdin is not None:
            self._process.stdin.close()
        if kill and self._process.returncode is None:
            self._process.kill()

    async def wait(self) -> None:
        await self._process.wait()


# The worker's side ---------------------------------------------------------------------------

Render = Callable[[list[Any]], str]


def _read_frame(source: IO[bytes]) -> bytes | None:
    head = source.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        return None  # the exporting process closed its end, or ended
    return source.read(_LENGTH.unpack(head)[0])


def _render(connection: sqlite3.Connection, renders: dict[bytes, Render], job: Job,
            path: str) -> None:
    render = renders.get(job.render)
    if render is None:  # one per issue and format: its caches (hours, labels) stay warm
        render = renders[job.render] = pickle.loads(job.render)
    cursor = connection.execute(job.sql, job.values)
    with open(path, "w", encoding="utf-8", newline="") as out:
        while rows := cursor.fetchmany(_BATCH):
            if job.hidden:
                rows = [row for row in rows if (row[0], row[1], row[2]) not in job.hidden]
            out.write(render(rows))


def serve(database: str) -> None:
    """The worker's loop: a job in, its text to its file, an answer out, until the input
    closes."""
    # Ctrl-C in a terminal reaches the whole process group: the exporting process stops its
    # workers itself, without a traceback from each.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    sys.stdout = sys.stderr  # a stray print must not corrupt the answers
    connection = sqlite3.connect(database)
    connection.execute("PRAGMA query_only = ON")
    renders: dict[bytes, Render] = {}
    while (work := _read_frame(sys.stdin.buffer)) is not None:
        try:
            _render(connection, renders, *pickle.loads(work))
        except Exception:
            answer = _FAILED + traceback.format_exc().encode("utf-8")
        else:
            answer = _DONE
        answers.write(_LENGTH.pack(len(answer)) + answer)
        answers.flush()
    connection.close()


if __name__ == "__main__":
    serve(sys.argv[1])
