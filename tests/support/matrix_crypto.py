"""Members with end-to-end encryption (matrix-nio's Olm machine), as Element users would be."""

from __future__ import annotations

import asyncio
from functools import partial
from pathlib import Path
from typing import Any
from uuid import uuid4

import nio

from tests.support.matrix_bot import edit, react, say
from tests.support.matrix_fixtures import MatrixUser, wait_until
from tests.support.synapse import SynapseServer

ENCRYPTION = {"type": "m.room.encryption", "state_key": "",
              "content": {"algorithm": "m.megolm.v1.aes-sha2"}}
CRYPTO_CONFIG = nio.AsyncClientConfig(max_limit_exceeded=0, max_timeouts=0, request_timeout=10,
                                      encryption_enabled=True, store_sync_tokens=False)


async def crypto_member(synapse: SynapseServer, user: MatrixUser, store: Path
                        ) -> nio.AsyncClient:
    """Logged in with a fresh device whose keys are published."""
    await asyncio.to_thread(store.mkdir, parents=True, exist_ok=True)
    client = nio.AsyncClient(synapse.url, user.user_id, store_path=str(store),
                             config=CRYPTO_CONFIG)
    answer = await client.login(user.password, device_name="member")
    assert isinstance(answer, nio.LoginResponse), answer
    await catch_up(client)
    return client


async def catch_up(client: nio.AsyncClient) -> nio.SyncResponse:
    """One sync, then the key upkeep nio's `sync_forever` would do."""
    answer = await client.sync(timeout=0, full_state=not client.next_batch)
    assert isinstance(answer, nio.SyncResponse), answer
    if client.should_upload_keys:
        await client.keys_upload()
    if client.should_query_keys:
        await client.keys_query()
    if client.should_claim_keys:
        await client.keys_claim(client.get_users_for_key_claiming())
    await client.send_to_device_messages()
    return answer


async def send_sealed(client: nio.AsyncClient, room_id: str, event_type: str,
                      content: dict[str, Any]) -> str:
    """Encrypted, reactions included (nio's `room_send` sends reactions in the clear)."""
    await catch_up(client)
    if client.olm is not None and client.olm.should_share_group_session(room_id):
        await client.joined_members(room_id)
        await catch_up(client)
        await client.share_group_session(room_id, ignore_unverified_devices=True)
    sealed_type, sealed = client.encrypt(room_id, event_type, content)
    method, path, data = nio.Api.room_send(client.access_token, room_id, sealed_type, sealed,
                                           uuid4())
    answer = await client._send(nio.RoomSendResponse, method, path, data, (room_id,))
    assert isinstance(answer, nio.RoomSendResponse), answer
    return str(answer.event_id)


# As the plain helpers, every event encrypted.
say_sealed = partial(say, via=send_sealed)
edit_sealed = partial(edit, via=send_sealed)
react_sealed = partial(react, via=send_sealed)


async def decrypted_from(client: nio.AsyncClient, room_id: str, sender: str,
                         contains: str) -> list[nio.Event]:
    """Events of `sender` in `room_id` the member decrypted whose body has `contains`; the
    member keeps syncing until there is one (15 s)."""
    found: list[nio.Event] = []

    async def seen() -> bool:
        await catch_up(client)
        answer = await client.room_messages(room_id, limit=100)
        assert isinstance(answer, nio.RoomMessagesResponse), answer
        found[:] = [e for e in answer.chunk if e.sender == sender
                    and getattr(e, "decrypted", False)
                    and contains in str(getattr(e, "body", ""))]
        return bool(found)
    await wait_until(seen, 15, f"a decrypted event of {sender} with {contains!r}")
    return found
