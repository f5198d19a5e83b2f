"""End-to-end encrypted rooms with PLENARY_MATRIX_E2EE=false: one clear notice, nothing stored.

(With encryption on, the default, see test_matrix_e2ee.py.)
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import nio
import pytest

from bot.workplan import WorkPlan
from tests.support.matrix_bot import (
    MatrixBot,
    cast,
    create_room,
    join,
    notices_from,
    say,
    wait_notice,
)
from tests.support.matrix_crypto import ENCRYPTION
from tests.support.matrix_fixtures import Login, MakeUser, wait_until
from tests.support.synapse import SynapseServer

pytestmark = pytest.mark.integration

@dataclass
class Scene:
    bot: MatrixBot
    carol: nio.AsyncClient  # staff
    alice: nio.AsyncClient


@pytest.fixture
async def scene(synapse: SynapseServer, make_user: MakeUser, login: Login, plan: WorkPlan,
                tmp_path: Path) -> AsyncIterator[Scene]:
    bot, carol, alice = await cast(synapse, make_user, login, plan, tmp_path / "bot.db")
    bot.settings["matrix_e2ee"] = False
    await bot.start()
    try:
        yield Scene(bot, carol, alice)
    finally:
        await bot.stop()


async def _notice_count(scene: Scene, room_id: str) -> int:
    return len([n for n in await notices_from(scene.carol, room_id, scene.bot.user_id)
                if "end-to-end encrypted" in n["content"]["body"]])


async def test_an_encrypted_room_gets_one_notice_and_nothing_is_stored(scene: Scene) -> None:
    room_id = await create_room(scene.carol, scene.bot.user_id, scene.alice.user_id,
                                initial_state=[ENCRYPTION])
    await join(scene.alice, room_id)
    notice = await wait_notice(scene.carol, room_id, scene.bot.user_id, "end-to-end encrypted")
    assert notice["content"]["m.mentions"] == {}
    # A client without encryption support still sends plain text here: not recorded either.
    event_id = await say(scene.alice, room_id, "secret input #wp3")
    await scene.bot.synced_past(2)
    assert await scene.bot.stored(room_id, event_id) is None
    # After a restart (full state re-read) the notice is not posted again.
    await scene.bot.stop()
    await scene.bot.start()
    later = await say(scene.alice, room_id, "more secret input #wp3")
    await scene.bot.synced_past(2)
    assert await scene.bot.stored(room_id, later) is None
    assert await _notice_count(scene, room_id) == 1


async def test_a_room_turning_encryption_on_gets_the_notice(scene: Scene) -> None:
    room_id = await create_room(scene.carol, scene.bot.user_id, scene.alice.user_id)
    await join(scene.alice, room_id)
    adapter = scene.bot.adapter
    assert adapter is not None
    await wait_until(lambda: room_id in adapter.keeper.subscribed, 15, "bot follows the room")
    before = await say(scene.alice, room_id, "said in the clear #wp3")
    await scene.bot.wait_tags(room_id, before, (3,))
    answer = await scene.carol.room_put_state(room_id, ENCRYPTION["type"],
                                              ENCRYPTION["content"])
    assert isinstance(answer, nio.RoomPutStateResponse), answer
    await wait_notice(scene.carol, room_id, scene.bot.user_id, "end-to-end encrypted")
    after = await say(scene.alice, room_id, "said after encryption #wp3")
    await scene.bot.synced_past(2)
    assert await scene.bot.stored(room_id, after) is None
    assert await scene.bot.stored(room_id, before) is not None
