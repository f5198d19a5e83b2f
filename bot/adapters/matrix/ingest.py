"""One sync response in: room state, then its invites and events handed to the core as one
batch, in order, and our sync token stored once every event it covers is durable."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from bot.adapters import Dispatch, raise_on_outage
from bot.adapters.matrix.encrypted import EncryptedRooms
from bot.adapters.matrix.history import fetch_gap
from bot.adapters.matrix.http import MatrixHttp
from bot.adapters.matrix.inbound import (
    EncryptionOn,
    Reacted,
    Redacted,
)
from bot.adapters.matrix.rooms import RoomKeeper
from bot.adapters.matrix.roomstate import RoomStates, read_timeline
from bot.adapters.matrix.staff import MatrixStaff
from bot.adapters.matrix.sync_events import SyncEvents
from bot.log_context import log_context
from bot.messages import Conversation, IncomingMessage, InvitedToRoom, MessageEdited
from bot.ports import Clock
from bot.storage import Storage

log = logging.getLogger(__name__)

PLATFORM = "matrix"
_STAFF_STATE = frozenset({"m.room.power_levels", "m.room.member", "m.room.create"})


class BadSync(ValueError):
    """A sync response without a `next_batch`: nothing in it can be trusted."""


class SyncIngest:
    def __init__(self, *, bot_user: Callable[[], str], prefix: str, storage: Storage,
                 clock: Clock, http: MatrixHttp, rooms: RoomStates, keeper: RoomKeeper,
                 staff: MatrixStaff, encrypted: EncryptedRooms | None = None) -> None:
        self._bot_user = bot_user
        self._prefix = prefix
        self._storage = storage
        self._clock = clock
        self._http = http
        self._rooms = rooms
        self._keeper = keeper
        self._staff = staff
        self._encrypted = encrypted  # None: PLENARY_MATRIX_E2EE=false

    async def token(self) -> str | None:
        """Where our sync resumes; None before the first batch was stored."""
        return await self._storage.sync_token(PLATFORM, self._bot_user())

    async def token_saved_at(self) -> datetime | None:
        return await self._storage.sync_token_saved_at(PLATFORM, self._bot_user())

    def events(self) -> SyncEvents:
        return SyncEvents(self._storage, self._bot_user())

    async def apply(self, response: Mapping[str, Any], since: str | None,
                    dispatch: Dispatch) -> str:
        """Handle one sync response; returns its `next_batch`, durably stored."""
        next_batch = response.get("next_batch")
        if not isinstance(next_batch, str) or not next_batch:
            raise BadSync("sync response without next_batch")
        rooms = response.get("rooms")
        rooms = rooms if isinstance(rooms, dict) else {}
        encrypted = self._encrypted if self._encrypted and self._encrypted.readable else None
        if encrypted is not None:
            encrypted.begin(response)
        batch = self.events()
        for room_id, info in _sections(rooms, "invite"):
            invite_state = info.get("invite_state")
            events = invite_state.get("events") if isinstance(invite_state, dict) else None
            invite = self._invite(room_id, events if isinstance(events, list) else ())
            if invite is not None:  # the core decides; a failure waits for a later sync
                batch.add(invite)
        for room_id, _ in _sections(rooms, "leave"):
            self._rooms.forget(room_id)
            await self._keeper.on_left(room_id)
        read_late = []
        if encrypted is not None:
            read_late = await self._read_late(encrypted, batch)
        for room_id, info in _sections(rooms, "join"):
            with log_context(platform=PLATFORM, room=room_id):
                await self._joined_room(room_id, info, since, batch)
        # The token moves only once every event it covers is durable: a crash in between
        # redoes the batch, and the database's unique keys make the replay a no-op.
        raise_on_outage(await dispatch(batch.events))  # the token then stays where it was
        await batch.remember()
        if encrypted is not None:
            encrypted.forget(read_late)
            await encrypted.commit()
        await self._storage.save_sync_token(PLATFORM, self._bot_user(), next_batch,
                                            self._clock.now())
        if encrypted is not None:
            await encrypted.after_commit()
        return next_batch

    def _invite(self, room_id: str, invite_state: Iterable[object]) -> InvitedToRoom | None:
        """Who invited us to `room_id`, read from the invite's stripped state."""
        me, invite = self._bot_user(), None
        for event in invite_state:
            if (isinstance(event, dict) and event.get("type") == "m.room.member"
                    and event.get("state_key") == me
                    and isinstance(event.get("content"), dict)
                    and event["content"].get("membership") == "invite"
                    and isinstance(event.get("sender"), str)):
                invite = InvitedToRoom(Conversation(PLATFORM, room_id), event["sender"],
                                       direct=bool(event["content"].get("is_direct")))
        return invite

    async def _read_late(self, encrypted: EncryptedRooms, batch: SyncEvents) -> list[str]:
        """Kept encrypted events whose key has come: read now, as if they had just arrived."""
        read: list[str] = []
        for item, clear in encrypted.decryptable():
            room = self._rooms.get(item.room_id)
            followed = item.room_id in self._keeper.subscribed
            for event in read_timeline([clear], room, self._bot_user()):
                if not isinstance(event, EncryptionOn):
                    await self._route(event, followed, batch)
            read.append(item.event_id)
        if read:
            log.info("read %d encrypted events whose keys came late", len(read))
        return read

    async def _joined_room(self, room_id: str, info: Mapping[str, Any], since: str | None,
                           batch: SyncEvents) -> None:
        state = info.get("state")
        state_events = state.get("events") if isinstance(state, dict) else None
        room = self._rooms.apply_all(room_id, state_events or ())
        timeline = info.get("timeline")
        timeline = timeline if isinstance(timeline, dict) else {}
        events = [e for e in timeline.get("events") or () if isinstance(e, dict)]
        followed = room_id in self._keeper.subscribed
        if room_id == self._staff.room_id and any(
                e.get("type") in _STAFF_STATE for e in [*events, *(state_events or ())]
                if isinstance(e, dict)):
            self._staff.invalidate()
        me = self._bot_user()
        joined_at = _own_join(events, me)
        if joined_at is not None:
            # Just joined: what came before our join is history, imported only on request;
            # only its state counts (the room may have been encrypted from the start).
            self._rooms.apply_all(room_id, events[:joined_at])
            events = events[joined_at:]
        encrypted = self._encrypted if self._encrypted and self._encrypted.readable else None
        prev_batch = timeline.get("prev_batch")
        if (timeline.get("limited") and since and isinstance(prev_batch, str) and followed
                and (encrypted is not None or not room.encrypted) and joined_at is None):
            gap = await fetch_gap(self._http, room_id, prev_batch, since)
            log.info("filled a gap of %d events in %s", len(gap), room_id)
            events = gap + events
        if encrypted is None:
            if room.encrypted:
                await self._keeper.on_encrypted(room_id)
                return
        elif room.encrypted or any(e.get("type") == "m.room.encryption" for e in events):
            encrypted.crypto.track(room_id, [*(state_events or ()), *events])
            events = encrypted.open_events(room_id, events, me)
        for item in read_timeline(events, room, me):
            if isinstance(item, EncryptionOn):
                if encrypted is not None:
                    continue  # read on, decrypting
                await self._keeper.on_encrypted(room_id)
                return  # from here on the room is unreadable: store nothing more
            with log_context(event_id=_event_id(item)):
                await self._route(item, followed, batch)

    async def _route(self, item: IncomingMessage | MessageEdited | Reacted | Redacted,
                     followed: bool, batch: SyncEvents) -> None:
        if isinstance(item, IncomingMessage):
            # Rooms not followed are never stored; their commands are answered all the same.
            if followed or item.text.startswith(self._prefix):
                batch.add(item)
        elif not followed:
            return
        elif isinstance(item, MessageEdited):
            # Storage applies an edit only from the author and only if newer than the stored
            # one (any member can send an `m.replace`; replays come late).
            batch.add(item)
        elif isinstance(item, Reacted):
            batch.add_reaction(item)
        else:
            if self._encrypted is not None:
                self._encrypted.forget((item.redacts,))  # redacted before its key came
            await batch.add_redaction(item)


def _event_id(item: IncomingMessage | MessageEdited | Reacted | Redacted) -> str | None:
    """The id logged with `item`: a message's or reaction's own (an edit or redaction carries
    only the id of the message it changes, which the router logs as its message id)."""
    if isinstance(item, Reacted):
        return item.reaction_id
    return item.message_id if isinstance(item, IncomingMessage) else None


def _own_join(events: list[dict[str, Any]], me: str) -> int | None:
    """Where our latest join is in `events`, if it is there (a profile change is no join)."""
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        content, unsigned = event.get("content"), event.get("unsigned")
        before = unsigned.get("prev_content") if isinstance(unsigned, dict) else None
        if (event.get("type") == "m.room.member" and event.get("state_key") == me
                and isinstance(content, dict) and content.get("membership") == "join"
                and not (isinstance(before, dict) and before.get("membership") == "join")):
            return index
    return None


def _sections(rooms: Mapping[str, Any], name: str) -> list[tuple[str, Mapping[str, Any]]]:
    section = rooms.get(name)
    if not isinstance(section, dict):
        return []
    return [(room_id, info) for room_id, info in section.items()
            if isinstance(room_id, str) and isinstance(info, dict)]
