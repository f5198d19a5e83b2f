"""The chat digest on one warm engine, for comparing commits: run it with another checkout
first on the import path, and it measures that checkout's code.

    PYTHONPATH=/path/to/old/checkout python /path/to/this/bench/digest_across_commits.py

It stores N tagged messages through that checkout's own `bench_foundation.ingest`, then times
the chat digest seven times on one engine (after a first run that opens the connection), and,
where the checkout has the lens, the digest as `!digest` runs it: beside its compact lens, once
the detection job has given every message its language. Only the old checkout's public names
are used, so it runs on code from before the lens (digest alone) and after it.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import bench.bench_foundation as foundation
from bench.common import NullChat
from bot.digests.build import DigestScope, build_digest
from bot.digests.chat_text import render_digest
from bot.i18n import Translator
from bot.ports import SystemClock
from bot.services import AllowList, Services
from bot.settings import Settings
from bot.storage import Database, Storage, make_engine

try:
    from bot.digest_values import DigestFilters
except ImportError:  # before the value types moved (8e9d614 and earlier)
    from bot.digests.model import DigestFilters  # type: ignore[no-redef]

lens: Any
try:
    from bot.handlers.gaps import compact_lens as lens
    from bot.handlers.language_fill import fill_languages
except ImportError:  # before the lens
    lens = None

RUNS = 7


async def timings(run: Callable[[], Awaitable[object]]) -> tuple[float, float]:
    """Best and median of `RUNS`, in ms."""
    seconds = []
    for _ in range(RUNS):
        start = time.perf_counter()
        await run()
        seconds.append(time.perf_counter() - start)
    return min(seconds) * 1000, statistics.median(seconds) * 1000


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    count = parser.parse_args().messages
    plan = foundation.load_workplan(foundation.PLAN_PATH)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/digest.db"
        await foundation.ingest(url, plan, foundation.make_messages(count))
        engine = make_engine(url)
        storage = Storage(Database(engine))
        svc = Services(settings=Settings(_env_file=None, database_url=url),  # type: ignore[call-arg]
                       plan=plan, storage=storage, chat=NullChat(), clock=SystemClock(),
                       staff=AllowList(()), tr=Translator("en"))
        scope = DigestScope(DigestFilters(), "all time")

        async def alone() -> str:
            digest = await build_digest(storage, plan, scope, datetime.now(UTC))
            return render_digest(digest, plan, svc.tr, plan.zone).text

        async def with_lens() -> str:
            text, gaps = await asyncio.gather(alone(), lens(svc))
            return text + "\n\n" + gaps

        await alone()
        best, median = await timings(alone)
        line = f"digest over {count:,} inputs: best {best:.1f} ms, median {median:.1f} ms"
        if lens is not None:
            while await fill_languages(svc):
                pass
            await with_lens()
            best, median = await timings(with_lens)
            line += f"; with its lens: best {best:.1f} ms, median {median:.1f} ms"
        print(line)
        await storage.close()
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
