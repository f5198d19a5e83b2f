"""Encrypted rooms in one sync batch: decrypted events read like any, the undecryptable kept
(in the database) until their key comes, then read once. The Olm machine is a stand-in."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from typing import Any

import nio
import pytest
from sqlalchemy.exc import OperationalError

from bot.adapters import StorageUnavailable
from bot.adapters.matrix.chat import MatrixChat
from bot.adapters.matrix.encrypted import EncryptedRooms
from bot.adapters.matrix.http import MatrixHttp
from bot.adapters.matrix.ingest import SyncIngest
from bot.adapters.matrix.pending import PendingEvents
from bot.adapters.matrix.rooms import RoomKeeper
from bot.adapters.matrix.roomstate import RoomStates
from bot.adapters.matrix.staff import MatrixStaff
from bot.i18n import Translator
from bot.messages import Event, IncomingMessage, MessageRef, Outcome
from tests.fakes import Harness

BOT, ALICE, ROOM = "@bot:x", "@alice:x", "!room:x"
KEY = "matrix:@bot:x:pending_encrypted"
ENCRYPTION = {"type": "m.room.encryption", "state_key": "", "sender": ALICE,
              "content": {"algorithm": "m.megolm.v1.aes-sha2"}}


class FakeCrypto:
    """Decrypts the events whose session it holds a key for (`plain` is what they hide)."""

    ready = True

    def __init__(self) -> None:
        self.keys: set[str] = set()
        self.plain: dict[str, dict[str, Any]] = {}
        self.arrived = 0
        self.requested: list[str] = []
        self.tracked: list[str] = []

    def absorb(self, response: Mapping[str, Any]) -> int:
        arrived, self.arrived = self.arrived, 0
        return arrived

    def track(self, room_id: str, state: Iterable[Mapping[str, Any]]) -> None:
        self.tracked.append(room_id)

    def decrypt(self, room_id: str, raw: Mapping[str, Any]) -> dict[str, Any] | None:
        if raw["content"]["session_id"] not in self.keys:
            return None
        return {**raw, **self.plain[raw["event_id"]]}

    async def settle(self) -> None:
        pass

    async def request_key(self, room_id: str, raw: Mapping[str, Any]) -> None:
        self.requested.append(raw["event_id"])


_stamp = iter(range(1_700_000_000_000, 1_800_000_000_000, 1000))


def sealed(crypto: FakeCrypto, event_id: str, session: str, body: str) -> dict[str, Any]:
    crypto.plain[event_id] = {"type": "m.room.message",
                              "content": {"msgtype": "m.text", "body": body}}
    return {"type": "m.room.encrypted", "event_id": event_id, "sender": ALICE,
            "origin_server_ts": next(_stamp),
            "content": {"algorithm": "m.megolm.v1.aes-sha2", "ciphertext": "…",
                        "session_id": session, "sender_key": "k", "device_id": "D"}}


def sync(token: str, events: list[dict[str, Any]]) -> dict[str, Any]:
    return {"next_batch": token, "rooms": {"join": {ROOM: {
        "state": {"events": [ENCRYPTION]}, "timeline": {"events": events}}}}}


Scene = tuple[SyncIngest, FakeCrypto, EncryptedRooms]


@pytest.fixture
async def scene(harness: Harness) -> AsyncIterator[Scene]:
    client = nio.AsyncClient("http://127.0.0.1:9", BOT)  # never called
    http, rooms, tr = MatrixHttp(client), RoomStates(), Translator("en")
    chat = MatrixChat(http, harness.storage, harness.clock, tr, lambda: BOT, rooms)

    async def no_state(room_id: str) -> list[Any]:
        return []

    keeper = RoomKeeper(http, harness.storage, harness.clock, tr, chat, lambda: BOT)
    keeper.subscribed.add(ROOM)
    crypto = FakeCrypto()
    encrypted = EncryptedRooms(crypto, PendingEvents(harness.storage, harness.clock, KEY),  # type: ignore[arg-type]
                               harness.clock)
    ingest = SyncIngest(bot_user=lambda: BOT, prefix="!", storage=harness.storage,
                        clock=harness.clock, http=http, rooms=rooms, keeper=keeper,
                        staff=MatrixStaff((), no_state, harness.clock), encrypted=encrypted)
    yield ingest, crypto, encrypted
    await client.close()


def ref(event_id: str) -> MessageRef:
    return MessageRef("matrix", ROOM, event_id)


async def test_decrypted_events_are_read_like_any(scene: Scene, harness: Harness) -> None:
    ingest, crypto, _ = scene
    crypto.keys.add("s1")
    await ingest.apply(sync("t1", [sealed(crypto, "$a", "s1", "budget #wp3")]), "t0",
                       harness.router.handle)
    assert (await harness.storage.tags_of(ref("$a"))).issues == (3,)
    assert crypto.tracked == [ROOM]


async def test_an_event_without_its_key_waits_then_is_read_once(scene: Scene,
                                                                harness: Harness) -> None:
    ingest, crypto, encrypted = scene
    seen: list[str] = []

    async def dispatch(events: Sequence[Event]) -> list[Outcome]:
        seen.extend(e.message_id for e in events if isinstance(e, IncomingMessage))
        return await harness.router.handle(events)

    late = sealed(crypto, "$late", "s2", "late input #wp2")
    await ingest.apply(sync("t1", [late]), "t0", dispatch)
    assert await harness.storage.message(ref("$late")) is None
    assert crypto.requested == ["$late"]
    # Kept in the database, before the token moved.
    reloaded = PendingEvents(harness.storage, harness.clock, KEY)
    await reloaded.load()
    assert "$late" in reloaded
    # A replay of that sync keeps it once and does not ask twice.
    await ingest.apply(sync("t1", [late]), "t0", dispatch)
    assert len(encrypted.pending) == 1 and crypto.requested == ["$late"]
    # The key comes with a later sync: read then, once, and no longer pending.
    crypto.keys.add("s2")
    crypto.arrived = 1
    await ingest.apply(sync("t2", []), "t1", dispatch)
    assert (await harness.storage.tags_of(ref("$late"))).issues == (2,)
    assert len(encrypted.pending) == 0
    await ingest.apply(sync("t3", []), "t2", dispatch)
    assert seen == ["$late"]
    await reloaded.load()
    assert "$late" not in reloaded


async def test_a_redacted_pending_event_is_no_longer_waited_for(scene: Scene,
                                                                harness: Harness) -> None:
    ingest, crypto, encrypted = scene
    await ingest.apply(sync("t1", [sealed(crypto, "$x", "s3", "oops #wp1")]), "t0",
                       harness.router.handle)
    assert "$x" in encrypted.pending
    redaction = {"type": "m.room.redaction", "event_id": "$undo", "sender": ALICE,
                 "origin_server_ts": next(_stamp), "content": {"redacts": "$x"}}
    await ingest.apply(sync("t2", [redaction]), "t1", harness.router.handle)
    assert "$x" not in encrypted.pending


async def test_staff_are_told_of_what_stays_unreadable(scene: Scene, harness: Harness) -> None:
    ingest, crypto, encrypted = scene
    await ingest.apply(sync("t1", [sealed(crypto, "$y", "s4", "never readable")]), "t0",
                       harness.router.handle)
    assert encrypted.unreadable() == 0  # a key may still come within minutes
    harness.clock.advance(minutes=11)
    assert encrypted.unreadable() == 1


async def test_the_oldest_are_dropped_beyond_the_limit_and_counted(harness: Harness,
                                                                   monkeypatch: pytest.MonkeyPatch
                                                                   ) -> None:
    monkeypatch.setattr("bot.adapters.matrix.pending.MAX_KEPT", 2)
    pending = PendingEvents(harness.storage, harness.clock, KEY)
    for n in range(3):
        assert pending.add(ROOM, {"event_id": f"$e{n}", "origin_server_ts": n})
    assert not pending.add(ROOM, {"event_id": "$e2", "origin_server_ts": 2})
    assert [p.event_id for p in pending.waiting()] == ["$e1", "$e2"]
    assert pending.dropped == 1 and pending.unreadable(harness.clock.now()) == 3
    await pending.save()
    again = PendingEvents(harness.storage, harness.clock, KEY)
    await again.load()
    assert again.dropped == 1 and len(again) == 2


async def test_a_late_read_that_fails_is_tried_again_with_the_next_sync(
        scene: Scene, harness: Harness) -> None:
    ingest, crypto, encrypted = scene
    await ingest.apply(sync("t1", [sealed(crypto, "$z", "s5", "late #wp4")]), "t0",
                       harness.router.handle)
    crypto.keys.add("s5")
    crypto.arrived = 1

    async def outage(events: Sequence[Event]) -> list[Outcome]:
        down = OperationalError("INSERT", {}, Exception("database is locked"))
        return [Outcome(error=down, outage=True) for _ in events]
    with pytest.raises(StorageUnavailable):
        await ingest.apply(sync("t2", []), "t1", outage)
    assert "$z" in encrypted.pending
    await ingest.apply(sync("t2", []), "t1", harness.router.handle)  # no new to-device event
    assert (await harness.storage.tags_of(ref("$z"))).issues == (4,)
    assert "$z" not in encrypted.pending
