"""Exports read and formatted by worker processes: the same bytes as in this process (the
adversarial inputs of test_digest_escaping, inputs posted at one instant across ranges), and
no worker left running after an export that finished, failed, stopped or was cancelled."""

from __future__ import annotations

import asyncio
import os
import pickle
import signal
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import aclosing
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.digest_values import DigestFilters
from bot.digests import export_head, row_workers
from bot.digests.build import DigestScope
from bot.digests.csv_export import records
from bot.digests.exports import Exporter, TooBig, export_attachment
from bot.digests.html_entries import Entries, LocalMinutes
from bot.messages import Conversation, IncomingMessage
from bot.tags import TagSet
from tests.fakes import Harness
from tests.unit.test_digest_escaping import _export, _seed

ALL = DigestScope(DigestFilters(), "all time")

# Each test starts real worker processes (the OS's, not ours to fake): integration by nature.
pytestmark = pytest.mark.integration


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[list[Any]]:
    """Exports use workers from two ranges of two rows on; the workers started are kept, and
    their temporary folders made in the test's own."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(export_head, "ROWS_PER_RANGE", 2)
    monkeypatch.setattr(export_head, "WORKERS_FROM", 2)
    monkeypatch.setattr(row_workers, "available_workers", lambda limit=4: 2)
    workers: list[Any] = []
    start = row_workers._Worker.start

    async def recorded(database: str) -> Any:
        worker = await start(database)
        workers.append(worker)
        return worker

    monkeypatch.setattr(row_workers._Worker, "start", recorded)
    yield workers


def _all_stopped(workers: list[Any]) -> bool:
    """No worker runs any more, and their texts' folder is gone."""
    return (all(worker._process.returncode is not None for worker in workers)
            and not any(Path(tempfile.gettempdir()).glob("plenary-export-*")))


async def _same_instant(harness: Harness, count: int) -> None:
    at = datetime(2019, 10, 20, 12, 0, tzinfo=UTC)
    for n in range(count):
        where = Conversation("test", f"room-{n % 3}", name="same time")
        await harness.storage.save_message(
            IncomingMessage(where, f"tie-{n}", f"u{n}", f"tie {n} #wp1", at), TagSet((1,)), at)


