"""`plenary backfill ROOM --since DATE`: tag a followed room's past messages without the bot."""

from __future__ import annotations

from bot.app import build_router, build_services, open_storage
from bot.dates import parse_day
from bot.errors import ConfigError, UserError
from bot.i18n import Translator
from bot.messages import Conversation
from bot.ports import SystemClock
from bot.services import display_zone
from bot.settings import Settings
from bot.workplan import WorkPlan


async def run_backfill(settings: Settings, plan: WorkPlan, room: str, since_text: str) -> int:
    if not settings.matrix_enabled:
        raise ConfigError("plenary backfill reads Matrix rooms: set PLENARY_MATRIX_HOMESERVER")
    from bot.adapters.matrix import MatrixAdapter

    clock, tr = SystemClock(), Translator(settings.locale)
    since = parse_day(since_text, clock.now(), display_zone(settings, plan))
    if since is None:
        raise UserError(tr("rooms.bad_date", word=since_text))
    async with open_storage(settings) as storage:
        adapter = MatrixAdapter(settings, storage, clock)
        router = build_router(build_services(settings, plan, storage, [adapter], clock))
        try:
            await adapter.start()
            room_id = await adapter.resolve_room(room)
            count = await adapter.backfill(Conversation("matrix", room_id), since,
                                           router.handle)
        finally:
            await adapter.close()
    print(f"read {count} past messages of {room_id} since {since:%Y-%m-%d %H:%M} UTC")
    return 0
