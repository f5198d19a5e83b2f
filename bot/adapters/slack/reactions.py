"""Reactions paced to Slack's rate limit: a burst at once, then about one a second.

`reactions.add` is a Tier 3 method (about 50 calls a minute). A flood of tagged messages
would otherwise end in a storm of 429s, each retried on its own. A reaction only tells the
author their tag was taken (the tag is stored either way), so when the backlog is full the
newest acknowledgements are dropped, with a log line, rather than queued without bound.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.calls import SLACK_FAILURES, slack_error

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Reaction:
    channel: str
    ts: str
    name: str


class ReactionPacer:
    def __init__(self, client: AsyncWebClient, *, per_second: float = 1.0, burst: int = 20,
                 backlog: int = 500) -> None:
        self._client = client
        self._interval = 1.0 / per_second
        self._burst = burst
        self._queue: asyncio.Queue[_Reaction] = asyncio.Queue(maxsize=backlog)
        self._worker: asyncio.Task[None] | None = None
        self._dropped = 0

    def offer(self, channel: str, ts: str, name: str) -> None:
        try:
            self._queue.put_nowait(_Reaction(channel, ts, name))
        except asyncio.QueueFull:
            self._dropped += 1
            if self._dropped == 1 or self._dropped % 1000 == 0:
                log.warning("reaction backlog full: %d acknowledgements dropped so far "
                            "(the tags are stored)", self._dropped)

    def start(self) -> None:
        if self._worker is None:
            self._worker = asyncio.create_task(self._work(), name="slack reactions")

    async def close(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)
            self._worker = None

    async def settle(self) -> None:
        """Wait until the backlog is sent (tests)."""
        await self._queue.join()

    async def _work(self) -> None:
        loop = asyncio.get_running_loop()
        tokens, refilled_at = float(self._burst), loop.time()
        while True:
            reaction = await self._queue.get()
            try:
                now = loop.time()
                tokens = min(self._burst, tokens + (now - refilled_at) / self._interval)
                refilled_at = now
                if tokens < 1:
                    await asyncio.sleep((1 - tokens) * self._interval)
                    tokens, refilled_at = 1.0, loop.time()
                tokens -= 1
                await self._add(reaction)
            finally:
                self._queue.task_done()

    async def _add(self, reaction: _Reaction) -> None:
        try:
            await self._client.reactions_add(channel=reaction.channel, timestamp=reaction.ts,
                                             name=reaction.name)
        except SLACK_FAILURES as exc:
            if slack_error(exc) != "already_reacted":  # already_reacted: a redelivered event
                log.warning("reaction on %s/%s failed: %s", reaction.channel, reaction.ts,
                            slack_error(exc))
        except Exception:  # anything else must not stop the worker for every later reaction
            log.exception("reaction on %s/%s failed", reaction.channel, reaction.ts)
