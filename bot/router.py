"""The router: matches commands, runs handlers, and is the one error boundary of the core."""

from __future__ import annotations

import logging
import re
import secrets
import shlex
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.errors import NotAllowed, UsageError, UserError
from bot.hashtags import fold
from bot.i18n import Translator, locales
from bot.log_context import log_context
from bot.message_bursts import BurstHandler, MessageBursts
from bot.messages import Event, IncomingMessage, Reply
from bot.services import Services

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Args:
    """The words after a command's name; quotes group words ("ICANN66 session")."""

    words: tuple[str, ...]
    raw: str

    def __len__(self) -> int:
        return len(self.words)


Handler = Callable[[IncomingMessage, Args, Services], Awaitable[Reply | str | None]]
EventHandler = Callable[[Any, Services], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Route:
    name: str  # what follows the prefix: `digest`, `forget-me`
    handler: Handler
    staff_only: bool = False
    # Only where the platform lets the bot manage its rooms (Matrix's leave and backfill).
    needs_room_control: bool = False

    @property
    def usage_key(self) -> str:
        return f"usage.{self.name}"


# A command word in any script (`digest`, `resumen`, `сводка`, `ملخص`, `摘要`).
_COMMAND = re.compile(r"^(?P<name>[^\W\d_][\w-]*)(?:\s+(?P<rest>.*))?$", re.DOTALL)
_FULL_WIDTH = {"!": "！"}  # Chinese and Japanese keyboards type the full-width mark


def split_command(text: str, prefix: str) -> tuple[str, str] | None:
    """(`name`, rest) when `text` is a command (`!digest #3`); None for ordinary talk."""
    wide = _FULL_WIDTH.get(prefix)
    if wide is not None and text.startswith(wide):
        text = prefix + text[len(wide):]
    if not text.startswith(prefix):
        return None
    match = _COMMAND.match(text[len(prefix):])
    if match is None:
        return None
    return match.group("name").lower(), (match.group("rest") or "").strip()


def parse_args(rest: str) -> Args:
    try:
        words = tuple(shlex.split(rest))
    except ValueError:  # an unbalanced quote: take the words as they are
        words = tuple(rest.split())
    return Args(words, rest)


class Router:
    def __init__(self, routes: Sequence[Route], events: Mapping[type, EventHandler],
                 svc: Services, message_bursts: BurstHandler) -> None:
        self._routes = {route.name: route for route in routes}
        self._aliases = command_aliases([route.name for route in routes])
        self._events = events
        self._svc = svc
        self._bursts = MessageBursts(message_bursts, events[IncomingMessage], svc)

    @property
    def routes(self) -> tuple[Route, ...]:
        return tuple(self._routes.values())

    async def dispatch(self, event: Event) -> None:
        """Handle one event. Storage failures of plain events propagate to the adapter, so
        that it does not acknowledge (the platform redelivers); command failures are answered."""
        self._svc.health.events_received.labels(event.where.platform).inc()
        with log_context(platform=event.where.platform, room=event.where.id,
                         message_id=event.message_id):
            log.debug("handling %s", type(event).__name__)
            await self._dispatch(event)

    async def _dispatch(self, event: Event) -> None:
        if isinstance(event, IncomingMessage):
            command = split_command(event.text, self._svc.settings.command_prefix)
            if command is not None:
                await self._run_command(event, *command)
                return
            await self._bursts.handle(event)
            return
        handler = self._events.get(type(event))
        if handler is not None:
            await handler(event, self._svc)

    async def __call__(self, event: Event) -> None:
        """The router is the adapters' `Dispatch`."""
        await self.dispatch(event)

    async def many(self, events: Sequence[Event]) -> None:
        """Events the adapter received together (a sync batch), handled in order; runs of
        plain messages go to storage as one burst, without a task per event. Raises the first
        failure (a storage outage: do not acknowledge) once the rest were tried."""
        run: list[IncomingMessage] = []
        first_failure: Exception | None = None
        for event in [*events, None]:
            if isinstance(event, IncomingMessage) and split_command(
                    event.text, self._svc.settings.command_prefix) is None:
                run.append(event)
                continue
            if run:
                self._svc.health.events_received.labels(run[0].where.platform).inc(len(run))
                first_failure = await _attempt(self._bursts.handle_many(run), first_failure)
                run = []
            if event is not None:
                first_failure = await _attempt(self.dispatch(event), first_failure)
        if first_failure is not None:
            raise first_failure

    async def _run_command(self, msg: IncomingMessage, name: str, rest: str) -> None:
        key = f"command:{msg.where.id}:{msg.message_id}"
        if not await self._svc.storage.claim_event(msg.where.platform, key,
                                                   self._svc.clock.now()):
            log.info("command %s in %s already handled (redelivery)", msg.message_id, msg.where)
            self._svc.health.events_deduplicated.labels(msg.where.platform).inc()
            return
        svc = await self._svc.speaking_to(msg.where, msg.sender_id)
        route = self._routes.get(self._aliases.get(fold(name), name))
        reply: Reply | str | None
        if route is None:
            svc.health.commands.labels("unknown", "unknown").inc()
            reply = svc.tr("error.unknown_command", command=self._usage_prefix() + name,
                           help=self._usage_prefix() + "help")
        else:
            reply = await self._guarded(route, msg, parse_args(rest), svc)
        if reply:
            await self._answer(msg, reply)

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




def command_aliases(names: Sequence[str]) -> dict[str, str]:
    """Each language's word for each command, folded (`ayuda`, `помощь`, `帮助`) → the
    command. English words win a clash; `test_catalogues` keeps the languages from having
    one word for two commands."""
    aliases = {name: name for name in names}
    for locale in locales():
        tr = Translator(locale)
        for name in names:
            aliases.setdefault(fold(tr(f"command.{name}")), name)
    return aliases


async def _attempt(step: Awaitable[None], failure: Exception | None) -> Exception | None:
    """Run `step`; the first failure of a series is kept, the series goes on."""
    try:
        await step
    except Exception as exc:
        return failure or exc
    return failure
