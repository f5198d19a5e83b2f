"""One sync batch through the adapter's ingest into the real router and storage (no network)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

import nio
import pytest
from sqlalchemy.exc import OperationalError

from bot.adapters import StorageUnavailable
from bot.adapters.matrix.chat import MatrixChat
from bot.adapters.matrix.http import MatrixHttp
from bot.adapters.matrix.ingest import BadSync, SyncIngest
from bot.adapters.matrix.rooms import RoomKeeper
from bot.adapters.matrix.roomstate import RoomStates
from bot.adapters.matrix.staff import MatrixStaff
from bot.adapters.matrix.sync import backoff_delay
from bot.i18n import Translator
from bot.messages import Event, IncomingMessage, MessageRef, Outcome
from bot.storage import SaveOutcome, Storage
from bot.tags import TagSet
from tests.fakes import Harness

BOT, ALICE, ROOM, OTHER = "@bot:x", "@alice:x", "!room:x", "!dm:x"
Ingest = tuple[SyncIngest, RoomStates]


@pytest.fixture
async def ingest(harness: Harness) -> AsyncIterator[Ingest]:
    client = nio.AsyncClient("http://127.0.0.1:9", BOT)  # never called: nothing here needs HTTP
    http, rooms, tr = MatrixHttp(client), RoomStates(), Translator("en")
    chat = MatrixChat(http, harness.storage, harness.clock, tr, lambda: BOT, rooms)

    keeper = RoomKeeper(http, harness.storage, harness.clock, tr, chat, lambda: BOT)
    keeper.subscribed.add(ROOM)
    staff = MatrixStaff((), _no_state, harness.clock)
    yield SyncIngest(bot_user=lambda: BOT, prefix="!", storage=harness.storage,
                     clock=harness.clock, http=http, rooms=rooms, keeper=keeper,
                     staff=staff), rooms
    await client.close()


async def _no_state(room_id: str) -> list[Any]:
    return []


_stamp = iter(range(1_700_000_000_000, 1_800_000_000_000, 1000))


def ev(event_id: str, kind: str = "m.room.message", sender: str = ALICE,
       **content: Any) -> dict[str, Any]:
    return {"type": kind, "event_id": event_id, "sender": sender,
            "origin_server_ts": next(_stamp), "content": content}


def text(event_id: str, body: str, sender: str = ALICE, **extra: Any) -> dict[str, Any]:
    return ev(event_id, sender=sender, msgtype="m.text", body=body, **extra)


def sync(token: str, events: list[dict[str, Any]], room: str = ROOM,
         **rooms: Any) -> dict[str, Any]:
    return {"next_batch": token, "rooms": {"join": {room: {"timeline": {"events": events}}},
                                           **rooms}}


def ref(event_id: str) -> MessageRef:
    return MessageRef("matrix", ROOM, event_id)


async def test_one_batch_applies_dependent_events_in_order(ingest: Ingest,
                                                           harness: Harness) -> None:
    ingester, _ = ingest
    batch = sync("s2", [
        text("$m", "budget #wp3"),
        text("$m-edit", "* budget #wp4", **{
            "m.new_content": {"msgtype": "m.text", "body": "budget #wp4"},
            "m.relates_to": {"rel_type": "m.replace", "event_id": "$m"}}),
        ev("$r", "m.reaction", **{"m.relates_to": {"rel_type": "m.annotation",
                                                  "event_id": "$m", "key": "5️⃣"}}),
        ev("$r-undo", "m.room.redaction", redacts="$r"),
        text("$n", "oops #wp1"),
        ev("$n-undo", "m.room.redaction", redacts="$n"),
    ])
    assert await ingester.apply(batch, "s1", harness.router.handle) == "s2"
    stored = await harness.storage.message(ref("$m"))
    assert stored is not None and stored.text == "budget #wp4"
    assert (await harness.storage.tags_of(ref("$m"))).issues == (4,)
    assert await harness.storage.message(ref("$n")) is None
    assert await harness.storage.sync_token("matrix", BOT) == "s2"


async def test_a_replayed_batch_changes_nothing(ingest: Ingest, harness: Harness) -> None:
    ingester, _ = ingest
    batch = sync("s2", [text("$a", "one #wp2"), text("$b", "two"),
                        ev("$b-undo", "m.room.redaction", redacts="$b")])
    await ingester.apply(batch, "s1", harness.router.handle)
    await ingester.apply(batch, "s1", harness.router.handle)
    assert await harness.storage.count_messages() == 1
    assert await harness.storage.messages_for(issue=2) == [ref("$a")]
    assert len([s for s in harness.sent if s.kind == "react"]) == 1  # acknowledged once


async def test_an_older_edit_replayed_does_not_undo_a_newer_one(ingest: Ingest,
                                                                harness: Harness) -> None:
    ingester, _ = ingest

    def edit(event_id: str, body: str) -> dict[str, Any]:
        return text(event_id, "* " + body, **{
            "m.new_content": {"msgtype": "m.text", "body": body},
            "m.relates_to": {"rel_type": "m.replace", "event_id": "$m"}})
    first, second = edit("$e1", "first #wp1"), edit("$e2", "second #wp2")
    await ingester.apply(sync("s2", [text("$m", "original"), first, second]), "s1",
                         harness.router.handle)
    await ingester.apply(sync("s3", [first]), "s2", harness.router.handle)
    stored = await harness.storage.message(ref("$m"))
    assert stored is not None and stored.text == "second #wp2"


async def test_rooms_not_followed_are_never_stored_but_commands_work(
        ingest: Ingest, harness: Harness) -> None:
    ingester, _ = ingest
    seen: list[Event] = []

    async def dispatch(events: Sequence[Event]) -> list[Outcome]:
        seen.extend(events)
        return await harness.router.handle(events)

    await ingester.apply(sync("s2", [text("$chat", "private chat #wp3"),
                                     text("$cmd", "!help")], room=OTHER), "s1", dispatch)
    assert await harness.storage.count_messages() == 0
    assert [e.message_id for e in seen if isinstance(e, IncomingMessage)] == ["$cmd"]
    assert harness.sent and harness.sent[-1].reply_to == "$cmd"


async def test_own_messages_notices_and_malformed_events_are_skipped(
        ingest: Ingest, harness: Harness) -> None:
    ingester, _ = ingest
    await ingester.apply(sync("s2", [
        text("$own", "my own reminder #wp3", sender=BOT),
        ev("$notice", msgtype="m.notice", body="another bot #wp3"),
        {"type": "m.room.message", "content": {"msgtype": "m.text", "body": "no id"}},
        "not even an object",
        text("$ok", "fine #wp3"),
    ]), "s1", harness.router.handle)
    assert await harness.storage.messages_for(issue=3) == [ref("$ok")]


async def test_history_before_the_bot_joined_is_not_imported(ingest: Ingest,
                                                             harness: Harness) -> None:
    ingester, rooms = ingest
    join = {"type": "m.room.member", "state_key": BOT, "event_id": "$join", "sender": BOT,
            "origin_server_ts": next(_stamp), "content": {"membership": "join"}}
    named = {"type": "m.room.name", "state_key": "", "event_id": "$name", "sender": ALICE,
             "origin_server_ts": next(_stamp), "content": {"name": "Consultation"}}
    await ingester.apply(sync("s2", [text("$old", "before #wp1"), named, join,
                                     text("$new", "after #wp1")]), "s1",
                         harness.router.handle)
    assert await harness.storage.messages_for(issue=1) == [ref("$new")]
    assert rooms.get(ROOM).view.name == "Consultation"  # the state before the join still counts


async def test_a_bad_event_is_skipped_but_an_outage_keeps_the_token(
        ingest: Ingest, harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    ingester, _ = ingest
    save = Storage.save_messages

    async def flaky(self: Storage, burst: Sequence[tuple[IncomingMessage, TagSet]],
                    at: datetime, *, notice: bool = False) -> list[SaveOutcome]:
        if any(msg.text == "bug" for msg, _ in burst):
            raise ValueError("a bad message")
        if any(msg.text == "outage" for msg, _ in burst):
            raise OperationalError("INSERT", {}, Exception("database is gone"))
        return await save(self, burst, at, notice=notice)

    monkeypatch.setattr(Storage, "save_messages", flaky)
    await ingester.apply(sync("s2", [text("$bug", "bug"), text("$ok", "ok")]), "s1",
                         harness.router.handle)
    assert await harness.storage.sync_token("matrix", BOT) == "s2"
    assert await harness.storage.message(ref("$ok")) is not None  # stored alone, after
    assert await harness.storage.message(ref("$bug")) is None
    with pytest.raises(StorageUnavailable):
        await ingester.apply(sync("s3", [text("$fine", "fine"), text("$down", "outage")]),
                             "s2", harness.router.handle)
    assert await harness.storage.sync_token("matrix", BOT) == "s2"  # retried from s2


async def test_a_response_without_next_batch_is_refused(ingest: Ingest,
                                                        harness: Harness) -> None:
    ingester, _ = ingest
    with pytest.raises(BadSync):
        await ingester.apply({"rooms": {}}, "s1", harness.router.handle)


@pytest.mark.parametrize(("failures", "low", "high"), [(1, 0.5, 1.5), (2, 1.0, 3.0),
                                                       (4, 4.0, 12.0), (30, 30.0, 90.0)])
def test_backoff_grows_is_capped_and_jittered(failures: int, low: float, high: float) -> None:
    assert backoff_delay(failures, 1.0, 60.0, rand=lambda: 0.0) == low
    assert backoff_delay(failures, 1.0, 60.0, rand=lambda: 0.999999) == pytest.approx(high, 1e-5)
