"""Which rooms the bot follows: configured rooms, invites (as the core answers them), `leave`,
encrypted rooms.

Kept in the database (one JSON value) so that a restart follows the same rooms: rooms staff
made the bot leave are not joined again at start, and an encrypted room gets its notice once.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from typing import Any

from bot.adapters.matrix.chat import MatrixChat
from bot.adapters.matrix.http import MatrixError, MatrixHttp, segment
from bot.adapters.matrix.render import notice_content
from bot.i18n import Translator
from bot.ports import Clock
from bot.storage import Storage

log = logging.getLogger(__name__)

class RoomKeeper:
    def __init__(self, http: MatrixHttp, storage: Storage, clock: Clock, tr: Translator,
                 chat: MatrixChat, bot_user: Callable[[], str]) -> None:
        self._http = http
        self._storage = storage
        self._clock = clock
        self._tr = tr
        self._chat = chat
        self._bot_user = bot_user
        self.subscribed: set[str] = set()
        self._left_by_staff: set[str] = set()
        self._noticed: set[str] = set()

    @property
    def _key(self) -> str:
        return f"matrix:{self._bot_user()}:rooms"

    async def load(self) -> None:
        raw = await self._storage.get_state(self._key)
        saved: dict[str, Any] = json.loads(raw) if raw else {}
        self.subscribed = set(saved.get("subscribed", ()))
        self._left_by_staff = set(saved.get("left_by_staff", ()))
        self._noticed = set(saved.get("encryption_noticed", ()))

    async def _save(self) -> None:
        value = json.dumps({"subscribed": sorted(self.subscribed),
                            "left_by_staff": sorted(self._left_by_staff),
                            "encryption_noticed": sorted(self._noticed)})
        await self._storage.set_state(self._key, value, self._clock.now())

    async def join(self, room: str) -> str:
        """Join a room by id or alias; returns its id."""
        answer = await self._http.request("POST", f"/join/{segment(room)}", {})
        return str(answer["room_id"])

    async def _room_id(self, alias: str) -> str:
        answer = await self._http.request("GET", f"/directory/room/{segment(alias)}")
        return str(answer["room_id"])

    async def join_configured(self, rooms: Sequence[str]) -> None:
        """Join and follow `PLENARY_MATRIX_ROOMS`, except rooms staff told the bot to leave."""
        for room in rooms:
            try:
                # An alias is resolved first: the room staff made us leave is known by its id,
                # and joining it again just to find that out would be rude.
                room_id = room if room.startswith("!") else await self._room_id(room)
                if room_id in self._left_by_staff:
                    log.warning("not joining %s: staff made me leave it (invite me to rejoin)",
                                room)
                    continue
                room_id = await self.join(room_id)
            except MatrixError as exc:
                log.error("cannot join %s: %s", room, exc)
                continue
            self.subscribed.add(room_id)
        await self._save()

    async def accept_invite(self, room_id: str, *, follow: bool) -> None:
        """Join an invited room (staff asked: the core decided), following it if `follow`."""
        log.info("accepting the invite to %s", room_id)
        await self.join(room_id)
        self._left_by_staff.discard(room_id)
        if follow:
            self.subscribed.add(room_id)
        await self._save()

    async def decline_invite(self, room_id: str, reason: str) -> None:
        log.info("declining the invite to %s", room_id)
        await self._leave_quietly(room_id, reason)

    async def on_left(self, room_id: str) -> None:
        if room_id in self.subscribed:
            self.subscribed.discard(room_id)
            await self._save()

    async def on_encrypted(self, room_id: str) -> None:
        """Say once, clearly, that nothing here is recorded."""
        if room_id in self._noticed:
            return
        self._noticed.add(room_id)
        await self._save()
        try:
            await self._chat.send_event(room_id, "m.room.message",
                                        notice_content(self._tr("matrix.encrypted_room")),
                                        idempotency_key="encrypted-notice")
        except Exception:
            log.exception("could not post the encryption notice in %s", room_id)

    async def leave(self, room_id: str, farewell: str) -> None:
        await self._chat.send_event(room_id, "m.room.message", notice_content(farewell))
        self.subscribed.discard(room_id)
        self._left_by_staff.add(room_id)
        await self._save()
        await self._http.request("POST", f"/rooms/{segment(room_id)}/leave", {})

    async def _leave_quietly(self, room_id: str, reason: str) -> None:
        try:
            await self._http.request("POST", f"/rooms/{segment(room_id)}/leave",
                                     {"reason": reason})
        except MatrixError as exc:
            log.warning("could not decline the invite to %s: %s", room_id, exc)
