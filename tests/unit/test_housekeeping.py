"""Housekeeping keeps redelivery marks for a month, then forgets them."""

from __future__ import annotations

from datetime import timedelta

from bot.handlers.housekeeping import KEEP_HANDLED_EVENTS, prune_handled_events
from tests.fakes import Harness


async def test_old_redelivery_marks_are_pruned_recent_ones_kept(harness: Harness) -> None:
    now = harness.clock.now()
    await harness.storage.claim_event("slack", "old", now - KEEP_HANDLED_EVENTS
                                      - timedelta(minutes=1))
    await harness.storage.claim_event("slack", "recent", now - timedelta(days=1))
    await prune_handled_events(harness.svc)
    await prune_handled_events(harness.svc)  # a second run changes nothing
    assert not await harness.storage.was_handled("slack", "old")
    assert await harness.storage.was_handled("slack", "recent")
