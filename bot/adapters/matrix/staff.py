"""Staff on Matrix: the allow-list, or power level >= 50 in the one configured staff room.

Never the power level of the room a command is typed in: anyone can create a room and be its
admin. In room version 12 (Synapse's default) creators are not listed in `m.room.power_levels`:
the sender of `m.room.create` and its `additional_creators` outrank everyone.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.ports import Clock

log = logging.getLogger(__name__)

STAFF_LEVEL = 50
CACHE_FOR = timedelta(minutes=5)
# Room versions in which creators are ordinary power-level entries.
_LEGACY_VERSIONS = frozenset(str(version) for version in range(1, 12))

StateFetch = Callable[[str], Awaitable[list[Any]]]


@dataclass(frozen=True, slots=True)
class StaffRule:
    """Who counts as staff in the staff room, read from its state events."""

    creators: frozenset[str]
    levels: Mapping[str, int]
    default_level: int
    joined: frozenset[str]

    def admits(self, user_id: str) -> bool:
        if user_id not in self.joined:
            return False  # someone who left the staff room is no longer staff
        if user_id in self.creators:
            return True
        return self.levels.get(user_id, self.default_level) >= STAFF_LEVEL


def read_staff_rule(state: Iterable[Any]) -> StaffRule:
    creators: set[str] = set()
    levels: dict[str, int] = {}
    default_level = 0
    joined: set[str] = set()
    for event in state:
        if not isinstance(event, dict) or not isinstance(event.get("content"), dict):
            continue
        kind, content = event.get("type"), event["content"]
        if kind == "m.room.create":
            version = str(content.get("room_version", "1"))
            sender = event.get("sender")
            if version not in _LEGACY_VERSIONS and isinstance(sender, str):
                creators.add(sender)
                extra = content.get("additional_creators")
                if isinstance(extra, list):
                    creators.update(user for user in extra if isinstance(user, str))
        elif kind == "m.room.power_levels":
            users = content.get("users")
            if isinstance(users, dict):
                levels = {user: _level(value) for user, value in users.items()}
            default_level = _level(content.get("users_default", 0))
        elif kind == "m.room.member" and content.get("membership") == "join":
            key = event.get("state_key")
            if isinstance(key, str):
                joined.add(key)
    return StaffRule(frozenset(creators), levels, default_level, frozenset(joined))


def _level(value: object) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():  # old rooms allowed strings
        return int(value)
    return 0


class MatrixStaff:
    """The Matrix part of the staff directory; fails closed when the staff room can't be read."""

    def __init__(self, allow_list: Iterable[str], fetch_state: StateFetch, clock: Clock) -> None:
        self._allow = frozenset(allow_list)
        self._fetch_state = fetch_state
        self._clock = clock
        self.room_id: str | None = None
        self._rule: StaffRule | None = None
        self._read_at: datetime | None = None

    def invalidate(self) -> None:
        """The staff room's power levels or members changed: read them again."""
        self._rule = None

    async def is_staff(self, platform: str, user_id: str) -> bool:
        if platform != "matrix":
            return False
        if user_id in self._allow:
            return True
        if self.room_id is None:
            return False
        rule = await self._current_rule()
        return rule is not None and rule.admits(user_id)

    async def _current_rule(self) -> StaffRule | None:
        now = self._clock.now()
        if self._rule is None or self._read_at is None or now - self._read_at > CACHE_FOR:
            assert self.room_id is not None
            try:
                self._rule = read_staff_rule(await self._fetch_state(self.room_id))
                self._read_at = now
            except Exception:
                log.exception("cannot read the staff room %s: nobody is staff by it",
                              self.room_id)
                return None
        return self._rule
