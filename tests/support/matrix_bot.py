"""The real Matrix adapter, router and storage run against the test Synapse, plus member helpers."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nio

from bot.adapters.matrix import MatrixAdapter
from bot.app import build_router, build_services
from bot.messages import Event, MessageRef, Outcome
from bot.ports import SystemClock
from bot.storage import Database, Storage, StoredMessage, make_engine
from bot.workplan import WorkPlan
from tests.conftest import make_settings
from tests.support.matrix_fixtures import Login, MakeUser, wait_until
from tests.support.synapse import SynapseServer


@dataclass
class MatrixBot:
    """One bot account; `start()`/`stop()` as often as a test likes, on the same database."""

    synapse: SynapseServer
    user_id: str
    password: str
    database: Path
    plan: WorkPlan
    staff: tuple[str, ...] = ()
    rooms: tuple[str, ...] = ()
    staff_room: str | None = None
    tag_ack: str = "reaction"
    consent_notice: bool = False
    access_token: str | None = None  # log in with this instead of the password
    settings: dict[str, Any] = field(default_factory=dict)  # more PLENARY_* values
    adapter: MatrixAdapter | None = None
    storage: Storage | None = None
    dispatched: list[Event] = field(default_factory=list)  # every event, across restarts
    _task: asyncio.Task[None] | None = None
    _db: Database | None = None

    async def start(self, **adapter_options: Any) -> MatrixAdapter:
        settings = make_settings(
            database_url=f"sqlite+aiosqlite:///{self.database}", staff=self.staff,
            matrix_homeserver=self.synapse.url, matrix_user_id=self.user_id,
            matrix_password=None if self.access_token else self.password,
            matrix_access_token=self.access_token, matrix_rooms=self.rooms,
            matrix_staff_room=self.staff_room, tag_ack=self.tag_ack,
            consent_notice=self.consent_notice, **self.settings)
        self._db = Database(make_engine(settings.database_url))
        await self._db.create_schema()
        self.storage = Storage(self._db)
        options = {"backoff_base": 0.05, "long_poll_ms": 1000, **adapter_options}
        self.adapter = MatrixAdapter(settings, self.storage, SystemClock(), **options)
        svc = build_services(settings, self.plan, self.storage, [self.adapter], SystemClock())
        router = build_router(svc)

        async def recording(events: Sequence[Event]) -> list[Outcome]:
            self.dispatched.extend(events)
            return await router.handle(events)
        self._task = asyncio.create_task(self.adapter.serve(recording))
        adapter = self.adapter
        try:
            await wait_until(lambda: adapter.sync.batches >= 1 or self._task_failed(), 20,
                             "the bot's first sync")
        except BaseException:
            if self._task.done():
                self._task = None  # its failure is what is raised: `stop` need not await it
            raise
        return adapter

    def _task_failed(self) -> bool:
        if self._task is not None and self._task.done():
            self._task.result()  # raise what stopped it
        return False

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self.storage is not None:
            await self.storage.close()
        if self._db is not None:
            await self._db.dispose()

    async def synced_past(self, count: int) -> None:
        """Wait until the bot has stored `count` more sync batches than now."""
        assert self.adapter is not None
        adapter, target = self.adapter, self.adapter.sync.batches + count
        await wait_until(lambda: adapter.sync.batches >= target or self._task_failed(), 15,
                         f"{count} more sync batches")

    async def stored(self, room_id: str, event_id: str) -> StoredMessage | None:
        assert self.storage is not None
        return await self.storage.message(MessageRef("matrix", room_id, event_id))

    async def wait_stored(self, room_id: str, event_id: str) -> StoredMessage:
        async def present() -> bool:
            return await self.stored(room_id, event_id) is not None
        await wait_until(present, 15, f"{event_id} stored")
        found = await self.stored(room_id, event_id)
        assert found is not None
        return found

    async def tags(self, room_id: str, event_id: str) -> tuple[int, ...]:
        assert self.storage is not None
        return (await self.storage.tags_of(MessageRef("matrix", room_id, event_id))).issues

    async def wait_tags(self, room_id: str, event_id: str, expected: tuple[int, ...]) -> None:
        async def matches() -> bool:
            return await self.tags(room_id, event_id) == expected
        await wait_until(matches, 15, f"tags of {event_id} == {expected}")


@dataclass
class RoomScene:
    """The cast of `cast` in one room the bot follows."""

    bot: MatrixBot
    carol: nio.AsyncClient  # staff (PLENARY_STAFF)
    alice: nio.AsyncClient  # a member
    room_id: str


async def cast(synapse: SynapseServer, make_user: MakeUser, login: Login, plan: WorkPlan,
               database: Path) -> tuple[MatrixBot, nio.AsyncClient, nio.AsyncClient]:
    """A bot (not started yet), carol (staff by PLENARY_STAFF) and alice (a member)."""
    bot_user, carol_user, alice_user = make_user("bot"), make_user("carol"), make_user("alice")
    bot = MatrixBot(synapse, bot_user.user_id, bot_user.password, database, plan,
                    staff=(carol_user.user_id,))
    carol = await login(synapse, carol_user.user_id, carol_user.password)
    alice = await login(synapse, alice_user.user_id, alice_user.password)
    return bot, carol, alice


def text_content(text: str, reply_to: str | None = None) -> dict[str, Any]:
    content: dict[str, Any] = {"msgtype": "m.text", "body": text}
    if reply_to is not None:
        content["m.relates_to"] = {"m.in_reply_to": {"event_id": reply_to}}
    return content


def edit_content(event_id: str, body: str) -> dict[str, Any]:
    return {"msgtype": "m.text", "body": f"* {body}",
            "m.new_content": {"msgtype": "m.text", "body": body},
            "m.relates_to": {"rel_type": "m.replace", "event_id": event_id}}


def reaction_content(event_id: str, key: str) -> dict[str, Any]:
    return {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": key}}


async def send(client: nio.AsyncClient, room_id: str, event_type: str,
               content: dict[str, Any]) -> str:
    answer = await client.room_send(room_id, event_type, content)
    assert isinstance(answer, nio.RoomSendResponse), answer
    return str(answer.event_id)


Send = Callable[[nio.AsyncClient, str, str, dict[str, Any]], Awaitable[str]]


async def say(client: nio.AsyncClient, room_id: str, text: str,
              reply_to: str | None = None, *, via: Send = send) -> str:
    return await via(client, room_id, "m.room.message", text_content(text, reply_to))


async def edit(client: nio.AsyncClient, room_id: str, event_id: str, body: str, *,
               via: Send = send) -> str:
    return await via(client, room_id, "m.room.message", edit_content(event_id, body))


async def react(client: nio.AsyncClient, room_id: str, event_id: str, key: str, *,
                via: Send = send) -> str:
    return await via(client, room_id, "m.reaction", reaction_content(event_id, key))


async def redact(client: nio.AsyncClient, room_id: str, event_id: str) -> None:
    answer = await client.room_redact(room_id, event_id, reason="test")
    assert isinstance(answer, nio.RoomRedactResponse), answer


async def create_room(owner: nio.AsyncClient, *invite: str, **options: Any) -> str:
    created = await owner.room_create(name="consultation", invite=list(invite), **options)
    assert isinstance(created, nio.RoomCreateResponse), created
    return str(created.room_id)


async def join(client: nio.AsyncClient, room_id: str) -> None:
    joined = await client.join(room_id)
    assert isinstance(joined, nio.JoinResponse), joined


async def accept_direct_room(client: nio.AsyncClient, bot_id: str) -> str:
    """Accept the bot's direct-room invite as the client would; returns the room id."""
    invited: list[str] = []

    async def invite_arrived() -> bool:
        await client.sync(timeout=0)
        invited[:] = [room_id for room_id, room in client.invited_rooms.items()
                      if room.inviter == bot_id]
        return bool(invited)
    await wait_until(invite_arrived, 15, "the bot's direct-room invite")
    await join(client, invited[0])
    return invited[0]


async def timeline(client: nio.AsyncClient, room_id: str) -> list[dict[str, Any]]:
    """The room's recent events as raw JSON, oldest first."""
    answer = await client.room_messages(room_id, limit=200)
    assert isinstance(answer, nio.RoomMessagesResponse), answer
    return [event.source for event in reversed(answer.chunk)]


async def notices_from(client: nio.AsyncClient, room_id: str, sender: str
                       ) -> list[dict[str, Any]]:
    return [e for e in await timeline(client, room_id)
            if e.get("sender") == sender and e.get("type") == "m.room.message"
            and e.get("content", {}).get("msgtype") == "m.notice"]


async def wait_notice(client: nio.AsyncClient, room_id: str, sender: str, contains: str,
                      timeout: float = 15) -> dict[str, Any]:  # noqa: ASYNC109
    found: list[dict[str, Any]] = []

    async def seen() -> bool:
        found[:] = [n for n in await notices_from(client, room_id, sender)
                    if contains in n["content"].get("body", "")]
        return bool(found)
    await wait_until(seen, timeout, f"a notice containing {contains!r} in {room_id}")
    return found[-1]
