"""End-to-end encrypted rooms against a real Synapse: members with matrix-nio's encryption talk
to plenary (PLENARY_MATRIX_E2EE on, the default); it reads, tags and answers, encrypted."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import nio
import pytest

from bot.adapters.matrix import MatrixAdapter
from bot.errors import ConfigError
from bot.messages import IncomingMessage
from bot.workplan import WorkPlan
from tests.support.matrix_bot import MatrixBot, create_room, redact, say, wait_notice
from tests.support.matrix_crypto import (
    ENCRYPTION,
    catch_up,
    crypto_member,
    decrypted_from,
    edit_sealed,
    react_sealed,
    say_sealed,
)
from tests.support.matrix_fixtures import MakeUser, wait_until
from tests.support.synapse import SynapseServer

pytestmark = pytest.mark.integration

@dataclass
class Scene:
    bot: MatrixBot
    carol: nio.AsyncClient  # staff, with encryption
    alice: nio.AsyncClient  # a member, with encryption
    room_id: str

    @property
    def adapter(self) -> MatrixAdapter:
        assert self.bot.adapter is not None
        return self.bot.adapter


@pytest.fixture
async def scene(synapse: SynapseServer, make_user: MakeUser, plan: WorkPlan,
                tmp_path: Path) -> AsyncIterator[Scene]:
    bot_user, carol_user, alice_user = make_user("bot"), make_user("carol"), make_user("alice")
    carol = await crypto_member(synapse, carol_user, tmp_path / "carol")
    alice = await crypto_member(synapse, alice_user, tmp_path / "alice")
    bot = MatrixBot(synapse, bot_user.user_id, bot_user.password, tmp_path / "bot.db", plan,
                    staff=(carol_user.user_id,))
    adapter = await bot.start()
    room_id = await create_room(carol, bot.user_id, alice.user_id, initial_state=[ENCRYPTION])
    joined = await alice.join(room_id)
    assert isinstance(joined, nio.JoinResponse), joined
    await wait_until(lambda: room_id in adapter.keeper.subscribed, 15, "bot follows the room")
    await bot.synced_past(1)
    try:
        yield Scene(bot, carol, alice, room_id)
    finally:
        try:
            await bot.stop()
        finally:
            await carol.close()
            await alice.close()


def _messages(bot: MatrixBot, event_id: str) -> int:
    return sum(1 for e in bot.dispatched
               if isinstance(e, IncomingMessage) and e.message_id == event_id)


async def test_everything_works_encrypted_and_survives_a_restart(scene: Scene) -> None:
    bot, alice, room = scene.bot, scene.alice, scene.room_id
    device = scene.adapter.client.device_id
    # Hashtags.
    first = await say_sealed(alice, room, "Budget is short #wp3")
    await bot.wait_tags(room, first, (3,))
    # An encrypted reaction.
    second = await say_sealed(alice, room, "Meetings run too long")
    await bot.wait_stored(room, second)
    await react_sealed(alice, room, second, "4️⃣")
    await bot.wait_tags(room, second, (4,))
    # An edit.
    await edit_sealed(alice, room, first, "Budget is short #wp2")
    await bot.wait_tags(room, first, (2,))
    stored = await bot.stored(room, first)
    assert stored is not None and stored.text == "Budget is short #wp2"
    # A redaction (redactions are never encrypted).
    gone = await say_sealed(alice, room, "Posted by mistake #wp5")
    await bot.wait_tags(room, gone, (5,))
    await redact(alice, room, gone)

    async def deleted() -> bool:
        return await bot.stored(room, gone) is None
    await wait_until(deleted, 15, "the redacted message deleted")
    # A command, replying: the answer is encrypted and alice reads it.
    await say_sealed(alice, room, "!tag 7", reply_to=second)
    await bot.wait_tags(room, second, (4, 7))
    answers = await decrypted_from(alice, room, bot.user_id, "Tagged")
    assert len(answers) == 1
    history = await alice.room_messages(room, limit=100)
    assert isinstance(history, nio.RoomMessagesResponse), history
    sent = [e for e in history.chunk if e.sender == bot.user_id and "state_key" not in e.source]
    # Nothing in the clear: the notice and the acknowledgement reactions came encrypted.
    assert len(sent) >= 3 and all(getattr(e, "decrypted", False) for e in sent)

    # Restart; alice writes while the bot is down.
    await bot.stop()
    offline = await say_sealed(alice, room, "Written while plenary was away #wp6")
    adapter = await bot.start()
    assert adapter.client.device_id == device
    await bot.wait_tags(room, offline, (6,))
    assert adapter.encrypted is not None and len(adapter.encrypted.pending) == 0
    later = await say_sealed(alice, room, "After the restart #wp1")
    await bot.wait_tags(room, later, (1,))
    # Everything exactly once.
    for event_id in (first, second, offline, later):
        assert _messages(bot, event_id) == 1, event_id
    assert bot.storage is not None and await bot.storage.count_messages() == 4
    assert len(await decrypted_from(alice, room, bot.user_id, "Tagged")) == 1


async def test_a_staff_digest_from_an_encrypted_room_goes_to_an_encrypted_direct_room(
        scene: Scene) -> None:
    bot, carol, room = scene.bot, scene.carol, scene.room_id
    tagged = await say_sealed(scene.alice, room, "Keep this #wp5")
    await bot.wait_tags(room, tagged, (5,))
    # Asked first from an unencrypted room: the direct room is made as before, in the clear.
    plain_room = await create_room(carol, bot.user_id)
    await wait_until(lambda: plain_room in scene.adapter.keeper.subscribed, 15, "plain room")
    await catch_up(carol)  # carol's client learns of the new room
    await say(carol, plain_room, "!digest 5")
    invited: list[str] = []

    async def invite_arrived() -> bool:
        await catch_up(carol)
        invited[:] = [r for r, info in carol.invited_rooms.items() if info.inviter == bot.user_id]
        return bool(invited)
    await wait_until(invite_arrived, 15, "the bot's direct-room invite")
    dm = invited[0]
    assert isinstance(await carol.join(dm), nio.JoinResponse)
    assert not await _encrypted(carol, dm)
    await wait_notice(carol, dm, bot.user_id, "Keep this")
    # Asked from the encrypted room: the same direct room, now encrypted, and only then sent.
    await say_sealed(carol, room, "!digest 5")
    await wait_until(lambda: _encrypted(carol, dm), 15, "the direct room encrypted")
    digest = await decrypted_from(carol, dm, bot.user_id, "Keep this")
    assert len(digest) == 1
    assert await decrypted_from(carol, room, bot.user_id, "direct message")


async def _encrypted(client: nio.AsyncClient, room_id: str) -> bool:
    state = await client.room_get_state(room_id)
    assert isinstance(state, nio.RoomGetStateResponse), state
    return any(e.get("type") == "m.room.encryption" for e in state.events)


async def test_an_event_without_its_key_waits_and_is_read_once_the_key_comes(
        scene: Scene) -> None:
    bot, alice, room = scene.bot, scene.alice, scene.room_id
    encrypted = scene.adapter.encrypted
    assert encrypted is not None
    # alice withholds the room key from the bot's device, keeping it to share later.
    await catch_up(alice)
    assert alice.olm is not None
    bot_device = alice.device_store[bot.user_id][scene.adapter.client.device_id]
    alice.blacklist_device(bot_device)
    await alice.joined_members(room)
    await alice.share_group_session(room, ignore_unverified_devices=True)
    session = alice.olm.outbound_group_sessions[room]
    key = {"algorithm": "m.megolm.v1.aes-sha2", "room_id": room, "session_id": session.id,
           "session_key": session.session_key}
    late = await say_sealed(alice, room, "Sent before the key #wp2")
    await wait_until(lambda: late in encrypted.pending, 15, "the event kept as pending")
    assert await bot.stored(room, late) is None
    # The bot asked the sender's device for the key.
    requests: list[nio.RoomKeyRequest] = []

    async def asked() -> bool:
        answer = await catch_up(alice)
        requests.extend(e for e in answer.to_device_events if isinstance(e, nio.RoomKeyRequest))
        return bool(requests)
    await wait_until(asked, 15, "a room key request")
    assert requests[0].session_id == session.id
    # Staff see it counted once it has waited long enough (10 minutes; here at once).
    encrypted.unreadable_after = timedelta(0)
    await say_sealed(scene.carol, room, "!help")
    help_text = await decrypted_from(scene.carol, room, bot.user_id, "could not be decrypted")
    assert "1 encrypted message" in str(help_text[0].body)
    # Kept across a restart (in the database), and asked for again.
    await bot.stop()
    requests.clear()
    encrypted = (await bot.start()).encrypted
    assert encrypted is not None and late in encrypted.pending
    await wait_until(asked, 15, "the room key asked for again after the restart")
    # The key comes (as a re-share would bring it): the event is read, once.
    alice.unblacklist_device(bot_device)
    missing = alice.get_missing_sessions(room)
    if missing:
        await alice.keys_claim(missing)
    olm_session = alice.olm.session_store.get(bot_device.curve25519)
    assert olm_session is not None
    sealed = alice.olm._olm_encrypt(olm_session, bot_device, "m.room_key", key)
    message = nio.ToDeviceMessage("m.room.encrypted", bot.user_id, bot_device.id, sealed)
    assert isinstance(await alice.to_device(message), nio.ToDeviceResponse)
    await bot.wait_tags(room, late, (2,))
    await wait_until(lambda: late not in encrypted.pending, 15, "no longer pending")
    await bot.synced_past(2)
    assert _messages(bot, late) == 1


async def test_a_lost_key_store_is_one_clear_configuration_error(scene: Scene,
                                                                 tmp_path: Path) -> None:
    store = tmp_path / "bot-matrix-store"
    assert any(store.glob("*.db"))  # beside bot.db, named after the user and the device
    await scene.bot.stop()
    shutil.rmtree(store)
    with pytest.raises(ConfigError, match="PLENARY_MATRIX_STORE_PATH: the homeserver refused"):
        await scene.bot.start()


async def test_verified_only_sends_keys_to_the_devices_listed(scene: Scene) -> None:
    bot, alice, carol, room = scene.bot, scene.alice, scene.carol, scene.room_id
    assert alice.olm is not None
    fingerprint = alice.olm.account.identity_keys["ed25519"]
    # Element shows fingerprints in groups of four: the list takes them so.
    spaced = " ".join(fingerprint[i:i + 4] for i in range(0, len(fingerprint), 4))
    await bot.stop()
    bot.settings.update(matrix_trust="verified",
                        matrix_verified_devices=f"{alice.user_id} {alice.device_id} {spaced}")
    await bot.start()
    await say_sealed(carol, room, "!help")
    await decrypted_from(alice, room, bot.user_id, "What I can do")
    history = await carol.room_messages(room, limit=50)
    assert isinstance(history, nio.RoomMessagesResponse), history
    from_bot = [e for e in history.chunk if e.sender == bot.user_id and "state_key" not in e.source]
    assert from_bot and all(isinstance(e, nio.MegolmEvent) for e in from_bot)  # not for carol
