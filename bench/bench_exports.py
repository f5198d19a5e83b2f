"""Exports benchmark: HTML and CSV export of N tagged inputs, time and peak memory.

    python -m bench.bench_exports [--inputs 1000000] [--format html csv ...]

The rows are written with raw `sqlite3.executemany` into a schema made by our models (setup
speed only); each export then runs the real `Exporter` in a fresh process, writing to a file:
rows read and formatted in Python (`bot.digests.escaping`) by worker processes, a range of
rows each (`bot.digests.row_workers`). Targets: HTML under 8 s, CSV under 5 s, below 200 MB
peak RSS for 1,000,000 inputs (the export's process and the sum of its workers' peaks); both
are printed beside the raw floor of the same run (docs/performance.md). `--heap` traces Python's
heap (tracemalloc) over one and two issues: the same peak shows memory does not grow with the
input count. The chat digest over the same data is timed against a raw `GROUP BY`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import threading
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine

from bench.common import own_peak_rss_mb, peak_mb_of, ratio, timed
from bot.digest_values import DigestFilters
from bot.digests.build import DigestScope, build_digest
from bot.digests.chat_text import render_digest
from bot.digests.exports import Exporter
from bot.i18n import Translator
from bot.storage import Database, Storage, make_engine
from bot.storage.bulk_sqlite import sqlite_datetime
from bot.storage.schema import Base
from bot.workplan import WorkPlan, load_workplan

PLAN_PATH = Path(__file__).resolve().parent.parent / "config" / "workplan.yaml"
START = datetime(2019, 6, 3, tzinfo=UTC)
# English and French as a consultation writes them: accents, typographic quotes, a dash, an
# emoji (bytes that the HTML export's check for invisible characters has to look past).
WORDS = ("budget travel interpreters chairs rotation consensus scoping priorities trust silos "
         "representation inclusivity newcomers fellowship remote participation timeline "
         "représentation l’équipe “silos” — ✅ déjà").split()
TARGET_SECONDS, TARGET_MB = {"html": 8.0, "csv": 5.0}, 200.0


def fill(path: Path, plan: WorkPlan, inputs: int, seed: int = 7) -> None:
    """`inputs` messages, one issue each, a third with a kind, over 26 weeks, stored in the
    order they were posted."""
    engine = create_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    engine.dispose()
    rng = random.Random(seed)
    kinds = [kind.key for kind in plan.kinds]
    issues = plan.issue_numbers()
    span = 26 * 7 * 24 * 3600
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    connection.execute("BEGIN")
    for start in range(0, inputs, 100_000):
        messages, tags, marks = [], [], []
        for n in range(start, min(inputs, start + 100_000)):
            channel = f"C{n % 20}"
            key = ("slack", channel, f"{n:09d}.000100")
            sender = f"U{rng.randrange(500):04d}"
            # Stored as they are posted (as the adapters do), a few seconds of jitter apart.
            posted = START + timedelta(seconds=n * span / inputs + rng.randrange(5))
            at = sqlite_datetime(posted)  # the text our storage writes
            text = " ".join(rng.choices(WORDS, k=rng.randrange(8, 30)))
            if n % 97 == 0:
                text = "=HYPERLINK(\"http://x\") <script>alert(1)</script> " + text
            issue, kind = rng.choice(issues), rng.choice(kinds) if n % 3 == 0 else None
            messages.append((*key, f"channel-{n % 20}", sender, f"Person {sender}", text,
                             f"https://example.slack.com/archives/{channel}/p{n}", kind, at))
            tags.append((*key, issue, 1, sender, at, sender, at))
            if kind is not None:  # kept on the message too, as our storage does
                marks.append((*key, kind, 1))
        connection.executemany(
            "INSERT INTO messages (platform, conversation_id, message_id, conversation_name, "
            "sender_id, sender_name, text, permalink, kinds, posted_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", messages)
        connection.executemany(
            "INSERT INTO tags (platform, conversation_id, message_id, issue, sources, sender_id, "
            "posted_at, tagged_by, tagged_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", tags)
        connection.executemany(
            "INSERT INTO message_kinds (platform, conversation_id, message_id, kind, sources) "
            "VALUES (?, ?, ?, ?, ?)", marks)
    connection.execute("COMMIT")
    connection.execute("ANALYZE")
    connection.close()


async def export(url: str, plan: WorkPlan, fmt: str, target: Path, issues: tuple[int, ...],
                 trace: bool) -> dict[str, float]:
    """One export to a file: seconds, bytes written, and the peak Python heap when traced."""
    engine = make_engine(url)
    storage = Storage(Database(engine))
    exporter = Exporter(storage, plan, Translator("en"), plan.zone)
    scope = DigestScope(DigestFilters(issues=issues), "all time")
    if trace:
        tracemalloc.start()
    with (target.open("w", encoding="utf-8", newline="") as file, WorkerPeaks() as workers,
          timed() as timer):
        async def write(text: str) -> None:
            file.write(text)
        await exporter.write(fmt, scope, datetime.now(UTC), write)
        written = file.tell()
    heap = tracemalloc.get_traced_memory()[1] / 2**20 if trace else 0.0
    tracemalloc.stop()
    await storage.close()
    await engine.dispose()
    own = own_peak_rss_mb()
    return {"seconds": timer.seconds, "cpu_seconds": cpu_seconds(), "bytes": written,
            "heap_mb": heap,
            "rss_mb": own + workers.total_mb, "own_rss_mb": own, "workers": len(workers.peaks),
            "workers_rss_mb": workers.total_mb}


def cpu_seconds() -> float:
    """CPU time (user and system) of this process and of its children that have ended (the
    export's workers): the work done, which another session's load does not change much."""
    return sum(usage.ru_utime + usage.ru_stime
               for usage in (resource.getrusage(resource.RUSAGE_SELF),
                             resource.getrusage(resource.RUSAGE_CHILDREN)))


class WorkerPeaks:
    """The peak RSS of each child process (the export's workers), sampled every 5 ms while
    they run: the sum of their peaks is counted beside this process's own."""

    def __init__(self) -> None:
        self.peaks: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> WorkerPeaks:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        tasks = Path(f"/proc/{os.getpid()}/task")
        while not self._stop.wait(0.005):
            for children in tasks.glob("*/children"):
                try:
                    pids = children.read_text().split()
                except OSError:
                    continue
                for pid in map(int, pids):
                    if not self._is_worker(pid):  # not yet exec'd: the pages are still ours
                        continue
                    peak = peak_mb_of(pid)
                    if peak is not None:
                        self.peaks[pid] = max(peak, self.peaks.get(pid, 0.0))

    @staticmethod
    def _is_worker(pid: int) -> bool:
        try:
            return b"row_workers" in Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return False

    @property
    def total_mb(self) -> float:
        return sum(self.peaks.values())


def run_child(path: Path, fmt: str, issues: tuple[int, ...] = (), trace: bool = False
              ) -> dict[str, float]:
    """Each export in a fresh process, so that its peak RSS is its own."""
    command = [sys.executable, "-m", "bench.bench_exports", "--child", fmt, "--db", str(path),
               *(["--trace"] if trace else []), *(f"--issue={n}" for n in issues)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"export {fmt} failed:\n{done.stderr}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


async def chat_digest(url: str, plan: WorkPlan) -> float:
    engine = make_engine(url)
    storage = Storage(Database(engine))
    with timed() as timer:
        digest = await build_digest(storage, plan, DigestScope(DigestFilters(), "all time"),
                                    datetime.now(UTC))
        render_digest(digest, plan, Translator("en"), plan.zone)
    await storage.close()
    await engine.dispose()
    return timer.seconds


def raw_csv(path: Path, target: Path, issues: tuple[int, ...]) -> float:
    """The floor on this machine: the same rows read with sqlite3 and written as CSV in a
    plain loop (no filters, no hidden inputs, no formula escaping, UTC times as stored)."""
    connection = sqlite3.connect(path)
    query = ("SELECT t.issue, t.platform, t.conversation_id, t.message_id, m.conversation_name,"
             " t.sender_id, m.sender_name, m.text, t.posted_at, m.permalink FROM tags t JOIN "
             "messages m ON m.platform = t.platform AND m.conversation_id = t.conversation_id "
             "AND m.message_id = t.message_id WHERE t.issue = ? ORDER BY t.posted_at DESC")
    with target.open("w", encoding="utf-8", newline="") as file, timed() as timer:
        for issue in issues:
            cursor = connection.execute(query, (issue,))
            while rows := cursor.fetchmany(4000):
                file.write("".join(['"' + '","'.join([str(v or "").replace('"', '""')
                                                      for v in row]) + '"\r\n'
                                    for row in rows]))
    connection.close()
    return timer.seconds


def raw_group_by(path: Path) -> float:
    connection = sqlite3.connect(path)
    with timed() as timer:
        connection.execute("SELECT issue, count(*), count(DISTINCT sender_id) FROM tags "
                           "GROUP BY issue").fetchall()
    connection.close()
    return timer.seconds


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--inputs", type=int, default=1_000_000)
    parser.add_argument("--format", nargs="+", default=["html", "csv"],
                        choices=("html", "csv", "md", "json"))
    parser.add_argument("--heap", action="store_true",
                        help="also trace the Python heap over one and over two issues")
    parser.add_argument("--child", choices=("html", "csv", "md", "json"), help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--issue", type=int, action="append", default=[],
                        help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    plan = load_workplan(PLAN_PATH)
    if args.child:
        result = await export(f"sqlite+aiosqlite:///{args.db}", plan, args.child,
                              args.db.with_suffix(f".{args.child}"), tuple(args.issue),
                              args.trace)
        print(json.dumps(result))
        return 0
    failed = False
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "exports.db"
        with timed() as setup:
            fill(path, plan, args.inputs)
        print(f"setup: {args.inputs:,} inputs written with sqlite3 in {setup.seconds:.1f} s")
        seconds: dict[str, float] = {}
        for fmt in args.format:
            result = run_child(path, fmt)
            seconds[fmt] = result["seconds"]
            target = TARGET_SECONDS.get(fmt, max(TARGET_SECONDS.values()))
            ok = result["seconds"] < target and result["rss_mb"] < TARGET_MB
            failed |= not ok
            print(f"{fmt:>4} export of {args.inputs:,} inputs: {result['seconds']:6.2f} s "
                  f"({result['cpu_seconds']:.2f} s of CPU), "
                  f"{result['bytes'] / 2**20:6.1f} MB written, peak RSS "
                  f"{result['rss_mb']:5.1f} MB (this process {result['own_rss_mb']:.1f} MB, "
                  f"{result['workers']:.0f} workers {result['workers_rss_mb']:.1f} MB)  "
                  f"{'OK' if ok else 'OVER TARGET'} "
                  f"(targets {target:.0f} s, {TARGET_MB:.0f} MB)")
        floor = raw_csv(path, Path(folder) / "raw.csv", plan.issue_numbers())
        ratios = ", ".join(f"{fmt} {ratio(value, floor)}" for fmt, value in seconds.items())
        print(f"  raw floor: the same rows through sqlite3 into CSV in a plain loop: "
              f"{floor:.2f} s (ours/raw: {ratios or 'n/a'})")
        if args.heap:
            for fmt in args.format:
                one, two = run_child(path, fmt, (1,), True), run_child(path, fmt, (1, 2), True)
                # Twice the inputs: a heap that held them would double, a streaming one stays.
                flat = two["heap_mb"] < 1.25 * one["heap_mb"]
                failed |= not flat
                print(f"{fmt:>4} peak Python heap (tracemalloc): {one['heap_mb']:.1f} MB over "
                      f"one issue, {two['heap_mb']:.1f} MB over two: "
                      f"{'flat, not per input' if flat else 'GROWS WITH THE INPUT'}")
        url = f"sqlite+aiosqlite:///{path}"
        ours = min([await chat_digest(url, plan) for _ in range(3)])
        raw = min(raw_group_by(path) for _ in range(3))
        print(f"chat digest: {ours * 1000:.0f} ms; raw GROUP BY {raw * 1000:.0f} ms; "
              f"ratio {ratio(ours, raw)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
