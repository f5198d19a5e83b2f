"""Encrypted events we could not decrypt yet: kept in the database until their key arrives.

One JSON value in `bot_state` (normally a handful of events): written before the sync token
that delivered them moves, so a crash can neither lose one nor let the token skip it. When a
key arrives the event is read as if it had just come, once: it leaves this list only after
what it stored is durable, and the database's unique keys make a replay a no-op. Beyond
`MAX_KEPT` the oldest are dropped, and counted: nothing undecryptable is lost silently.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.ports import Clock
from bot.storage import Storage

MAX_KEPT = 2000


@dataclass(frozen=True, slots=True)
class Pending:
    room_id: str
    raw: dict[str, Any]  # the `m.room.encrypted` event as it came
    first_seen_at: datetime

    @property
    def event_id(self) -> str:
        return str(self.raw.get("event_id", ""))


class PendingEvents:
    def __init__(self, storage: Storage, clock: Clock, key: str) -> None:
        self._storage = storage
        self._clock = clock
        self._key = key
        self._events: dict[str, Pending] = {}
        self.dropped = 0  # given up on for room (MAX_KEPT), across restarts
        self._dirty = False

    async def load(self) -> None:
        raw = await self._storage.get_state(self._key)
        saved: dict[str, Any] = json.loads(raw) if raw else {}
        self.dropped = int(saved.get("dropped", 0))
        self._events = {}
        for item in saved.get("events", ()):
            pending = Pending(item["room_id"], item["raw"],
                              datetime.fromisoformat(item["first_seen_at"]))
            self._events[pending.event_id] = pending
        self._dirty = False

    def __len__(self) -> int:
        return len(self._events)

    def __contains__(self, event_id: object) -> bool:
        return event_id in self._events

    def waiting(self) -> list[Pending]:
        """Oldest first: retried in the order they were sent."""
        return sorted(self._events.values(),
                      key=lambda p: (int(p.raw.get("origin_server_ts") or 0), p.event_id))

    def add(self, room_id: str, raw: dict[str, Any]) -> bool:
        """Keep `raw`; False when it was already kept (a replayed sync)."""
        event_id = str(raw.get("event_id", ""))
        if not event_id or event_id in self._events:
            return False
        self._events[event_id] = Pending(room_id, raw, self._clock.now())
        self._dirty = True
        while len(self._events) > MAX_KEPT:
            del self._events[self.waiting()[0].event_id]
            self.dropped += 1
        return True

    def resolve(self, event_ids: Iterable[str]) -> None:
        for event_id in event_ids:
            if self._events.pop(event_id, None) is not None:
                self._dirty = True

    def unreadable(self, older_than: datetime) -> int:
        """Events still undecryptable that were first seen before `older_than`, plus dropped."""
        return self.dropped + sum(1 for p in self._events.values()
                                  if p.first_seen_at <= older_than)

    async def save(self) -> None:
        if not self._dirty:
            return
        value = json.dumps({
            "dropped": self.dropped,
            "events": [{"room_id": p.room_id, "raw": p.raw,
                        "first_seen_at": p.first_seen_at.isoformat()}
                       for p in self.waiting()],
        }, separators=(",", ":"))
        await self._storage.set_state(self._key, value, self._clock.now())
        self._dirty = False
