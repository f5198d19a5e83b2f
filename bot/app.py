"""Composition root: engine → Storage → Services → Router, the adapters and their lifetimes."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.adapters import Adapter
from bot.chat_hub import AnyStaff, ChatHub
from bot.commands import command_aliases
from bot.errors import BotError, ConfigError
from bot.handlers import EVENTS, JOBS, ROUTES
from bot.health import Health
from bot.i18n import Translator
from bot.platform_status import reporters
from bot.ports import Clock, StaffDirectory, SystemClock
from bot.room_control import RoomControls
from bot.router import Router
from bot.scheduler import Scheduler
from bot.services import AllowList, Services
from bot.settings import Settings
from bot.storage import Database, Storage, make_engine
from bot.storage.migrate import upgrade
from bot.workplan import WorkPlan

if TYPE_CHECKING:
    from bot.adapters.probes import OpsServer

log = logging.getLogger(__name__)

# How long shutdown waits for notices still being sent (their claims go stale if cut).
BACKGROUND_GRACE_SECONDS = 5.0


@asynccontextmanager
async def open_storage(settings: Settings) -> AsyncIterator[Storage]:
    """A migrated database; queued writes are finished before the engine closes."""
    engine = make_engine(settings.database_url)
    try:
        await _reach(engine)
        await upgrade(engine)
        storage = Storage(Database(engine))
        try:
            yield storage
        finally:
            await storage.close()
    finally:
        await engine.dispose()


async def _reach(engine: AsyncEngine) -> None:
    """Connect once before migrating, so that a database that is down or misnamed is told
    in one line naming the setting, not as a driver's traceback."""
    shown = engine.url.render_as_string(hide_password=True)
    path = engine.url.database
    if engine.dialect.name == "sqlite" and path and path != ":memory:" \
            and not Path(path).parent.is_dir():
        # Told before connecting: aiosqlite's worker thread outlives a failed connect and
        # prints a traceback of its own once the event loop has closed.
        raise ConfigError(f"PLENARY_DATABASE_URL: the folder {Path(path).parent} of {shown} "
                          "does not exist; create it, or fix the URL")
    try:
        async with engine.connect():
            pass
    except (OSError, TimeoutError, DBAPIError) as exc:
        reason = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
        detail = str(reason).strip().splitlines()[0] if str(reason).strip() else ""
        raise ConfigError(
            f"PLENARY_DATABASE_URL: cannot reach the database at "
            f"{shown} ({type(reason).__name__}"
            f"{': ' + detail if detail else ''}); start it, or fix the URL") from None


# What an adapter that reads commands out of plain talk (a Slack mention) must recognise.
COMMAND_NAMES = frozenset(command_aliases([route.name for route in ROUTES]))


def build_services(settings: Settings, plan: WorkPlan, storage: Storage,
                   adapters: Sequence[Adapter], clock: Clock,
                   health: Health | None = None) -> Services:
    directories: list[StaffDirectory] = [AllowList(settings.staff)]
    directories += [d for d in (a.staff_directory() for a in adapters) if d is not None]
    return Services(settings=settings, plan=plan, storage=storage,
                    chat=ChatHub({a.platform: a.chat for a in adapters}), clock=clock,
                    staff=AnyStaff(directories), tr=Translator(settings.locale),
                    rooms=RoomControls(adapters), health=health or Health(),
                    platforms=reporters(adapters))


def build_router(svc: Services) -> Router:
    """The bot's whole behaviour (`bot.handlers`) bound to its services."""
    return Router(ROUTES, EVENTS, svc)


def make_adapters(settings: Settings, storage: Storage, clock: Clock,
                  health: Health | None = None) -> list[Adapter]:
    """Slack and/or Matrix when configured, else the console."""
    adapters: list[Adapter] = []
    if settings.slack_enabled:
        from bot.adapters.slack import SlackAdapter

        adapters.append(SlackAdapter(settings, storage, clock, commands=COMMAND_NAMES,
                                     health=health))
    if settings.matrix_enabled:
        from bot.adapters.matrix import MatrixAdapter

        adapters.append(MatrixAdapter(settings, storage, clock, health=health))
    if not adapters:
        from bot.adapters.console import ConsoleAdapter

        adapters.append(ConsoleAdapter(clock))
    return adapters


class Listener(Protocol):
    """A way in that is no chat (the list's mail): it stores what arrives, answers nothing."""

    platform: str

    async def serve(self) -> None: ...


def make_listeners(settings: Settings, svc: Services) -> list[Listener]:
    """The mail listener, when `PLENARY_MAIL_LISTEN` is set."""
    if settings.mail_address is None:
        return []
    from bot.adapters.mail import MailListener
    from bot.mail.ingest import MailIngest

    host, port = settings.mail_address
    return [MailListener(host, port, MailIngest(svc).receive, protocol=settings.mail_protocol,
                         max_bytes=settings.mail_max_bytes)]


async def run(settings: Settings, plan: WorkPlan, clock: Clock | None = None,
              adapters: Sequence[Adapter] | None = None, health: Health | None = None) -> None:
    clock = clock or SystemClock()
    health = health or Health()
    async with open_storage(settings) as storage:
        with storage.single_replica():
            running = list(adapters) if adapters is not None else make_adapters(
                settings, storage, clock, health)
            svc = build_services(settings, plan, storage, running, clock, health)
            await _serve(settings, svc, running)


def freeze_start_up_heap() -> None:
    """Take what start-up built out of the garbage collector's full passes: it lives as long
    as the process (the work plan, catalogues, the language model, SQLAlchemy's metadata),
    about 110,000 objects, 32 ms for each full pass to walk, and ingest of 100,000 messages
    ran three or four such passes (bench/bench_foundation.py freezes likewise once its
    services are built)."""
    gc.collect()
    gc.freeze()


async def _serve(settings: Settings, svc: Services, running: Sequence[Adapter]) -> None:
    router = build_router(svc)
    listeners = make_listeners(settings, svc)
    scheduler = Scheduler(svc.zone)
    for job in JOBS:
        scheduler.add(job, svc)
    scheduler.start()
    freeze_start_up_heap()
    probes = await _start_probes(settings, svc)
    log.info("plenary running on %s as replica %s", ", ".join(
        [a.platform for a in running] + [f"{one.platform} (listener)" for one in listeners]),
        svc.health.replica)
    try:
        async with asyncio.TaskGroup() as group:
            for adapter in running:
                group.create_task(adapter.serve(router.handle), name=adapter.platform)
            for listener in listeners:
                group.create_task(listener.serve(), name=listener.platform)
    except* BotError as failures:
        # An adapter's refused login is a ConfigError like any other: `__main__` prints
        # it as one line. (The TaskGroup wraps what its tasks raise.)
        raise failures.exceptions[0] from None
    finally:
        await scheduler.shutdown()
        await svc.background.settle(BACKGROUND_GRACE_SECONDS)  # notices being sent
        if probes is not None:
            await probes.close()


async def _start_probes(settings: Settings, svc: Services) -> OpsServer | None:
    if settings.ops_port is None:
        return None
    from bot.adapters.probes import start_ops

    return await start_ops(svc.health, svc.storage.ping, settings.ops_host, settings.ops_port)
