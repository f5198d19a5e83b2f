"""Exports rendered by worker processes: ranges cut at equal times lose and repeat nothing,
and a failing or abandoned export leaves no worker process and no spill file behind."""

from __future__ import annotations

import asyncio
import sqlite3
import tempfile
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.digests.build import DigestScope
from bot.digests.exports import Exporter
from bot.digests.model import DigestFilters
from bot.messages import Conversation, IncomingMessage
from bot.storage import render_workers
from bot.storage.render_workers import Parallelism, Statement, WorkerFailed, stream_statements
from bot.tags import TagSet
from tests.fakes import Harness

TINY_RANGES = Parallelism(workers=2, rows_per_range=3, min_full_ranges=1, ranges_ahead=2)


@pytest.fixture
def spill_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "spill"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


class Started(list[render_workers._Worker]):
    """Every worker started, to check that each one is gone afterwards."""

    def __init__(self) -> None:
        super().__init__()
        self.first = asyncio.Event()


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> Started:
    workers = Started()
    start = render_workers._Worker.start

    async def recording(database: str) -> render_workers._Worker:
        worker = await start(database)
        workers.append(worker)
        workers.first.set()
        return worker
    monkeypatch.setattr(render_workers._Worker, "start", recording)
    return workers


def _empty(folder: Path) -> bool:
    return not any(folder.iterdir())


def _all_stopped(workers: list[render_workers._Worker]) -> bool:
    return all(worker._process.returncode is not None for worker in workers)


async def test_ranges_cut_inside_equal_times_keep_every_row_once(
        harness: Harness, spill_folder: Path, started: Started) -> None:
    same = datetime(2019, 10, 2, 14, 5, tzinfo=UTC)
    for n in range(14):  # ten at the very same instant: cuts fall inside the tie
        posted = same if n < 10 else same - timedelta(hours=n)
        msg = IncomingMessage(Conversation("test", "room"), f"m-{n:02d}", "alice",
                              f"input {n}", posted)
        await harness.storage.save_message(msg, TagSet((4,)), posted)
    scope = DigestScope(DigestFilters(), "all time")
    texts = []
    for parallelism in (TINY_RANGES, None):
        exporter = Exporter(harness.storage, harness.plan, harness.svc.tr, harness.svc.zone,
                            parallelism=parallelism)
        chunks: list[str] = []
        await exporter.write("csv", scope, datetime(2020, 1, 1, tzinfo=UTC), _collect(chunks))
        texts.append("".join(chunks).splitlines())
    in_workers, in_process = texts
    assert started and _all_stopped(started)  # the workers did the rendering, then stopped
    assert len(in_workers) == 15 and sorted(in_workers) == sorted(in_process)
    assert len(set(in_workers)) == 15  # no row twice
    assert _empty(spill_folder)


def _numbers_database(path: Path, count: int) -> str:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE numbers (n INTEGER)")
        connection.executemany("INSERT INTO numbers VALUES (?)", [(n,) for n in range(count)])
    connection.close()
    return str(path)


def _lines(low: int, high: int) -> Statement:
    return Statement("SELECT printf('%d\n', n) FROM numbers WHERE n >= ? AND n < ? ORDER BY n",
                     (low, high))


async def test_statements_come_back_in_order_whatever_worker_finishes_first(
        tmp_path: Path, spill_folder: Path, started: Started) -> None:
    database = _numbers_database(tmp_path / "n.db", 50_000)
    # A big statement first: the second worker finishes the small ones before it.
    statements = [_lines(0, 40_000), *(_lines(low, low + 1000) for low in range(40_000,
                                                                              50_000, 1000))]
    text = "".join([chunk async for _index, chunk in stream_statements(
        database, statements, workers=2, ahead=4)])
    assert text == "".join(f"{n}\n" for n in range(50_000))
    assert len(started) == 2 and _all_stopped(started)
    assert _empty(spill_folder)


async def test_a_failing_statement_raises_and_leaves_nothing_running(
        tmp_path: Path, spill_folder: Path, started: Started) -> None:
    database = _numbers_database(tmp_path / "n.db", 10)
    statements = [_lines(0, 5), Statement("SELECT no_such_column FROM numbers", ()),
                  _lines(5, 10)]
    seen: list[int] = []
    with pytest.raises(WorkerFailed, match="no_such_column"):
        async for index, _chunk in stream_statements(database, statements, workers=2, ahead=2):
            seen.append(index)
    assert seen == [0]  # what came before the failure was streamed, nothing after it
    assert started and _all_stopped(started)
    assert _empty(spill_folder)


async def test_an_abandoned_stream_stops_its_workers_and_removes_its_files(
        tmp_path: Path, spill_folder: Path, started: Started) -> None:
    database = _numbers_database(tmp_path / "n.db", 20_000)
    statements = [_lines(low, low + 1000) for low in range(0, 20_000, 1000)]
    stream = stream_statements(database, statements, workers=2, ahead=3)
    first = await anext(stream)
    assert first[0] == 0 and first[1].startswith("0\n1\n")
    await stream.aclose()  # as when an export outgrows a chat attachment
    assert len(started) == 2 and _all_stopped(started)
    assert _empty(spill_folder)


def _collect(chunks: list[str]) -> Callable[[str], Awaitable[None]]:
    async def collect(text: str) -> None:
        chunks.append(text)
    return collect


async def test_an_html_export_failing_above_its_entries_stops_their_workers(
        harness: Harness, spill_folder: Path, started: Started,
        monkeypatch: pytest.MonkeyPatch) -> None:
    posted = datetime(2019, 10, 2, 14, 5, tzinfo=UTC)
    for n in range(12):
        msg = IncomingMessage(Conversation("test", "room"), f"m-{n:02d}", "alice",
                              f"input {n}", posted + timedelta(minutes=n))
        await harness.storage.save_message(msg, TagSet((2,)), posted)

    async def failing_head(*_args: object, **_kwargs: object) -> None:
        await started.first.wait()  # the entries' workers are starting by now
        raise RuntimeError("the figures could not be counted")
    monkeypatch.setattr(Exporter, "head", failing_head)
    exporter = Exporter(harness.storage, harness.plan, harness.svc.tr, harness.svc.zone,
                        parallelism=TINY_RANGES)
    with pytest.raises(RuntimeError, match="could not be counted"):
        await exporter.write("html", DigestScope(DigestFilters(), "all time"),
                             datetime(2020, 1, 1, tzinfo=UTC), _collect([]))
    assert started and _all_stopped(started)
    assert _empty(spill_folder)
