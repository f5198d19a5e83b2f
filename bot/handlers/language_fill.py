"""The `detect-languages` job: each stored message gets its language, the author's declared
one (`lang`) else the detector's, soon after it was stored and off the ingest path."""

from __future__ import annotations

import asyncio
import logging

from bot.language_detection import base_language
from bot.messages import MessageRef
from bot.services import Services

log = logging.getLogger(__name__)

BATCH = 500
MAX_BATCHES = 40  # per tick: a backlog (an old database, a backfill) drains over a few ticks


async def detect_languages(svc: Services) -> None:
    await fill_languages(svc)


async def fill_languages(svc: Services) -> int:
    """Idempotent: only messages without a language are looked at; returns how many got one."""
    done = 0
    languages = svc.plan.languages
    store = svc.storage.inclusion
    if not store.maybe_pending:
        return 0  # nothing stored since the last look: no scan
    store.maybe_pending = False  # cleared first: a message stored during the scan sets it
    after: MessageRef | None = None
    for _ in range(MAX_BATCHES):
        pending = await store.pending_languages(BATCH, after)
        if not pending:
            break
        after = pending[-1][0]

        def detect(batch: list[tuple[MessageRef, str, str | None]] = pending
                   ) -> list[tuple[MessageRef, str]]:
            return [(ref, base_language(declared) if declared
                     else svc.detector.detect(text, languages))
                    for ref, text, declared in batch]

        # In a worker thread: a batch is a few milliseconds of numpy and Python the event
        # loop should not wait on.
        found = await asyncio.to_thread(detect)
        await store.set_languages(found)
        done += len(found)
        if len(pending) < BATCH:
            break
    else:
        store.maybe_pending = True  # a backlog: the next tick goes on
    if done:
        log.debug("languages recorded for %d messages", done)
    return done
