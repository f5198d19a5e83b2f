"""Our own sync loop: the token is ours (resumed from the database), failures back off with
jitter, and nothing but a revoked login stops it. nio's `sync_forever` is not used: it advances
the token before the events are handled, and a failure ends it."""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable

from bot.adapters import Dispatch, StorageUnavailable
from bot.adapters.matrix.http import MatrixError, MatrixHttp
from bot.adapters.matrix.ingest import SyncIngest
from bot.errors import AdapterError

log = logging.getLogger(__name__)

FATAL_ERRCODES = frozenset({"M_UNKNOWN_TOKEN", "M_MISSING_TOKEN", "M_USER_DEACTIVATED"})
LONG_POLL_MS = 30_000


def sync_filter(timeline_limit: int) -> str:
    """Messages and state only: no presence, typing, receipts or account data."""
    return json.dumps({
        "presence": {"not_types": ["*"]},
        "account_data": {"not_types": ["*"]},
        "room": {"timeline": {"limit": timeline_limit},
                 "ephemeral": {"not_types": ["*"]},
                 "account_data": {"not_types": ["*"]}},
    }, separators=(",", ":"))


def backoff_delay(failures: int, base: float, cap: float,
                  rand: Callable[[], float] = random.random) -> float:
    """Exponential backoff (base × 2^(n-1), capped) times a random factor in [0.5, 1.5)."""
    return float(min(cap, base * 2 ** min(failures - 1, 16)) * (0.5 + rand()))


class SyncLoop:
    def __init__(self, http: MatrixHttp, ingest: SyncIngest, *,
                 timeline_limit: int = 100, long_poll_ms: int = LONG_POLL_MS,
                 backoff_base: float = 1.0, backoff_cap: float = 60.0,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 on_batch: Callable[[float], None] | None = None,
                 on_storage_failure: Callable[[], None] | None = None) -> None:
        """`on_batch` is told how long each batch took from arrival to its token stored;
        `on_storage_failure` of each batch the database failed under."""
        self._http = http
        self._ingest = ingest
        self._timeline_limit = timeline_limit
        self._long_poll_ms = long_poll_ms
        self._backoff = (backoff_base, backoff_cap)
        self._sleep = sleep
        self._on_batch = on_batch
        self._on_storage_failure = on_storage_failure
        self.synced = asyncio.Event()  # set after each sync batch is stored (tests wait on it)
        self.batches = 0
        self.failures = 0  # sync attempts that failed, in all

    async def run(self, dispatch: Dispatch) -> None:
        token = await self._ingest.token()
        full_state = token is not None  # a resume re-reads room state, never old events
        failures = 0
        while True:
            try:
                token = await self._once(token, full_state, dispatch)
                full_state = False
                failures = 0
            except asyncio.CancelledError:
                raise
            except MatrixError as exc:
                if exc.errcode in FATAL_ERRCODES:
                    log.error("the homeserver refused our login (%s): stopping", exc.errcode)
                    raise
                failures = await self._pause(failures, exc)
                full_state = token is not None
            except Exception as exc:
                failures = await self._pause(failures, exc)
                full_state = token is not None

    async def _once(self, token: str | None, full_state: bool, dispatch: Dispatch) -> str:
        # The first sync with no token asks for no timeline: history is imported only on
        # request (`backfill`), never by surprise.
        query = {"filter": sync_filter(self._timeline_limit if token else 0)}
        if token:
            query["since"] = token
            if full_state:
                query["full_state"] = "true"
            else:
                query["timeout"] = str(self._long_poll_ms)
        response = await self._http.request("GET", "/sync", query=query,
                                            time_limit=self._long_poll_ms / 1000 + 15)
        arrived = time.perf_counter()
        work = asyncio.ensure_future(self._ingest.apply(response, token, dispatch))
        try:
            next_batch = await asyncio.shield(work)
        except asyncio.CancelledError:
            # A clean stop finishes the batch in hand, token included: nothing is replayed.
            if not work.done():
                await work
            raise
        self.batches += 1
        if self._on_batch is not None:
            self._on_batch(time.perf_counter() - arrived)
        self.synced.set()
        return next_batch

    async def _pause(self, failures: int, exc: Exception) -> int:
        if isinstance(exc, StorageUnavailable) and self._on_storage_failure is not None:
            self._on_storage_failure()
        failures += 1
        self.failures += 1
        delay = backoff_delay(failures, *self._backoff)
        log.warning("sync failed (%s: %s); retrying in %.1f s", type(exc).__name__, exc, delay,
                    exc_info=failures == 1 and not isinstance(exc, AdapterError | OSError))
        await self._sleep(delay)
        return failures
