"""`plenary import mbox|pipermail FILES --list NAME`: archives into the ledger, with a
progress bar on a terminal (none in a pipe or a log, where it would only be noise)."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import TextIO

from tqdm import tqdm

from bot.mail.importer import import_archives
from bot.ports import SystemClock
from bot.settings import Settings
from bot.storage import Storage
from bot.workplan import WorkPlan

StorageOpener = Callable[[Settings], AbstractAsyncContextManager[Storage]]
SHOWN_PROBLEMS = 20


async def run_import(settings: Settings, plan: WorkPlan, args: argparse.Namespace,
                     open_storage: StorageOpener, out: TextIO = sys.stdout) -> int:
    missing = [str(path) for path in args.paths if not path.exists()]
    if missing:
        print(f"plenary: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    bar = tqdm(unit=" posts", desc=f"importing into {args.list_name}", file=sys.stderr,
               disable=not sys.stderr.isatty(), dynamic_ncols=True)
    try:
        async with open_storage(settings) as storage:
            report = await import_archives(
                storage, plan, args.paths, args.list_name, settings.list_archive_url,
                SystemClock().now(), progress=bar.update)
    finally:
        bar.close()
    seconds = time.perf_counter() - started
    rate = report.read / seconds if seconds > 0 else 0.0
    print(f"{report.read} posts read from {report.files} file(s) into list "
          f"{args.list_name}: {report.new} new, {report.repeats} already stored, "
          f"{len(report.unreadable)} unreadable"
          f"{f', {report.digests} plenary digests left out' if report.digests else ''} "
          f"({seconds:.1f} s, {rate:,.0f} posts/s)", file=out)
    for problem in report.unreadable[:SHOWN_PROBLEMS]:
        print(f"  not imported: {problem}", file=out)
    if len(report.unreadable) > SHOWN_PROBLEMS:
        print(f"  ... and {len(report.unreadable) - SHOWN_PROBLEMS} more (see the log)",
              file=out)
    return 0