@pytest.mark.parametrize("fmt", ["csv", "html"])
async def test_workers_write_the_bytes_this_process_writes(harness: Harness, fmt: str,
                                                           started: list[Any],
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    await _seed(harness)
    await _same_instant(harness, 5)
    monkeypatch.setattr(row_workers, "available_workers", lambda limit=4: 1)
    here = await _export(harness, fmt)
    assert not started
    monkeypatch.setattr(row_workers, "available_workers", lambda limit=4: 2)
    assert await _export(harness, fmt) == here
    assert len(started) == 2 and _all_stopped(started)
    assert here.count("tie ") == 5


FILTERED = [
    DigestFilters(issues=(1, 3)),
    DigestFilters(since=datetime(2019, 10, 5, tzinfo=UTC),
                  until=datetime(2019, 10, 25, tzinfo=UTC)),
    DigestFilters(kinds=("solution", "comment")),
    DigestFilters(channel="room-1", author="=user4"),
    DigestFilters(tagged_since=datetime(2019, 12, 1, tzinfo=UTC)),
]


@pytest.mark.parametrize("filters", FILTERED)
@pytest.mark.parametrize("fmt", ["csv", "html"])
async def test_workers_follow_the_filters(harness: Harness, fmt: str, filters: DigestFilters,
                                          started: list[Any], monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    await _seed(harness)
    await _same_instant(harness, 5)
    exporter = Exporter(harness.storage, harness.plan, harness.svc.tr, harness.svc.zone)
    scope, now = DigestScope(filters, "chosen"), datetime(2020, 1, 1, tzinfo=UTC)

    async def export() -> str:
        return (await export_attachment(exporter, fmt, scope, now)).content.decode()

    monkeypatch.setattr(row_workers, "available_workers", lambda limit=4: 1)
    here = await export()
    monkeypatch.setattr(row_workers, "available_workers", lambda limit=4: 2)
    assert await export() == here
    assert started and _all_stopped(started)


async def test_a_small_export_starts_no_worker(harness: Harness, started: list[Any],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(export_head, "WORKERS_FROM", 4)
    await _same_instant(harness, 5)  # one range at one instant
    await harness.say("later #wp2")
    assert "tie 4" in await _export(harness, "csv")
    assert started == []


async def test_an_export_stopped_part_way_leaves_no_worker(harness: Harness,
                                                           started: list[Any]) -> None:
    await _seed(harness)
    exporter = Exporter(harness.storage, harness.plan, harness.svc.tr, harness.svc.zone)
    with pytest.raises(TooBig):
        await export_attachment(exporter, "html", ALL, datetime.now(UTC), limit=8000)
    assert started and _all_stopped(started)


async def test_a_cancelled_export_leaves_no_worker(harness: Harness, started: list[Any]
                                                   ) -> None:
    await _seed(harness)
    source = export_head.ExportSource(harness.storage, harness.plan, harness.svc.tr,
                                      harness.svc.zone)
    parts = [(issue, partial(records, "")) for issue in harness.plan.issue_numbers()]
    first = asyncio.Event()

    async def read_slowly() -> None:
        async with aclosing(source.rendered_rows(DigestFilters(), parts)) as chunks:
            async for _ in chunks:
                first.set()
                await asyncio.Event().wait()  # the staff member's command is cancelled here

    task = asyncio.ensure_future(read_slowly())
    await first.wait()
    assert started and not _all_stopped(started)
    assert os.listdir(tempfile.gettempdir())  # the texts wait in their folder
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert _all_stopped(started)


async def _jobs(database: str, *statements: tuple[str, tuple[Any, ...]]
                ) -> AsyncIterator[tuple[int, str]]:
    render = pickle.dumps(partial(records, ""))
    jobs = [row_workers.Job(n, render, sql, values, frozenset())
            for n, (sql, values) in enumerate(statements)]
    async with aclosing(row_workers.in_order(database, jobs, 2)) as results:
        async for result in results:
            yield result


async def test_a_failing_job_raises_with_the_workers_traceback(harness: Harness,
                                                               started: list[Any]) -> None:
    database = harness.storage.db.sqlite_file
    assert database is not None
    with pytest.raises(row_workers.WorkerFailed, match="no such table: nowhere"):
        async for _ in _jobs(database, ("SELECT 1 WHERE 0", ()), ("SELECT * FROM nowhere", ())):
            pass
    assert len(started) == 2 and _all_stopped(started)


def _exit_now(rows: list[Any]) -> str:
    os._exit(3)


async def test_a_worker_that_dies_fails_the_export(harness: Harness, started: list[Any]
                                                   ) -> None:
    database = harness.storage.db.sqlite_file
    assert database is not None
    render = pickle.dumps(_exit_now)
    jobs = [row_workers.Job(0, render, "SELECT 'x'", (), frozenset())]
    with pytest.raises(row_workers.WorkerFailed, match="stopped"):
        async for _ in row_workers.in_order(database, jobs, 1):
            pass
    assert _all_stopped(started)


def test_a_worker_imports_neither_sqlalchemy_nor_the_rest_of_the_bot() -> None:
    """A worker holds its rows and text, not the bot: the formatters' modules stay light."""
    renders = [pickle.dumps(partial(records, "")),
               pickle.dumps(Entries(LocalMinutes(ZoneInfo("UTC")), "source", {}, 4000).render)]
    probe = ("import pickle, sys; import bot.digests.row_workers; "
             f"[pickle.loads(r) for r in {renders!r}]; "
             "print(sorted(m.split('.')[0] for m in sys.modules "
             "if m.startswith(('sqlalchemy', 'babel', 'pydantic', 'bot.storage'))))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


async def test_a_worker_leaves_ctrl_c_to_the_exporting_process(harness: Harness,
                                                               started: list[Any]) -> None:
    """Ctrl-C reaches a terminal's whole process group; the worker goes on until it is told
    to stop (no traceback from each worker)."""
    database = harness.storage.db.sqlite_file
    assert database is not None
    worker = await row_workers._Worker.start(database)
    try:
        job = row_workers.Job(0, pickle.dumps(partial(records, "")), "SELECT 1 WHERE 0", (),
                              frozenset())
        await worker.run(job, os.path.join(tempfile.gettempdir(), "warm-up"))  # it is serving
        worker._process.send_signal(signal.SIGINT)
        await worker.run(job, os.path.join(tempfile.gettempdir(), "after"))
        assert worker._process.returncode is None
    finally:
        worker.stop(kill=False)
        await worker.wait()
    assert worker._process.returncode == 0
