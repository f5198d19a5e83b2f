"""Staff by the staff room's state: power level >= 50, room v12 creators, members only."""

from __future__ import annotations

from typing import Any

from bot.adapters.matrix.staff import MatrixStaff, read_staff_rule
from tests.fakes import FrozenClock


def state(version: str, creator: str, users: dict[str, Any], joined: list[str],
          **create: Any) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = [
        {"type": "m.room.create", "state_key": "", "sender": creator,
         "content": {"room_version": version, **create}},
        {"type": "m.room.power_levels", "state_key": "", "sender": creator,
         "content": {"users": users, "users_default": 0}},
    ]
    events += [{"type": "m.room.member", "state_key": user, "sender": user,
                "content": {"membership": "join"}} for user in joined]
    return events


def test_v12_creators_are_staff_without_a_power_level() -> None:
    rule = read_staff_rule(state("12", "@erin:x", {"@dave:x": 50}, ["@erin:x", "@dave:x",
                                 "@zoe:x", "@al:x"], additional_creators=["@zoe:x"]))
    assert rule.admits("@erin:x") and rule.admits("@zoe:x") and rule.admits("@dave:x")
    assert not rule.admits("@al:x")


def test_in_older_rooms_the_creator_is_an_ordinary_power_level() -> None:
    rule = read_staff_rule(state("11", "@erin:x", {"@erin:x": 100, "@dave:x": "49"},
                                 ["@erin:x", "@dave:x"]))
    assert rule.admits("@erin:x")
    assert not rule.admits("@dave:x")  # 49, even spelt as a string


def test_someone_who_left_the_staff_room_is_not_staff() -> None:
    rule = read_staff_rule(state("12", "@erin:x", {"@dave:x": 100}, ["@erin:x"]))
    assert not rule.admits("@dave:x")


async def test_the_directory_caches_fails_closed_and_ignores_other_platforms() -> None:
    reads: list[str] = []
    broken = False

    async def fetch(room_id: str) -> list[Any]:
        reads.append(room_id)
        if broken:
            raise ConnectionError("homeserver down")
        return state("12", "@erin:x", {"@dave:x": 50}, ["@erin:x", "@dave:x"])

    clock = FrozenClock()
    staff = MatrixStaff(["@carol:x"], fetch, clock)
    assert await staff.is_staff("matrix", "@carol:x")  # the allow-list needs no staff room
    assert not await staff.is_staff("matrix", "@dave:x")  # no staff room configured yet
    staff.room_id = "!staff:x"
    assert await staff.is_staff("matrix", "@dave:x")
    assert await staff.is_staff("matrix", "@erin:x")
    assert not await staff.is_staff("slack", "@dave:x")
    assert reads == ["!staff:x"]  # cached
    broken = True
    staff.invalidate()
    assert not await staff.is_staff("matrix", "@dave:x")  # fail closed
    broken = False
    clock.advance(minutes=6)
    assert await staff.is_staff("matrix", "@dave:x")
