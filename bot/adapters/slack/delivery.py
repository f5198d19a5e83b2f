"""Events API deliveries → neutral events → the core; acknowledged only once durable.

Slack delivers at least once (up to four times, a retry possibly while the first delivery
is still running). Messages are deduped by identity (channel, ts) when stored; the other
events by `event_id`: an event is marked handled once its effects are committed, and a
redelivery of a handled event is dropped, so a late retry of `reaction_added` cannot undo a
later `reaction_removed`. A crash before the mark means a redelivery is applied again, which
the core's writes tolerate (they are idempotent).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from bot.adapters import Dispatch, raise_on_outage
from bot.adapters.slack.directory import SlackDirectory
from bot.adapters.slack.inbound import (
    PLATFORM,
    Workspace,
    mentioned_user_ids,
    read_event,
    read_mention,
)
from bot.adapters.slack.wellformed import Malformed, check_event
from bot.health import Health
from bot.log_context import log_context
from bot.messages import Event, IncomingMessage
from bot.ports import Clock
from bot.storage import Storage

log = logging.getLogger(__name__)


class EventInbox:
    def __init__(self, storage: Storage, clock: Clock, directory: SlackDirectory,
                 workspace: Workspace, dispatch: Dispatch, prefix: str,
                 commands: frozenset[str], health: Health) -> None:
        self._storage = storage
        self._clock = clock
        self._directory = directory
        self._workspace = workspace
        self._dispatch = dispatch
        self._prefix = prefix
        self._commands = commands
        self._health = health

    async def deliver(self, body: Mapping[str, Any]) -> None:
        """Returns once the event's effects are stored; raises (→ 5xx, Slack retries) if not."""
        event = body.get("event")
        channel = event.get("channel") if isinstance(event, dict) else None
        with log_context(platform=PLATFORM, event_id=_id(body.get("event_id")),
                         room=_id(channel)):
            await self._deliver(body, event)

    async def _deliver(self, body: Mapping[str, Any], event: object) -> None:
        try:  # the HTTP endpoint refused these already; Socket Mode envelopes come here
            check_event(event if isinstance(event, dict) else {})
        except Malformed as problem:
            log.warning("dropped a malformed Slack event %s: %s", body.get("event_id"), problem)
            return  # acknowledged: a redelivery of the same body cannot fare better
        assert isinstance(event, dict)
        if event.get("type") == "app_mention":
            mention = read_mention(event, self._workspace, self._prefix, self._commands,
                                   self._directory.channel_names)
            if mention is not None:  # the router claims commands once per message
                await self._handle(mention)
            return
        await self._learn_names(event)
        neutral = read_event(event, self._workspace, self._directory.user_names,
                             self._directory.channel_names)
        if neutral is None or not self._directory.follows(neutral.where.id):
            return
        if isinstance(neutral, IncomingMessage):  # deduped by identity when stored
            await self._handle(neutral)
            return
        key = f"event:{body.get('event_id') or event.get('event_ts')}"
        if await self._storage.was_handled(PLATFORM, key):
            log.info("Slack event %s already handled (redelivery)", key)
            self._health.events_deduplicated.labels(PLATFORM).inc()
            return
        await self._handle(neutral)
        await self._storage.claim_event(PLATFORM, key, self._clock.now())

    async def _handle(self, event: Event) -> None:
        """Raises if the database failed under the event: the delivery is then not
        acknowledged, and Slack delivers it again. An event that failed alone (logged by the
        core) is acknowledged: redelivered, it would only fail again, three times over."""
        raise_on_outage(await self._dispatch([event]))

    async def _learn_names(self, event: Mapping[str, Any]) -> None:
        if event.get("type") != "message" or event.get("subtype") not in (None,
                                                                           "thread_broadcast"):
            return
        channel = str(event.get("channel", ""))
        if not self._directory.follows(channel):
            return
        users = [str(event.get("user", "")), *mentioned_user_ids(str(event.get("text", "")))]
        await self._directory.learn(users, [channel])


def _id(value: object) -> str | None:
    return value if isinstance(value, str) else None  # a `channel` may be an object
