"""What the bot remembers of each joined room from sync: its name, members and encryption."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.adapters.matrix.inbound import BadEvent, Inbound, RoomView, translate

log = logging.getLogger(__name__)


@dataclass(slots=True)
class RoomState:
    room_id: str
    name: str | None = None
    alias: str | None = None
    encrypted: bool = False
    display_names: dict[str, str] = field(default_factory=dict)
    membership: dict[str, str] = field(default_factory=dict)
    _view: RoomView | None = None

    def apply(self, raw: Mapping[str, Any]) -> None:
        """Fold one state event in (from the state section or the timeline)."""
        kind, key, content = raw.get("type"), raw.get("state_key"), raw.get("content")
        if not isinstance(key, str) or not isinstance(content, dict):
            return
        self._view = None
        if kind == "m.room.member":
            membership = content.get("membership")
            if isinstance(membership, str):
                self.membership[key] = membership
            name = content.get("displayname")
            if isinstance(name, str) and name and membership == "join":
                self.display_names[key] = name
            else:
                self.display_names.pop(key, None)
        elif kind == "m.room.name":
            name = content.get("name")
            self.name = name if isinstance(name, str) and name else None
        elif kind == "m.room.canonical_alias":
            alias = content.get("alias")
            self.alias = alias if isinstance(alias, str) and alias else None
        elif kind == "m.room.encryption":
            self.encrypted = True

    @property
    def view(self) -> RoomView:
        if self._view is None:
            self._view = RoomView(self.room_id, self.name or self.alias, self.display_names)
        return self._view

    def is_joined(self, user_id: str) -> bool:
        return self.membership.get(user_id) == "join"


class RoomStates:
    def __init__(self) -> None:
        self._rooms: dict[str, RoomState] = {}

    def get(self, room_id: str) -> RoomState:
        room = self._rooms.get(room_id)
        if room is None:
            room = self._rooms[room_id] = RoomState(room_id)
        return room

    def known(self, room_id: str) -> RoomState | None:
        return self._rooms.get(room_id)

    def forget(self, room_id: str) -> None:
        self._rooms.pop(room_id, None)

    def apply_all(self, room_id: str, events: Iterable[object]) -> RoomState:
        room = self.get(room_id)
        for raw in events:
            if isinstance(raw, dict) and "state_key" in raw:
                room.apply(raw)
        return room


def read_timeline(events: Iterable[dict[str, Any]], room: RoomState, me: str
                  ) -> Iterator[Inbound]:
    """The meaningful events of a timeline, in order, with the room's state kept current;
    our own events are left out, and a malformed event is logged and skipped."""
    for raw in events:
        if "state_key" in raw:
            room.apply(raw)
        if raw.get("sender") == me:
            continue
        try:
            item = translate(raw, room.view)
        except BadEvent as exc:
            log.warning("skipped a malformed event in %s: %s", room.room_id, exc)
            continue
        if item is not None:
            yield item
