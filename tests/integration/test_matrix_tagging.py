"""Tagging in a real Matrix room: hashtags, reactions, reply commands, edits and redactions."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.workplan import WorkPlan
from tests.support.matrix_bot import (
    RoomScene,
    accept_direct_room,
    cast,
    create_room,
    edit,
    join,
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
    adapter = await bot.start()
    room_id = await create_room(carol, bot.user_id, alice.user_id)
    await join(alice, room_id)
    await wait_until(lambda: room_id in adapter.keeper.subscribed, 15, "bot follows the room")
    try:
        yield RoomScene(bot, carol, alice, room_id)
    finally:
        await bot.stop()


async def test_a_hashtag_tags_the_message(scene: RoomScene) -> None:
    event_id = await say(scene.alice, scene.room_id, "We lack staff time #wp3 #solution")
    stored = await scene.bot.wait_stored(scene.room_id, event_id)
    assert stored.text == "We lack staff time #wp3 #solution"
    assert stored.sender_id == scene.alice.user_id
    assert stored.permalink == f"https://matrix.to/#/{scene.room_id}/{event_id}"
    assert await scene.bot.tags(scene.room_id, event_id) == (3,)


async def test_a_plain_message_is_stored_untagged(scene: RoomScene) -> None:
    event_id = await say(scene.alice, scene.room_id, "hello everyone")
    await scene.bot.wait_stored(scene.room_id, event_id)
    assert await scene.bot.tags(scene.room_id, event_id) == ()


async def test_a_reaction_tags_and_removing_it_untags(scene: RoomScene) -> None:
    event_id = await say(scene.alice, scene.room_id, "Roles are unclear")
    await scene.bot.wait_stored(scene.room_id, event_id)
    reaction_id = await react(scene.carol, scene.room_id, event_id, "4️⃣")
    await scene.bot.wait_tags(scene.room_id, event_id, (4,))
    await redact(scene.carol, scene.room_id, reaction_id)
    await scene.bot.wait_tags(scene.room_id, event_id, ())
    assert await scene.bot.stored(scene.room_id, event_id) is not None  # only the tag went


async def test_a_reply_command_tags_the_replied_to_message(scene: RoomScene) -> None:
    event_id = await say(scene.alice, scene.room_id, "Meetings run too long")
    await scene.bot.wait_stored(scene.room_id, event_id)
    command_id = await say(scene.carol, scene.room_id, "!tag 7 quickwin", reply_to=event_id)
    await scene.bot.wait_tags(scene.room_id, event_id, (7,))
    notice = await wait_notice(scene.carol, scene.room_id, scene.bot.user_id, "Tagged")
    content = notice["content"]
    assert content["m.mentions"] == {}
    assert content["m.relates_to"] == {"m.in_reply_to": {"event_id": command_id}}
    assert content["format"] == "org.matrix.custom.html"
    assert "<strong>" in content["formatted_body"]


async def test_untag_by_reply_command(scene: RoomScene) -> None:
    event_id = await say(scene.alice, scene.room_id, "Too many silos #wp6")
    await scene.bot.wait_tags(scene.room_id, event_id, (6,))
    await say(scene.alice, scene.room_id, "!untag 6", reply_to=event_id)
    await scene.bot.wait_tags(scene.room_id, event_id, ())


async def test_an_edit_changes_the_text_and_the_tags(scene: RoomScene) -> None:
    event_id = await say(scene.alice, scene.room_id, "Budget is short #wp3")
    await scene.bot.wait_tags(scene.room_id, event_id, (3,))
    await edit(scene.alice, scene.room_id, event_id, "Budget is short #wp2")
    await scene.bot.wait_tags(scene.room_id, event_id, (2,))
    stored = await scene.bot.stored(scene.room_id, event_id)
    assert stored is not None and stored.text == "Budget is short #wp2"


async def test_an_edit_by_someone_else_is_ignored(scene: RoomScene) -> None:
    event_id = await say(scene.alice, scene.room_id, "Scope first #wp2")
    await scene.bot.wait_tags(scene.room_id, event_id, (2,))
    await edit(scene.carol, scene.room_id, event_id, "hijacked #wp8")
    marker = await say(scene.alice, scene.room_id, "after the foreign edit")
    await scene.bot.wait_stored(scene.room_id, marker)
    stored = await scene.bot.stored(scene.room_id, event_id)
    assert stored is not None and stored.text == "Scope first #wp2"
    assert await scene.bot.tags(scene.room_id, event_id) == (2,)


async def test_a_redaction_removes_the_input_from_the_digest(scene: RoomScene) -> None:
    kept = await say(scene.alice, scene.room_id, "Keep this #wp5")
    gone = await say(scene.alice, scene.room_id, "Posted by mistake #wp5")
    await scene.bot.wait_tags(scene.room_id, gone, (5,))
    await scene.bot.wait_tags(scene.room_id, kept, (5,))
    await redact(scene.alice, scene.room_id, gone)

    async def deleted() -> bool:
        return await scene.bot.stored(scene.room_id, gone) is None
    await wait_until(deleted, 15, "the redacted message deleted")
    assert scene.bot.storage is not None
    refs = await scene.bot.storage.messages_for(issue=5)
    assert [ref.message_id for ref in refs] == [kept]
    await say(scene.carol, scene.room_id, "!digest 5")
    dm = await accept_direct_room(scene.carol, scene.bot.user_id)
    digest = await wait_notice(scene.carol, dm, scene.bot.user_id, "Keep this")
    assert "Posted by mistake" not in digest["content"]["body"]
    # A replay of the original event (a resend, a late backfill) cannot bring it back.
    replay = {"next_batch": "replayed", "rooms": {"join": {scene.room_id: {"timeline": {
        "events": [{"type": "m.room.message", "event_id": gone, "sender": scene.alice.user_id,
                    "origin_server_ts": 1_700_000_000_000,
                    "content": {"msgtype": "m.text", "body": "Posted by mistake #wp5"}}]}}}}}
    adapter = scene.bot.adapter
    assert adapter is not None and adapter.dispatch is not None
    await adapter.ingest.apply(replay, "since", adapter.dispatch)
    assert await scene.bot.stored(scene.room_id, gone) is None
