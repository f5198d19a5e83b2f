"""The Synapse harness itself: users, a room, a message seen through sync, and a restart."""

# The fixtures are imported here (no conftest yet) and then requested as same-named arguments.
# ruff: noqa: F811

from __future__ import annotations

import asyncio
import contextlib

import nio
import pytest

from tests.support.matrix_fixtures import (  # noqa: F401 - fixtures are used by name
    Login,
    MakeUser,
    login,
    make_user,
    synapse,
    wait_until,
)
from tests.support.synapse import SynapseServer

pytestmark = pytest.mark.integration


async def test_bob_sees_alices_message_through_sync(
    synapse: SynapseServer,
    make_user: MakeUser,
    login: Login,
) -> None:
    alice_user, bob_user = make_user("alice"), make_user("bob")
    alice = await login(synapse, alice_user.user_id, alice_user.password)
    bob = await login(synapse, bob_user.user_id, bob_user.password)
    received: list[nio.RoomMessageText] = []

    async def on_text(room: nio.MatrixRoom, event: nio.RoomMessageText) -> None:
        received.append(event)

    bob.add_event_callback(on_text, nio.RoomMessageText)
    bob_sync = asyncio.create_task(bob.sync_forever(timeout=30_000))
    try:
        created = await alice.room_create(name="harness", invite=[bob.user_id])
        assert isinstance(created, nio.RoomCreateResponse), created
        room_id = created.room_id

        await wait_until(lambda: room_id in bob.invited_rooms, message="bob's invite")
        joined = await bob.join(room_id)
        assert isinstance(joined, nio.JoinResponse), joined
        await wait_until(lambda: room_id in bob.rooms, message="bob's join in his sync")

        sent = await alice.room_send(
            room_id, "m.room.message", {"msgtype": "m.text", "body": "hello #WP-1"}
        )
        assert isinstance(sent, nio.RoomSendResponse), sent
        await wait_until(
            lambda: any(ev.event_id == sent.event_id for ev in received),
            message="alice's message in bob's sync",
        )
    finally:
        bob_sync.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await bob_sync

    message = next(ev for ev in received if ev.event_id == sent.event_id)
    assert (message.sender, message.body) == (alice.user_id, "hello #WP-1")


async def test_users_survive_a_restart(
    synapse: SynapseServer,
    make_user: MakeUser,
    login: Login,
) -> None:
    carol = make_user("carol")
    url = synapse.url

    # Blocking on purpose: Synapse must be (re)started from the main thread, see SynapseServer.
    synapse.restart()

    assert synapse.url == url
    client = await login(synapse, carol.user_id, carol.password)
    whoami = await client.whoami()
    assert isinstance(whoami, nio.WhoamiResponse), whoami
    assert whoami.user_id == carol.user_id


def test_register_returns_the_full_user_id(synapse: SynapseServer) -> None:
    assert synapse.register("harness-dave", "pw", admin=True) == "@harness-dave:localhost"
