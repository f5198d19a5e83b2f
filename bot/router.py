"""The router: matches commands, runs handlers, and is the one error boundary of the core."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, cast

from bot.commands import Args, Route, command_aliases, parse_args, split_command
from bot.errors import NotAllowed, UsageError, UserError
from bot.hashtags import fold
from bot.in_order import InOrder
from bot.log_context import log_context
from bot.messages import (
    DUPLICATE,
    HANDLED,
    Event,
    IncomingMessage,
    InvitedToRoom,
    Outcome,
    Reply,
)
from bot.services import Services
from bot.storage import SaveOutcome, is_outage

log = logging.getLogger(__name__)

EventHandler = Callable[[Any, Services], Awaitable[object]]
# EVENTS[IncomingMessage]: stores a run of plain messages, one outcome each.
StoreMessages = Callable[[Sequence[IncomingMessage], Services], Awaitable[Sequence[SaveOutcome]]]


class Router:
    def __init__(self, routes: Sequence[Route], events: Mapping[type, EventHandler],
                 svc: Services) -> None:
        self._routes = {route.name: route for route in routes}
        self._aliases = command_aliases([route.name for route in routes])
        self._events = events
        # Plain messages are stored a run at a time: one hashtag pass, one queued write.
        self._store = cast(StoreMessages, events[IncomingMessage])
        self._svc = svc
        # Single plain messages handed over in the same loop turn (concurrent deliveries),
        # stored as one run by a task of their own.
        self._joining: list[tuple[IncomingMessage, asyncio.Future[Outcome]]] = []
        self._joined: set[asyncio.Task[None]] = set()

    @property
    def routes(self) -> tuple[Route, ...]:
        return tuple(self._routes.values())

    async def handle(self, events: Sequence[Event]) -> list[Outcome]:
        """The core's one entry: events received together (a sync batch, one delivery), one
        outcome each, in their order. Runs of plain messages are stored as one write; an
        edit, reaction or deletion waits for the message it is about if that is in the
        batch; a command runs alone, after everything before it. Returns once every effect
        is durable. Command failures are answered in chat, not returned.

        A batch of one plain message (a delivery) joins the others handed over in the same
        loop turn: concurrent deliveries are one run, as a sync batch is."""
        if log.isEnabledFor(logging.DEBUG):  # in the adapter's log context (its event id)
            log.debug("handling %s", _described(events))
        if len(events) == 1 and self._plain(events[0]):
            return [await self._join(cast(IncomingMessage, events[0]))]
        outcomes = [HANDLED] * len(events)
        self._count_received(events)
        order, run = InOrder(), list[int]()
        prefix = self._svc.settings.command_prefix
        for index, event in enumerate(events):
            if isinstance(event, IncomingMessage):
                command = split_command(event.text, prefix)
                if command is None:
                    if order.touches_pending(event.message_id):
                        run = self._close_run(run, events, outcomes, order)
                        await order.settle()
                    run.append(index)
                    order.touch(event.message_id)
                    continue
                run = self._close_run(run, events, outcomes, order)
                await order.settle()
                outcomes[index] = await _outcome_of(self._run_command(event, *command))
                continue
            run = self._close_run(run, events, outcomes, order)
            about = event.message_id if not isinstance(event, InvitedToRoom) else None
            if order.touches_pending(about):
                await order.settle()
            order.add(self._handle_event(event, index, outcomes), about)
        self._close_run(run, events, outcomes, order)
        await order.settle()
        return outcomes

    def _plain(self, event: Event) -> bool:
        return isinstance(event, IncomingMessage) and split_command(
            event.text, self._svc.settings.command_prefix) is None

    async def _join(self, msg: IncomingMessage) -> Outcome:
        loop = asyncio.get_running_loop()
        if not self._joining:
            loop.call_soon(self._store_joined)  # after the other deliveries of this turn
        future: asyncio.Future[Outcome] = loop.create_future()
        self._joining.append((msg, future))
        return await future

    def _store_joined(self) -> None:
        joined, self._joining = self._joining, []
        task = asyncio.create_task(self._store_joined_run(joined))
        self._joined.add(task)
        task.add_done_callback(self._joined.discard)

    async def _store_joined_run(self, joined: list[tuple[IncomingMessage, asyncio.Future[Outcome]]]
                                ) -> None:
        msgs = [msg for msg, _ in joined]
        outcomes = [HANDLED] * len(msgs)
        self._count_received(msgs)
        try:
            await self._store_run(list(range(len(msgs))), msgs, outcomes)
        except asyncio.CancelledError:  # shutting down: nothing is known of these
            for _, future in joined:
                future.cancel()
            raise
        for (_, future), outcome in zip(joined, outcomes, strict=True):
            if not future.done():  # its caller was cancelled
                future.set_result(outcome)

    def _count_received(self, events: Sequence[Event]) -> None:
        """Counted per platform once a batch, not once an event (a metric costs 1.4 µs)."""
        platforms = Counter(event.where.platform for event in events)
        for platform, count in platforms.items():
            self._svc.health.events_received.labels(platform).inc(count)

    def _close_run(self, run: list[int], events: Sequence[Event], outcomes: list[Outcome],
                   order: InOrder) -> list[int]:
        if run:
            order.add(self._store_run(run, events, outcomes))
        return []

    async def _store_run(self, run: list[int], events: Sequence[Event],
                         outcomes: list[Outcome]) -> None:
        msgs = [cast(IncomingMessage, events[index]) for index in run]
        with _run_log_context(msgs):
            try:
                saved = await self._store(msgs, self._svc)
            except Exception as exc:
                if len(run) == 1 or is_outage(exc):
                    failure = _failure(exc, msgs[0])
                    for index in run:
                        outcomes[index] = failure
                    return
                # One bad message must not fail its neighbours: each is tried alone.
                log.warning("a run of %d messages failed; storing them one by one", len(run))
                for index, msg in zip(run, msgs, strict=True):
                    outcomes[index] = await _outcome_of(self._store_one(msg))
                return
        for index, outcome in zip(run, saved, strict=True):
            if outcome is SaveOutcome.REPEAT:
                outcomes[index] = DUPLICATE

    async def _store_one(self, msg: IncomingMessage) -> Outcome:
        with _run_log_context([msg]):
            saved = await self._store([msg], self._svc)
        return DUPLICATE if saved[0] is SaveOutcome.REPEAT else HANDLED

    async def _handle_event(self, event: Event, index: int, outcomes: list[Outcome]) -> None:
        handler = self._events.get(type(event))
        if handler is None:
            return
        with log_context(platform=event.where.platform, room=event.where.id,
                         message_id=getattr(event, "message_id", None)):
            try:
                await handler(event, self._svc)
            except Exception as exc:
                outcomes[index] = _failure(exc, event)

    async def _run_command(self, msg: IncomingMessage, name: str, rest: str) -> Outcome:
        with log_context(platform=msg.where.platform, room=msg.where.id,
                         message_id=msg.message_id):
            return await self._command(msg, name, rest)

    async def _command(self, msg: IncomingMessage, name: str, rest: str) -> Outcome:
        log.debug("handling the command %s", name)
        key = f"command:{msg.where.id}:{msg.message_id}"
        if not await self._svc.storage.claim_event(msg.where.platform, key,
                                                   self._svc.clock.now()):
            log.info("command %s in %s already handled (redelivery)", msg.message_id, msg.where)
            self._svc.health.events_deduplicated.labels(msg.where.platform).inc()
            return DUPLICATE
        svc = await self._svc.speaking_to(msg.where, msg.sender_id)
        route = self._routes.get(self._aliases.get(fold(name), name))
        reply: Reply | str | None
        if route is None:
            svc.health.commands.labels("unknown", "unknown").inc()
            reply = svc.tr("error.unknown_command", command=self._usage_prefix() + name,
                           help=self._usage_prefix() + "help")
        else:
            reply = await self._guarded(route, msg, parse_args(rest, msg.mentions), svc)
        if reply:
            await self._answer(msg, reply)
        return HANDLED

    async def _guarded(self, route: Route, msg: IncomingMessage, args: Args, svc: Services
                       ) -> Reply | str | None:
        counted = svc.health.commands
        try:
            if route.staff_only:
                await svc.require_staff(msg.where.platform, msg.sender_id,
                                        self._usage_prefix() + route.name)
            reply = await route.handler(msg, args, svc)
        except UsageError as exc:
            counted.labels(route.name, "usage").inc()
            usage = svc.tr(route.usage_key, p=self._usage_prefix())
            return f"{exc.user_text}\n{svc.tr('error.usage', usage=usage)}"
        except NotAllowed as exc:
            counted.labels(route.name, "refused").inc()
            return exc.user_text
        except UserError as exc:
            counted.labels(route.name, "declined").inc()
            return exc.user_text
        except Exception:
            ref = secrets.token_hex(3)
            log.exception("command %s failed (ref %s) in %s", route.name, ref, msg.where)
            counted.labels(route.name, "error").inc()
            svc.health.failed(ref, svc.clock.now(), f"command {route.name}")
            return svc.tr("error.internal", ref=ref)
        counted.labels(route.name, "ok").inc()
        return reply

    async def _answer(self, msg: IncomingMessage, reply: Reply | str) -> None:
        chat = self._svc.chat
        answer = reply if isinstance(reply, Reply) else Reply(reply)
        try:
            if answer.attachment is not None:
                await chat.send_file(msg.where, msg.sender_id, answer.attachment, answer.text,
                                     reply_to=msg.message_id, answer_to=msg.answer_to)
            elif answer.private or msg.answer_to is not None:  # its own channel is private
                await chat.send_private(msg.where, msg.sender_id, answer.text,
                                        reply_to=msg.message_id, answer_to=msg.answer_to)
            else:
                await chat.send(msg.where, answer.text, reply_to=msg.message_id)
        except Exception:
            # The command ran and its effects are stored; only the answer was lost.
            log.exception("could not answer %s in %s", msg.message_id, msg.where)
            return
        if answer.after_delivery is not None:
            try:
                await answer.after_delivery()
            except Exception:
                log.exception("after answering %s in %s", msg.message_id, msg.where)

    def _usage_prefix(self) -> str:
        return self._svc.settings.command_prefix


async def _outcome_of(step: Awaitable[Outcome]) -> Outcome:
    try:
        return await step
    except Exception as exc:
        return _failure(exc, None)


def _failure(exc: Exception, event: Event | None) -> Outcome:
    """The outcome of a failed event, logged here: adapters only decide whether to ack."""
    outage = is_outage(exc)
    about = f"{type(event).__name__} in {event.where}" if event is not None else "an event"
    if outage:
        log.warning("storage failed handling %s: %s", about, exc)
    else:
        log.error("could not handle %s", about, exc_info=exc)
    return Outcome(error=exc, outage=outage)


def _described(events: Sequence[Event]) -> str:
    """`IncomingMessage`, or for a batch `12 events: IncomingMessage, ReactionAdded`."""
    kinds = sorted({type(event).__name__ for event in events})
    return kinds[0] if len(events) == 1 else f"{len(events)} events: {', '.join(kinds)}"


def _run_log_context(msgs: Sequence[IncomingMessage]) -> AbstractContextManager[None]:
    """A run's own log fields, whichever caller's context it runs in: one message's, or for
    several their platform and shared room, with no one event id."""
    if len(msgs) == 1:
        msg = msgs[0]
        return log_context(platform=msg.where.platform, room=msg.where.id,
                           message_id=msg.message_id)
    rooms = {msg.where.id for msg in msgs}
    return log_context(platform=msgs[0].where.platform,
                       room=rooms.pop() if len(rooms) == 1 else None,
                       event_id=None, message_id=None)
