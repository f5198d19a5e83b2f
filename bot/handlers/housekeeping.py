"""Housekeeping: tables that would otherwise only grow."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.services import Services

log = logging.getLogger(__name__)

# Slack stops redelivering after about an hour and Matrix resumes from our own token; a month
# of marks is far more than any redelivery needs, and bounds the table.
KEEP_HANDLED_EVENTS = timedelta(days=30)


async def prune_handled_events(svc: Services) -> None:
    """Idempotent: each run deletes what is older than the window, nothing else."""
    pruned = await svc.storage.prune_handled_events(svc.clock.now() - KEEP_HANDLED_EVENTS)
    if pruned:
        log.info("forgot %d redelivery marks older than %s", pruned, KEEP_HANDLED_EVENTS)
