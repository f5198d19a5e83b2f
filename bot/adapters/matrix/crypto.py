"""End-to-end encryption: matrix-nio's Olm machine, fed by our own sync loop.

Our sync loop reads the JSON itself (see inbound.py), so nio's `receive_response` is not
used: the Olm machine gets exactly what it needs from each sync (to-device events, device
list changes, one-time key counts, and the members of encrypted rooms), and unencrypted rooms
cost nothing more than a look at their state. The store (Olm account, sessions, devices and
their trust) is nio's SQLite file under `PLENARY_MATRIX_STORE_PATH`, named after the user and
the device, which is why the device id is kept for the bot's whole life (session.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import nio
from nio.crypto import ENCRYPTION_ENABLED, encrypt_attachment

from bot.adapters.matrix.http import MatrixHttp, segment
from bot.adapters.matrix.trust import TrustPolicy
from bot.errors import AdapterError, ConfigError
from bot.settings import Settings

log = logging.getLogger(__name__)

ENCRYPTED = "m.room.encrypted"
MEGOLM = "m.megolm.v1.aes-sha2"
ENCRYPTION_STATE = {"type": "m.room.encryption", "state_key": "",
                    "content": {"algorithm": MEGOLM}}


def store_path(settings: Settings) -> Path:
    """`PLENARY_MATRIX_STORE_PATH`, else a folder beside the SQLite database, else
    `./matrix-store` (the working directory: /data in the container)."""
    if settings.matrix_store_path:
        return Path(settings.matrix_store_path)
    from sqlalchemy.engine import make_url

    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        database = Path(url.database)
        return database.with_name(f"{database.stem}-matrix-store")
    return Path("matrix-store")


def check_available(settings: Settings) -> None:
    if settings.matrix_e2ee and not ENCRYPTION_ENABLED:
        raise ConfigError("PLENARY_MATRIX_E2EE=true needs matrix-nio's encryption extra: "
                          'pip install "matrix-nio[e2e]" (or set PLENARY_MATRIX_E2EE=false)')


class MatrixCrypto:
    def __init__(self, client: nio.AsyncClient, http: MatrixHttp, trust: TrustPolicy,
                 path: Path) -> None:
        self._client = client
        self._http = http
        self.trust = trust
        self._path = path
        self._lock = asyncio.Lock()  # key uploads, queries, claims and shares, one at a time
        self._requested: set[str] = set()  # session ids asked for since start

    @property
    def ready(self) -> bool:
        return self._client.olm is not None

    @property
    def device_key(self) -> str:
        """Our device's ed25519 fingerprint, to be checked by people who verify us."""
        olm = self._client.olm
        return str(olm.account.identity_keys["ed25519"]) if olm else ""

    async def open(self) -> None:
        """Load (or create) the Olm account of our device and publish its keys."""
        await asyncio.to_thread(self._path.mkdir, parents=True, exist_ok=True)
        client = self._client
        client.store_path = str(self._path)
        client.load_store()
        if client.olm is None:
            raise AdapterError(f"could not open the encryption store in {self._path}")
        async with self._lock:
            try:
                await self._upload_keys()
            except AdapterError as exc:
                # Typically a lost store: the server holds other keys for this device.
                raise ConfigError(
                    f"PLENARY_MATRIX_STORE_PATH: the homeserver refused the keys of device "
                    f"{client.device_id} kept in {self._path} ({exc}); if the store was lost or "
                    "replaced, see 'If the store is lost' in docs/matrix-encryption.md") from exc
        log.info("end-to-end encryption on: device %s, fingerprint %s, store %s",
                 client.device_id, self.device_key, self._path)

    # Sync ------------------------------------------------------------------------------------

    def absorb(self, response: Mapping[str, Any]) -> int:
        """Feed the Olm machine the crypto parts of one sync; returns how many to-device
        events came (room keys among them)."""
        olm = self._client.olm
        if olm is None:
            return 0
        to_device = response.get("to_device")
        events = to_device.get("events") if isinstance(to_device, dict) else None
        count = 0
        for raw in events if isinstance(events, list) else ():
            if not isinstance(raw, dict) or not isinstance(raw.get("content"), dict):
                continue
            count += 1
            try:
                event = nio.ToDeviceEvent.parse_event(raw)
                if event is not None and not isinstance(event, nio.UnknownBadEvent):
                    olm.handle_to_device_event(event)
            except Exception:  # one bad to-device event never stops the sync
                log.exception("could not handle a to-device event of type %s",
                              raw.get("type"))
        counts = response.get("device_one_time_keys_count")
        if isinstance(counts, dict) and isinstance(counts.get("signed_curve25519"), int):
            olm.uploaded_key_count = counts["signed_curve25519"]
        lists = response.get("device_lists")
        if isinstance(lists, dict):
            changed = {u for key in ("changed", "left") for u in lists.get(key) or ()
                       if isinstance(u, str)}
            olm.add_changed_users({u for u in changed if self._in_encrypted_room(u)})
        olm.collect_key_requests()  # requests of our own other devices (there are none)
        return count

    def _in_encrypted_room(self, user_id: str) -> bool:
        return any(room.encrypted and user_id in room.users
                   for room in self._client.rooms.values())

    def track(self, room_id: str, state: Iterable[Mapping[str, Any]]) -> None:
        """Follow the members of an encrypted room: they are whom its keys go to."""
        client = self._client
        if client.olm is None:
            return
        room = client.rooms.get(room_id)
        if room is None:
            room = client.rooms[room_id] = nio.MatrixRoom(room_id, client.user_id,
                                                          encrypted=True)
        room.encrypted = True
        changed = False
        for raw in state:
            if raw.get("type") != "m.room.member" or not isinstance(raw.get("state_key"), str):
                continue
            event = nio.RoomMemberEvent.from_dict(dict(raw))
            if isinstance(event, nio.RoomMemberEvent):
                changed = room.handle_membership(event) or changed
        if changed:
            client.invalidate_outbound_session(room_id)  # new members: a new session
        client.olm.update_tracked_users(room)

    async def settle(self) -> None:
        """After a sync: publish keys when the server runs low, learn new devices (and judge
        them), open Olm sessions that are needed, send what nio queued."""
        if not self.ready:
            return
        async with self._lock:
            await self._upload_keys()
            await self._query_keys()
            client = self._client
            if client.should_claim_keys:
                await client.keys_claim(client.get_users_for_key_claiming())
            if client.outgoing_to_device_messages:
                await client.send_to_device_messages()

    async def _upload_keys(self) -> None:
        if self._client.should_upload_keys:
            answer = await self._client.keys_upload()
            if not isinstance(answer, nio.KeysUploadResponse):
                # The server's first sentence (its message goes on to quote the keys).
                said = str(getattr(answer, "message", "")).split(". ")[0][:120]
                raise AdapterError(f"could not publish our device keys: "
                                   f"{getattr(answer, 'status_code', '')} {said}".strip())

    async def _query_keys(self) -> None:
        client = self._client
        if client.should_query_keys:
            answer = await client.keys_query()
            if isinstance(answer, nio.KeysQueryResponse):
                self.trust.refuse_changed(client, answer.device_keys)
            else:
                log.warning("key query failed: %s", answer)
        self.trust.decide(client)

    # Reading ---------------------------------------------------------------------------------

    def decrypt(self, room_id: str, raw: Mapping[str, Any]) -> dict[str, Any] | None:
        """The event as its sender wrote it (type and content decrypted, envelope kept),
        or None while we lack its key."""
        olm = self._client.olm
        if olm is None or raw.get("type") != ENCRYPTED:
            return None
        event = nio.MegolmEvent.from_dict(dict(raw))
        if not isinstance(event, nio.MegolmEvent):
            return None  # malformed: stays pending, counted
        try:
            clear = olm.decrypt_megolm_event(event, room_id)
        except nio.EncryptionError:
            return None
        source = clear.source
        content = source.get("content")
        if not isinstance(content, dict) or not isinstance(source.get("type"), str):
            return None
        return {**raw, "type": source["type"], "content": content}

    async def request_key(self, room_id: str, raw: Mapping[str, Any]) -> None:
        """Ask our other devices and the sender's device for the key of `raw`, once per run."""
        client = self._client
        event = nio.MegolmEvent.from_dict({**raw, "room_id": room_id})
        if not isinstance(event, nio.MegolmEvent) or event.session_id in self._requested:
            return
        self._requested.add(event.session_id)
        event.room_id = room_id
        try:
            for message in (event.as_key_request(client.user_id, client.device_id),
                            event.as_key_request(event.sender, client.device_id,
                                                 device_id=event.device_id)):
                answer = await client.to_device(message)
                if not isinstance(answer, nio.ToDeviceResponse):
                    log.warning("could not request the key of %s: %s", event.event_id, answer)
        except Exception:
            log.exception("could not request the key of %s", event.event_id)

    # Sending ---------------------------------------------------------------------------------

    async def seal(self, room_id: str, event_type: str, content: dict[str, Any]
                   ) -> tuple[str, dict[str, Any]]:
        """`m.room.encrypted` content for an event of an encrypted room, its group session
        shared first with every member's device the trust policy allows."""
        client = self._client
        async with self._lock:
            room = client.rooms.get(room_id)
            if room is None or not room.members_synced:
                await self._load_members(room_id)
            await self._query_keys()
            olm = client.olm
            assert olm is not None
            if olm.should_share_group_session(room_id):
                # Unverified devices are blacklisted (verified policy) or verified (tofu) by
                # now; one that appeared this instant still gets the key, marked ignored.
                await client.share_group_session(room_id, ignore_unverified_devices=True)
            sealed_type, sealed = client.encrypt(room_id, event_type, content)
            return str(sealed_type), dict(sealed)

    async def _load_members(self, room_id: str) -> None:
        """Joined and invited members (a new direct room's guest is only invited)."""
        answer = await self._http.request(
            "GET", f"/rooms/{segment(room_id)}/members", query={"not_membership": "leave"})
        chunk = answer.get("chunk")
        events = [e for e in chunk if isinstance(e, dict)] if isinstance(chunk, list) else []
        self.track(room_id, events)
        self._client.rooms[room_id].members_synced = True


class Sealer:
    """What MatrixChat asks before each send: does this room encrypt, and the sealed event."""

    def __init__(self, crypto: MatrixCrypto, encrypted: Callable[[str], bool]) -> None:
        self._crypto = crypto
        self._encrypted = encrypted

    def seals(self, room_id: str) -> bool:
        return self._crypto.ready and self._encrypted(room_id)

    async def seal(self, room_id: str, event_type: str, content: dict[str, Any]
                   ) -> tuple[str, dict[str, Any]]:
        if not self.seals(room_id):
            return event_type, content
        return await self._crypto.seal(room_id, event_type, content)

    def seal_file(self, data: bytes) -> tuple[bytes, dict[str, Any]]:
        """The file encrypted for upload, and the keys that go in the (encrypted) event."""
        sealed, keys = encrypt_attachment(data)
        return bytes(sealed), dict(keys)
