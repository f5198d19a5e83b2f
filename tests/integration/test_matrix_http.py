"""HTTP behaviour against a scripted homeserver on loopback: rate limits, outages, a revoked login.

Synapse's own limits are relaxed for the other tests, so these cases are scripted here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import nio
import pytest
from aiohttp import web

from bot.adapters.matrix.adapter import client_config
from bot.adapters.matrix.chat import MatrixChat
from bot.adapters.matrix.http import MatrixError, MatrixHttp
from bot.adapters.matrix.ingest import SyncIngest
from bot.adapters.matrix.rooms import RoomKeeper
from bot.adapters.matrix.roomstate import RoomStates
from bot.adapters.matrix.staff import MatrixStaff
from bot.adapters.matrix.sync import SyncLoop
from bot.i18n import Translator
from bot.messages import HANDLED, Conversation, Event, Outcome
from bot.storage import Storage
from tests.fakes import FrozenClock

pytestmark = pytest.mark.integration

BOT = "@bot:example.org"
Reply = Callable[[web.Request], web.StreamResponse]


@dataclass
class ScriptedServer:
    """Answers each route from a list of scripted replies, recording every request path."""

    replies: dict[str, list[Reply]] = field(default_factory=dict)
    seen: list[str] = field(default_factory=list)
    url: str = ""

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.seen.append(request.path_qs)
        route = request.path.split("/")[4]  # /_matrix/client/v3/<route>/...
        script = self.replies[route]
        return script.pop(0)(request) if len(script) > 1 else script[0](request)


def answer(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Reply:
    return lambda request: web.json_response(body, status=status, headers=headers)


@pytest.fixture
async def server() -> AsyncIterator[ScriptedServer]:
    scripted = ScriptedServer()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", scripted.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    scripted.url = f"http://127.0.0.1:{port}"
    try:
        yield scripted
    finally:
        await runner.cleanup()


@pytest.fixture
async def client(server: ScriptedServer) -> AsyncIterator[nio.AsyncClient]:
    matrix = nio.AsyncClient(server.url, BOT, config=client_config())
    matrix.access_token = "secret-token"
    try:
        yield matrix
    finally:
        await matrix.close()


class Pauses:
    """An injected sleep: records what the code would wait, and returns at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


async def test_a_rate_limited_send_waits_as_told_and_reuses_its_transaction_id(
        server: ScriptedServer, client: nio.AsyncClient, storage: Storage) -> None:
    server.replies["rooms"] = [
        answer(429, {"errcode": "M_LIMIT_EXCEEDED", "retry_after_ms": 1500}),
        answer(429, {"errcode": "M_LIMIT_EXCEEDED"}, headers={"Retry-After": "3"}),
        answer(200, {"event_id": "$sent"})]
    pauses = Pauses()
    chat = MatrixChat(MatrixHttp(client, sleep=pauses), storage, FrozenClock(),
                      Translator("en"), lambda: BOT, RoomStates())
    event_id = await chat.send(Conversation("matrix", "!room:example.org"), "**hi**",
                               reply_to="$command")
    assert event_id == "$sent"
    assert pauses.delays == [1.5, 3.0]
    assert len(server.seen) == 3 and len(set(server.seen)) == 1  # one transaction id
    # Answering the same command again is the same transaction: the server dedupes it.
    await chat.send(Conversation("matrix", "!room:example.org"), "**hi**", reply_to="$command")
    assert server.seen[-1] == server.seen[0]


async def test_the_token_travels_in_a_header_not_in_the_url(
        server: ScriptedServer, client: nio.AsyncClient) -> None:
    server.replies["rooms"] = [answer(200, {"event_id": "$x"})]
    await MatrixHttp(client).request("PUT", "/rooms/!r:x/send/m.room.message/t1", {})
    assert "secret-token" not in server.seen[0]


def _loop(client: nio.AsyncClient, storage: Storage, pauses: Pauses) -> SyncLoop:
    http = MatrixHttp(client, sleep=pauses)
    clock, rooms, tr = FrozenClock(), RoomStates(), Translator("en")
    chat = MatrixChat(http, storage, clock, tr, lambda: BOT, rooms)
    staff = MatrixStaff((), lambda room_id: _no_state(), clock)

    keeper = RoomKeeper(http, storage, clock, tr, chat, lambda: BOT)
    keeper.subscribed.add("!room:example.org")
    ingest = SyncIngest(bot_user=lambda: BOT, prefix="!", storage=storage, clock=clock,
                        http=http, rooms=rooms, keeper=keeper, staff=staff)
    return SyncLoop(http, ingest, sleep=pauses, backoff_base=1.0, backoff_cap=8.0)


async def _no_state() -> list[Any]:
    return []


def _message(event_id: str, body: str) -> dict[str, Any]:
    return {"type": "m.room.message", "event_id": event_id, "sender": "@alice:example.org",
            "origin_server_ts": 1_700_000_000_000, "content": {"msgtype": "m.text", "body": body}}


async def test_sync_failures_back_off_and_a_revoked_login_stops_the_loop(
        server: ScriptedServer, client: nio.AsyncClient, storage: Storage) -> None:
    batch = {"next_batch": "s2", "rooms": {"join": {"!room:example.org": {
        "timeline": {"events": [_message("$one", "hello #wp3")]}}}}}
    server.replies["sync"] = [
        answer(502, {}), answer(500, {"errcode": "M_UNKNOWN"}), answer(200, {"garbage": 1}),
        answer(200, batch),
        answer(401, {"errcode": "M_UNKNOWN_TOKEN", "error": "revoked"})]
    await storage.save_sync_token("matrix", BOT, "s1", FrozenClock().now())
    pauses = Pauses()
    loop = _loop(client, storage, pauses)
    received: list[Event] = []

    async def dispatch(events: Sequence[Event]) -> list[Outcome]:
        received.extend(events)
        return [HANDLED] * len(events)

    with pytest.raises(MatrixError) as stopped:
        await loop.run(dispatch)
    assert stopped.value.errcode == "M_UNKNOWN_TOKEN"
    assert len(pauses.delays) == 3 and pauses.delays[0] < pauses.delays[2]  # growing backoff
    assert all(0.5 <= d / (2 ** i) < 1.5 for i, d in enumerate(pauses.delays))  # jittered
    assert [getattr(e, "message_id", None) for e in received] == ["$one"]
    assert await storage.sync_token("matrix", BOT) == "s2"
    syncs = [path for path in server.seen if "/sync" in path]
    assert "since=s1" in syncs[0] and "full_state=true" in syncs[0]  # resumed, full state
    assert "since=s2" in syncs[-1] and "full_state" not in syncs[-1]
    assert "secret-token" not in " ".join(server.seen)
