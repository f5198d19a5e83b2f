"""Bursts: plain messages dispatched together are stored together.

Adapters dispatch each event as it comes — a Matrix sync batch as concurrent tasks, Slack's
concurrent deliveries as concurrent requests. Messages that arrive in the same turn of the
event loop are handed to the burst handler as one list: one hashtag pass, one write, one
commit, and every caller still returns only once its message is durable. A burst that fails
is retried message by message, so one bad message fails alone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractContextManager

from bot.log_context import log_context
from bot.messages import IncomingMessage
from bot.services import Services

BurstHandler = Callable[[Sequence[IncomingMessage], Services], Awaitable[None]]
MessageHandler = Callable[[IncomingMessage, Services], Awaitable[None]]


class MessageBursts:
    def __init__(self, handle_burst: BurstHandler, handle_one: MessageHandler,
                 svc: Services) -> None:
        self._handle_burst = handle_burst
        self._handle_one = handle_one
        self._svc = svc
        self._waiting: list[tuple[IncomingMessage, asyncio.Future[None]]] = []
        self._running: set[asyncio.Task[None]] = set()

    async def handle(self, msg: IncomingMessage) -> None:
        """Returns once `msg` is handled (stored); raises what handling it raised."""
        loop = asyncio.get_running_loop()
        if not self._waiting:
            loop.call_soon(self._start)  # after the other events of this loop turn
        future: asyncio.Future[None] = loop.create_future()
        self._waiting.append((msg, future))
        await future

    async def handle_many(self, msgs: Sequence[IncomingMessage]) -> None:
        """A burst the caller already holds (a sync batch): handled now, as one. Raises the
        first failure once every message has been tried."""
        loop = asyncio.get_running_loop()
        burst = [(msg, loop.create_future()) for msg in msgs]
        await self._run(burst)
        for _, future in burst:
            error = None if future.cancelled() else future.exception()
            if error is not None:
                raise error

    def _start(self) -> None:
        burst, self._waiting = self._waiting, []
        task = asyncio.create_task(self._run(burst))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _run(self, burst: list[tuple[IncomingMessage, asyncio.Future[None]]]) -> None:
        with _burst_log_context([msg for msg, _ in burst]):
            await self._run_burst(burst)

    async def _run_burst(self, burst: list[tuple[IncomingMessage, asyncio.Future[None]]]
                         ) -> None:
        try:
            await self._handle_burst([msg for msg, _ in burst], self._svc)
        except Exception as exc:
            if len(burst) > 1:
                await self._one_by_one(burst)
            else:
                _settle(burst[0][1], exc)
            return
        for _, future in burst:
            _settle(future)

    async def _one_by_one(self, burst: list[tuple[IncomingMessage, asyncio.Future[None]]]
                          ) -> None:
        for msg, future in burst:
            try:
                await self._handle_one(msg, self._svc)
            except Exception as exc:
                _settle(future, exc)
            else:
                _settle(future)


def _settle(future: asyncio.Future[None], error: BaseException | None = None) -> None:
    if future.done():  # its caller was cancelled
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(error)


def _burst_log_context(msgs: Sequence[IncomingMessage]) -> AbstractContextManager[None]:
    """The burst's own log fields, whichever event's context its task was started in: one
    message's, or for several their platform and shared room, with no one event id."""
    if len(msgs) == 1:
        msg = msgs[0]
        return log_context(platform=msg.where.platform, room=msg.where.id,
                           message_id=msg.message_id)
    rooms = {msg.where.id for msg in msgs}
    return log_context(platform=msgs[0].where.platform,
                       room=rooms.pop() if len(rooms) == 1 else None,
                       event_id=None, message_id=None)
