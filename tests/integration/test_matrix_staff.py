"""Staff on Matrix: private digests, refusals, invites, the staff room and `leave`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import nio
import pytest

from bot.messages import Conversation
from bot.workplan import WorkPlan
from tests.support.matrix_bot import (
    MatrixBot,
    accept_direct_room,
    create_room,
    join,
    notices_from,
    say,
    timeline,
    wait_notice,
)
from tests.support.matrix_fixtures import Login, MakeUser, wait_until
from tests.support.synapse import SynapseServer

pytestmark = pytest.mark.integration


@dataclass
class Scene:
    bot: MatrixBot
    carol: nio.AsyncClient  # staff by PLENARY_STAFF
    alice: nio.AsyncClient  # a member
    dave: nio.AsyncClient  # power level 50 in the staff room
    erin: nio.AsyncClient  # created the staff room
    room_id: str
    staff_room: str


@pytest.fixture
async def scene(synapse: SynapseServer, make_user: MakeUser, login: Login, plan: WorkPlan,
                tmp_path: Path) -> AsyncIterator[Scene]:
    users = {name: make_user(name) for name in ("bot", "carol", "alice", "dave", "erin")}
    clients = {name: await login(synapse, u.user_id, u.password)
               for name, u in users.items() if name != "bot"}
    bot_id = users["bot"].user_id
    # The staff room, made by erin (a v12 creator: staff without a power-level entry).
    staff_room = await create_room(clients["erin"], bot_id, users["dave"].user_id,
                                   users["alice"].user_id,
                                   power_level_override={"users": {users["dave"].user_id: 50}})
    await join(clients["dave"], staff_room)
    await join(clients["alice"], staff_room)  # a member of the staff room, but level 0
    bot = MatrixBot(synapse, bot_id, users["bot"].password, tmp_path / "bot.db", plan,
                    staff=(users["carol"].user_id,), staff_room=staff_room)
    adapter = await bot.start()
    room_id = await create_room(clients["carol"], bot_id, users["alice"].user_id,
                                users["dave"].user_id)
    await join(clients["alice"], room_id)
    await join(clients["dave"], room_id)
    await wait_until(lambda: room_id in adapter.keeper.subscribed, 15, "bot follows the room")
    try:
        yield Scene(bot, clients["carol"], clients["alice"], clients["dave"], clients["erin"],
                    room_id, staff_room)
    finally:
        await bot.stop()


async def test_staff_digest_is_delivered_privately(scene: Scene) -> None:
    tagged = await say(scene.alice, scene.room_id, "Share the budget <b>@room</b> #wp3")
    await scene.bot.wait_tags(scene.room_id, tagged, (3,))
    command = await say(scene.carol, scene.room_id, "!digest")
    pointer = await wait_notice(scene.carol, scene.room_id, scene.bot.user_id,
                                "direct message")
    assert pointer["content"]["m.mentions"] == {}
    # the pointer answers the command it is about
    assert pointer["content"]["m.relates_to"]["m.in_reply_to"]["event_id"] == command
    dm = await accept_direct_room(scene.carol, scene.bot.user_id)
    digest = await wait_notice(scene.carol, dm, scene.bot.user_id, "Share the budget")
    content = digest["content"]
    assert content["m.mentions"] == {}
    assert "<b>" not in content["formatted_body"] and "&lt;b&gt;" in content["formatted_body"]
    # The digest itself never reached the room.
    room_notices = await notices_from(scene.alice, scene.room_id, scene.bot.user_id)
    assert not any("Share the budget" in n["content"]["body"] for n in room_notices)
    # A second digest reuses the same direct room.
    await say(scene.carol, scene.room_id, "!digest 3")
    await wait_until(lambda: _count_notices(scene.carol, dm, scene.bot.user_id, 2), 15,
                     "a second digest in the same direct room")


async def _count_notices(client: nio.AsyncClient, room_id: str, sender: str, at_least: int
                         ) -> bool:
    return len(await notices_from(client, room_id, sender)) >= at_least


async def test_non_staff_digest_is_refused(scene: Scene) -> None:
    await say(scene.alice, scene.room_id, "!digest")
    refusal = await wait_notice(scene.alice, scene.room_id, scene.bot.user_id, "Only staff")
    assert refusal["content"]["m.mentions"] == {}


async def test_power_in_the_room_typed_in_does_not_make_staff(scene: Scene) -> None:
    levels = await scene.carol.room_get_state_event(scene.room_id, "m.room.power_levels")
    assert isinstance(levels, nio.RoomGetStateEventResponse), levels
    content = dict(levels.content)
    content["users"] = {**content.get("users", {}), scene.alice.user_id: 100}
    answer = await scene.carol.room_put_state(scene.room_id, "m.room.power_levels", content)
    assert isinstance(answer, nio.RoomPutStateResponse), answer
    await say(scene.alice, scene.room_id, "!digest")
    await wait_notice(scene.alice, scene.room_id, scene.bot.user_id, "Only staff")


async def test_staff_room_power_level_50_makes_staff(scene: Scene) -> None:
    await say(scene.dave, scene.room_id, "!digest")
    await wait_notice(scene.dave, scene.room_id, scene.bot.user_id, "direct message")


async def test_invite_from_non_staff_is_declined(scene: Scene) -> None:
    room_id = await create_room(scene.alice, scene.bot.user_id)

    async def declined() -> bool:
        state = await scene.alice.room_get_state_event(room_id, "m.room.member",
                                                       scene.bot.user_id)
        return (isinstance(state, nio.RoomGetStateEventResponse)
                and state.content.get("membership") == "leave")
    await wait_until(declined, 15, "the bot declines alice's invite")
    state = await scene.alice.room_get_state_event(room_id, "m.room.member", scene.bot.user_id)
    assert isinstance(state, nio.RoomGetStateEventResponse)
    assert "Only staff can invite" in state.content.get("reason", "")
    assert scene.bot.adapter is not None
    assert room_id not in scene.bot.adapter.keeper.subscribed


async def test_staff_can_make_the_bot_leave(scene: Scene) -> None:
    await say(scene.alice, scene.room_id, "!leave")
    await wait_notice(scene.alice, scene.room_id, scene.bot.user_id, "Only staff")
    await say(scene.carol, scene.room_id, "!leave")
    await wait_notice(scene.alice, scene.room_id, scene.bot.user_id, "Leaving this room")
    adapter = scene.bot.adapter
    assert adapter is not None
    await wait_until(lambda: scene.room_id not in adapter.keeper.subscribed, 15, "bot left")

    async def bot_gone() -> bool:
        state = await scene.alice.room_get_state_event(scene.room_id, "m.room.member",
                                                       scene.bot.user_id)
        return (isinstance(state, nio.RoomGetStateEventResponse)
                and state.content.get("membership") == "leave")
    await wait_until(bot_gone, 15, "the bot's membership is leave")
    after = await say(scene.alice, scene.room_id, "said after the bot left #wp1")
    await scene.bot.synced_past(1)
    assert await scene.bot.stored(scene.room_id, after) is None


async def test_a_v12_staff_room_creator_is_staff(scene: Scene) -> None:
    # erin created the staff room: room version 12 gives her no power-level entry at all.
    levels = await scene.erin.room_get_state_event(scene.staff_room, "m.room.power_levels")
    assert isinstance(levels, nio.RoomGetStateEventResponse), levels
    assert scene.erin.user_id not in levels.content.get("users", {})
    await say(scene.erin, scene.staff_room, "!digest")  # commands work in the staff room
    await wait_notice(scene.erin, scene.staff_room, scene.bot.user_id, "direct message")
    await say(scene.alice, scene.staff_room, "!digest")  # level 0 there: not staff
    await wait_notice(scene.alice, scene.staff_room, scene.bot.user_id, "Only staff")


async def _file_in(client: nio.AsyncClient, room_id: str, sender: str) -> tuple[str, bytes]:
    found: list[dict[str, object]] = []

    async def arrived() -> bool:
        found[:] = [e for e in await timeline(client, room_id) if e.get("sender") == sender
                    and e.get("content", {}).get("msgtype") == "m.file"]
        return bool(found)
    await wait_until(arrived, 15, "a file from the bot")
    content = found[-1]["content"]
    assert isinstance(content, dict)
    downloaded = await client.download(content["url"])
    assert isinstance(downloaded, nio.DownloadResponse), downloaded
    return str(content["body"]), bytes(downloaded.body)


async def test_a_digest_export_arrives_as_a_file_in_the_direct_room(scene: Scene) -> None:
    tagged = await say(scene.alice, scene.room_id, "Export me #wp7")
    await scene.bot.wait_tags(scene.room_id, tagged, (7,))
    await say(scene.carol, scene.room_id, "!digest as md")
    await wait_notice(scene.carol, scene.room_id, scene.bot.user_id, "direct message")
    dm = await accept_direct_room(scene.carol, scene.bot.user_id)
    name, body = await _file_in(scene.carol, dm, scene.bot.user_id)
    assert name.endswith(".md") and "Export me" in body.decode()


async def test_a_long_private_answer_is_attached_as_markdown(scene: Scene) -> None:
    assert scene.bot.adapter is not None
    long_text = "\n".join(f"- input {n}: **share the budget** earlier" for n in range(600))
    where = Conversation("matrix", scene.room_id)
    await scene.bot.adapter.chat.send_private(where, scene.carol.user_id, long_text)
    dm = await accept_direct_room(scene.carol, scene.bot.user_id)
    name, body = await _file_in(scene.carol, dm, scene.bot.user_id)
    assert name.endswith(".md") and body.decode() == long_text
    await wait_notice(scene.carol, dm, scene.bot.user_id, "Markdown file")
