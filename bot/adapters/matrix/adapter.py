"""MatrixAdapter: logs in, joins the configured rooms, runs the sync loop, answers the core."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

import aiohttp
import nio

from bot.adapters import Dispatch, raise_on_outage
from bot.adapters.matrix.chat import MatrixChat
from bot.adapters.matrix.crypto import MatrixCrypto, Sealer, check_available, store_path
from bot.adapters.matrix.encrypted import EncryptedRooms
from bot.adapters.matrix.history import fetch_since
from bot.adapters.matrix.http import MatrixHttp, MatrixUnreachable, segment
from bot.adapters.matrix.inbound import Reacted
from bot.adapters.matrix.ingest import SyncIngest
from bot.adapters.matrix.pending import PendingEvents
from bot.adapters.matrix.rooms import RoomKeeper
from bot.adapters.matrix.roomstate import RoomState, RoomStates, read_timeline
from bot.adapters.matrix.session import open_session
from bot.adapters.matrix.staff import MatrixStaff
from bot.adapters.matrix.sync import SyncLoop, backoff_delay
from bot.adapters.matrix.trust import TrustPolicy, parse_verified
from bot.errors import AdapterError, UserError
from bot.health import Health
from bot.i18n import Translator
from bot.messages import Conversation, IncomingMessage, MessageEdited
from bot.platform_status import PlatformStatus
from bot.ports import Clock, StaffDirectory
from bot.settings import Settings
from bot.storage import Storage

log = logging.getLogger(__name__)
# nio logs whole response bodies at DEBUG, login answers (access tokens) included.
logging.getLogger("nio.responses").setLevel(logging.INFO)

PLATFORM = "matrix"


def client_config(encryption: bool = False) -> nio.AsyncClientConfig:
    # Finite everything: nio's defaults retry a 429 or a timeout forever. Our own requests
    # handle rate limits themselves (MatrixHttp); a login that cannot connect is retried by
    # `_start_when_reachable` alone, with back-off: nio's own retry (max_timeouts) has none
    # and logs "Timed out, sleeping for 0s" for each try.
    return nio.AsyncClientConfig(max_limit_exceeded=3, max_timeouts=0, request_timeout=60,
                                 store_sync_tokens=False, encryption_enabled=encryption)


class MatrixAdapter:
    platform = PLATFORM

    def __init__(self, settings: Settings, storage: Storage, clock: Clock, *,
                 timeline_limit: int = 100, backoff_base: float = 1.0,
                 long_poll_ms: int = 30_000, health: Health | None = None) -> None:
        if not settings.matrix_homeserver or not settings.matrix_user_id:
            raise AdapterError("the Matrix adapter needs a homeserver and a user id")
        self._settings = settings
        self._storage = storage
        self._clock = clock
        self._health = health if health is not None else Health()
        self._health.expect(PLATFORM)
        self._tr = Translator(settings.locale)
        check_available(settings)
        self.client = nio.AsyncClient(settings.matrix_homeserver, settings.matrix_user_id,
                                      config=client_config(settings.matrix_e2ee))
        self.http = MatrixHttp(self.client)
        self.rooms = RoomStates()
        self._chat = MatrixChat(self.http, storage, clock, self._tr, self.user_id, self.rooms)
        self.encrypted: EncryptedRooms | None = None
        if settings.matrix_e2ee:
            trust = TrustPolicy(settings.matrix_trust,
                                parse_verified(settings.matrix_verified_devices))
            crypto = MatrixCrypto(self.client, self.http, trust, store_path(settings))
            pending = PendingEvents(storage, clock,
                                    f"matrix:{settings.matrix_user_id}:pending_encrypted")
            self.encrypted = EncryptedRooms(crypto, pending, clock)
            self._chat.sealer = Sealer(crypto, self._is_encrypted)
        self._staff = MatrixStaff(settings.staff, self._room_state, clock)
        self.keeper = RoomKeeper(self.http, storage, clock, self._tr, self._chat, self.user_id)
        self.ingest = SyncIngest(bot_user=self.user_id, prefix=settings.command_prefix,
                                 storage=storage, clock=clock, http=self.http, rooms=self.rooms,
                                 keeper=self.keeper, staff=self._staff,
                                 encrypted=self.encrypted)
        self.sync = SyncLoop(self.http, self.ingest, timeline_limit=timeline_limit,
                             backoff_base=backoff_base, long_poll_ms=long_poll_ms,
                             on_batch=self._health.ack_seconds.labels(PLATFORM).observe,
                             on_storage_failure=self._health.database_errors.inc)
        self.dispatch: Dispatch | None = None  # the router's, once serving
        self._started = False
        self._backoff_base = backoff_base

    @property
    def chat(self) -> MatrixChat:
        return self._chat

    def staff_directory(self) -> StaffDirectory | None:
        return self._staff

    def user_id(self) -> str:
        return str(self.client.user_id)

    async def start(self) -> None:
        """Log in (reusing the stored device), then join the configured and staff rooms."""
        if self._started:
            return
        await open_session(self.client, self._settings, self._storage, self._clock)
        if self.encrypted is not None:
            await self.encrypted.crypto.open()
            await self.encrypted.load()
        await self.keeper.load()
        await self.keeper.join_configured(self._settings.matrix_rooms)
        if self._settings.matrix_staff_room:
            try:
                self._staff.room_id = await self.keeper.join(self._settings.matrix_staff_room)
            except AdapterError as exc:
                log.error("cannot join the staff room %s: %s", self._settings.matrix_staff_room,
                          exc)
        self._started = True

    async def status(self) -> PlatformStatus:
        return PlatformStatus(
            PLATFORM, self._health.connected.get(PLATFORM, False),
            leader=await self._storage.get_state(f"{self.lead_name}:leader"),
            last_received_at=await self.ingest.token_saved_at())

    @property
    def lead_name(self) -> str:
        """What the replicas sharing a database take turns at: one sync per bot account."""
        return f"matrix-sync:{self._settings.matrix_user_id}"

    async def serve(self, dispatch: Dispatch) -> None:
        self.dispatch = dispatch
        try:
            await self._start_when_reachable()
            self._health.set_connected(PLATFORM, True)  # every replica sends; one syncs
            await self._sync_while_leading(dispatch)
        finally:
            self._health.set_connected(PLATFORM, False)
            await self.close()

    async def _sync_while_leading(self, dispatch: Dispatch) -> None:
        """Sync only while this replica leads: two syncs would answer every command twice and
        race on the token. A standby waits; a leader that loses its lock stands by again."""
        while True:
            async with self._storage.lead(
                    self.lead_name, poll_seconds=self._settings.leader_poll_seconds) as lease:
                self._health.set_leading(True)
                try:
                    await self._storage.set_state(f"{self.lead_name}:leader",
                                                  self._health.replica, self._clock.now())
                    await lease.keep_running(self.sync.run(dispatch))
                finally:
                    self._health.set_leading(False)
            log.warning("no longer leading the Matrix sync; standing by")

    async def _start_when_reachable(self) -> None:
        """A homeserver that is down at start is waited for (with backoff), not fatal."""
        failures = 0
        while True:
            try:
                await self.start()
                return
            except (MatrixUnreachable, aiohttp.ClientError, TimeoutError, OSError) as exc:
                failures += 1
                delay = backoff_delay(failures, self._backoff_base, 60.0)
                log.warning("cannot reach the homeserver %s (%s); retrying in %.1f s",
                            self._settings.matrix_homeserver, type(exc).__name__, delay)
                await asyncio.sleep(delay)

    async def close(self) -> None:
        # Close the HTTP session only: never log out, that would delete our device.
        await self.client.close()

    # RoomControl -----------------------------------------------------------------------------

    def supports(self, platform: str) -> bool:
        return platform == PLATFORM

    async def leave(self, where: Conversation, farewell: str) -> None:
        await self.keeper.leave(where.id, farewell)

    async def accept_invite(self, where: Conversation, *, follow: bool) -> None:
        await self.keeper.accept_invite(where.id, follow=follow)

    async def decline_invite(self, where: Conversation, reason: str) -> None:
        await self.keeper.decline_invite(where.id, reason)

    async def backfill(self, where: Conversation, since: datetime,
                       dispatch: Dispatch | None = None) -> int:
        """Tag the past: messages, edits and reactions of a followed room since `since`.
        Commands in the history are not run again, and nothing of the bot's own is read."""
        dispatch = dispatch or self.dispatch
        if dispatch is None:
            raise AdapterError("backfill before the adapter was started")
        if where.id not in self.keeper.subscribed:
            raise UserError(self._tr("rooms.not_followed"))
        room = self.rooms.get(where.id)
        events = await fetch_since(self.http, where.id, since)
        if self.encrypted is not None and self.encrypted.readable:
            # What we hold keys for is read; the rest (sent before we joined) cannot be.
            crypto = self.encrypted.crypto
            events = [crypto.decrypt(where.id, e) or e for e in events]
        with self._chat.quietly(str(e.get("event_id")) for e in events):
            return await self._replay(events, room, dispatch)

    async def _replay(self, events: list[dict[str, Any]], room: RoomState,
                      dispatch: Dispatch) -> int:
        batch, read = self.ingest.events(), 0
        for item in read_timeline(events, room, self.user_id()):
            if isinstance(item, IncomingMessage) and not item.text.startswith(
                    self._settings.command_prefix):
                read += 1
                batch.add(item)
            elif isinstance(item, MessageEdited):
                batch.add(item)
            elif isinstance(item, Reacted):
                # remembered like a live one, so that redacting it later withdraws its tag
                batch.add_reaction(item)
        raise_on_outage(await dispatch(batch.events))
        await batch.remember()
        return read

    async def resolve_room(self, room: str) -> str:
        """A room id for an alias (`#consultation:example.org`), or the id itself."""
        if room.startswith("!"):
            return room
        answer = await self.http.request("GET", f"/directory/room/{segment(room)}")
        return str(answer["room_id"])

    def _is_encrypted(self, room_id: str) -> bool:
        known = self.rooms.known(room_id)
        return known is not None and known.encrypted

    async def unreadable(self, platform: str) -> int:
        """Encrypted messages still undecryptable (their keys never came), for staff."""
        if platform != PLATFORM or self.encrypted is None:
            return 0
        return self.encrypted.unreadable()

    # Staff -----------------------------------------------------------------------------------

    async def _room_state(self, room_id: str) -> list[Any]:
        answer = await self.http.fetch("GET", f"/rooms/{segment(room_id)}/state")
        return answer if isinstance(answer, list) else []
