"""Nothing lost, nothing twice: restarts, downtime gaps, reconnection, history on request."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.messages import IncomingMessage
from bot.storage.tables import MESSAGES
from bot.workplan import WorkPlan
from tests.conftest import SHIPPED_PLAN
from tests.support.matrix_bot import (
    MatrixBot,
    RoomScene,
    cast,
    create_room,
    join,
    notices_from,
    react,
    redact,
    say,
    wait_notice,
)
from tests.support.matrix_fixtures import Login, MakeUser, wait_until
from tests.support.synapse import SynapseServer

pytestmark = pytest.mark.integration


@pytest.fixture
async def scene(synapse: SynapseServer, make_user: MakeUser, login: Login, plan: WorkPlan,
                tmp_path: Path) -> AsyncIterator[RoomScene]:
    bot, carol, alice = await cast(synapse, make_user, login, plan, tmp_path / "bot.db")
    room_id = await create_room(carol, bot.user_id, alice.user_id)
    await join(alice, room_id)
    bot.rooms = (room_id,)
    try:
        yield RoomScene(bot, carol, alice, room_id)
    finally:
        await bot.stop()


async def _stored_count(bot: MatrixBot, room_id: str) -> int:
    assert bot.storage is not None
    async with bot.storage.db.read() as conn:
        return int((await conn.execute(select(func.count()).select_from(MESSAGES)
                                       .where(MESSAGES.c.conversation_id == room_id))
                    ).scalar_one())


def _message_ids(bot: MatrixBot) -> list[str]:
    return [e.message_id for e in bot.dispatched if isinstance(e, IncomingMessage)]


async def test_restart_mid_conversation_stores_every_message_exactly_once(scene: RoomScene) -> None:
    bot, alice, room_id = scene.bot, scene.alice, scene.room_id
    await bot.start()
    assert bot.adapter is not None
    device = bot.adapter.client.device_id
    command = await say(scene.carol, room_id, "!help")
    await wait_notice(alice, room_id, bot.user_id, "help")
    sent: list[str] = []
    halfway, restarted = asyncio.Event(), asyncio.Event()

    async def conversation() -> None:
        for number in range(45):
            tag = " #wp3" if number % 5 == 0 else ""
            sent.append(await say(alice, room_id, f"point {number}{tag}"))
            if number == 15:
                halfway.set()
            if number == 30:
                await restarted.wait()  # the last part goes to the restarted bot

    talking = asyncio.create_task(conversation())
    await halfway.wait()
    await bot.stop()  # while alice keeps talking
    await bot.start()
    restarted.set()
    await talking

    async def all_stored() -> bool:
        return await _stored_count(bot, room_id) == len(sent)
    await wait_until(all_stored, 20, "every message stored")
    for event_id in sent:
        assert await bot.stored(room_id, event_id) is not None
    ids = _message_ids(bot)
    assert Counter(ids)[command] == 1  # the command before the restart was not replayed
    assert [i for i, n in Counter(ids).items() if n > 1] == []  # nothing dispatched twice
    assert set(sent) <= set(ids)
    assert bot.storage is not None
    assert len(await bot.storage.messages_for(issue=3)) == 9
    helps = [n for n in await notices_from(alice, room_id, bot.user_id)
             if n["content"].get("m.relates_to", {}).get("m.in_reply_to", {})
             .get("event_id") == command]
    assert len(helps) == 1
    assert bot.adapter.client.device_id == device  # the same device after the restart


async def test_downtime_beyond_the_timeline_limit_is_backfilled(scene: RoomScene) -> None:
    bot, alice, room_id = scene.bot, scene.alice, scene.room_id
    await bot.start(timeline_limit=5)
    first = await say(alice, room_id, "before the downtime")
    await bot.wait_stored(room_id, first)
    await bot.stop()
    missed = [await say(alice, room_id, f"while down {n} #wp1") for n in range(17)]
    await bot.start(timeline_limit=5)  # the resumed sync is limited: 5 of 17 events

    async def all_stored() -> bool:
        return await _stored_count(bot, room_id) == 1 + len(missed)
    await wait_until(all_stored, 20, "the gap filled")
    for event_id in missed:
        assert await bot.tags(room_id, event_id) == (1,)
    assert Counter(_message_ids(bot))[first] == 1


async def test_a_first_start_imports_no_history_until_staff_backfill(scene: RoomScene) -> None:
    bot, alice, room_id = scene.bot, scene.alice, scene.room_id
    old = [await say(alice, room_id, f"old input {n} #wp8") for n in range(3)]
    old_reaction = await react(alice, room_id, old[0], "5️⃣")
    await bot.start()
    fresh = await say(alice, room_id, "new input")
    await bot.wait_stored(room_id, fresh)
    assert await _stored_count(bot, room_id) == 1
    await say(alice, room_id, "!backfill")
    await wait_notice(alice, room_id, bot.user_id, "Only staff")
    await say(scene.carol, room_id, "!backfill since 7d")
    await wait_notice(alice, room_id, bot.user_id, "past messages")
    for event_id in old[1:]:
        assert await bot.tags(room_id, event_id) == (8,)
    assert await bot.tags(room_id, old[0]) == (5, 8)  # the past reaction tags it too
    # The past command (!backfill by alice) was read, not run again.
    assert await bot.stored(room_id, old[0]) is not None
    # A back-filled reaction is remembered like a live one: redacting it withdraws its tag.
    await redact(alice, room_id, old_reaction)
    await bot.wait_tags(room_id, old[0], (8,))


async def test_the_loop_reconnects_after_the_homeserver_restarts(scene: RoomScene,
                                                                 synapse: SynapseServer) -> None:
    bot, room_id = scene.bot, scene.room_id
    await bot.start()
    before = await say(scene.alice, room_id, "before the outage")
    await bot.wait_stored(room_id, before)
    adapter = bot.adapter
    assert adapter is not None
    synapse.stop()
    try:
        await wait_until(lambda: adapter.sync.failures >= 3, 15, "sync retried with backoff")
    finally:
        synapse.start()  # blocking on purpose: Synapse must be started from the main thread
    after = await say(scene.alice, room_id, "after the outage #wp2")
    await bot.wait_tags(room_id, after, (2,))


async def test_plenary_backfill_command_tags_a_rooms_past(scene: RoomScene, plan: WorkPlan) -> None:
    import os
    import sys

    from bot.messages import MessageRef
    from bot.storage import Database, Storage, make_engine

    old = [await say(scene.alice, scene.room_id, f"earlier input {n} #wp4") for n in range(3)]
    bot = scene.bot
    env = {**os.environ, "PLENARY_DATABASE_URL": f"sqlite+aiosqlite:///{bot.database}",
           "PLENARY_MATRIX_HOMESERVER": bot.synapse.url, "PLENARY_MATRIX_USER_ID": bot.user_id,
           "PLENARY_MATRIX_PASSWORD": bot.password, "PLENARY_MATRIX_ROOMS": scene.room_id,
           "PLENARY_WORKPLAN": str(SHIPPED_PLAN)}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "backfill", scene.room_id, "--since", "1d", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    assert "read 3 past messages" in out.decode(), (out.decode(), err.decode()[-3000:])
    assert bot.password not in err.decode() + out.decode()  # secrets never reach output
    db = Database(make_engine(f"sqlite+aiosqlite:///{bot.database}"))
    storage = Storage(db)
    try:
        for event_id in old:
            tags = await storage.tags_of(MessageRef("matrix", scene.room_id, event_id))
            assert tags.issues == (4,)
    finally:
        await storage.close()
        await db.dispose()


async def test_an_access_token_login_keeps_its_device(scene: RoomScene, login: Login) -> None:
    bot = scene.bot
    session = await login(bot.synapse, bot.user_id, bot.password)
    bot.access_token = session.access_token
    adapter = await bot.start()
    assert adapter.client.device_id == session.device_id
    assert bot.storage is not None
    assert await bot.storage.get_state(f"matrix:{bot.user_id}:device_id") == session.device_id
    event_id = await say(scene.alice, scene.room_id, "with a token #wp6")
    await bot.wait_tags(scene.room_id, event_id, (6,))
