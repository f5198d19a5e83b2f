"""`leave` and `backfill` through the real router: staff only, dates, platforms without rooms."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from bot.app import build_router
from bot.messages import HANDLED, Conversation, InvitedToRoom
from bot.room_control import RoomControls
from tests.fakes import Harness


class FakeRooms:
    def __init__(self) -> None:
        self.left: list[tuple[Conversation, str]] = []
        self.backfilled: list[tuple[Conversation, datetime]] = []
        self.undecryptable = 0
        self.invites: list[tuple[Conversation, str]] = []

    def supports(self, platform: str) -> bool:
        return platform == "test"

    async def leave(self, where: Conversation, farewell: str) -> None:
        self.left.append((where, farewell))

    async def accept_invite(self, where: Conversation, *, follow: bool) -> None:
        self.invites.append((where, "followed" if follow else "joined"))

    async def decline_invite(self, where: Conversation, reason: str) -> None:
        self.invites.append((where, reason))

    async def backfill(self, where: Conversation, since: datetime) -> int:
        self.backfilled.append((where, since))
        return 12

    async def unreadable(self, platform: str) -> int:
        return self.undecryptable if platform == "test" else 0


def with_rooms(harness: Harness) -> FakeRooms:
    rooms = FakeRooms()
    harness.svc = dataclasses.replace(harness.svc, rooms=RoomControls([rooms]))
    harness.router = build_router(harness.svc)
    return rooms


async def test_only_staff_make_the_bot_leave(harness: Harness) -> None:
    rooms = with_rooms(harness)
    await harness.say("!leave", author="alice")
    assert harness.replies()[-1].startswith("Only staff can use !leave")
    assert rooms.left == []
    await harness.say("!leave", author="carol")
    assert rooms.left == [(harness.room, "Leaving this room, as staff asked. Messages here are "
                                         "no longer recorded.")]


async def test_backfill_reads_since_a_date_or_thirty_days(harness: Harness) -> None:
    rooms = with_rooms(harness)
    harness.clock.set("2019-10-31T12:00:00+00:00")
    await harness.say("!backfill since 2019-10-01", author="carol")
    assert "Read 12 past messages" in harness.replies()[-1]
    await harness.say("!backfill", author="carol")
    assert rooms.backfilled[-1][1] == datetime(2019, 10, 1, 12, tzinfo=UTC)
    assert rooms.backfilled[0][1] > datetime(2019, 9, 30, tzinfo=UTC)
    await harness.say("!backfill since yesterday", author="carol")
    assert "`yesterday` is not a date" in harness.replies()[-1]
    assert len(rooms.backfilled) == 2
    await harness.say("!backfill", author="alice")
    assert harness.replies()[-1].startswith("Only staff")


async def test_room_commands_elsewhere_say_where_they_work(harness: Harness) -> None:
    await harness.say("!leave", author="carol")
    assert harness.replies()[-1] == "That command only works in a Matrix room."


def _help_commands(harness: Harness) -> list[str]:
    """The command names `!help` lists, in its order."""
    return [line.split("`")[1].split()[0] for line in harness.replies()[-1].splitlines()
            if line.startswith("- `")]


async def test_help_lists_only_what_the_asker_may_run_where_they_ask(harness: Harness) -> None:
    await harness.say("!help", author="alice")
    member = _help_commands(harness)
    assert member == ["!help", "!workplan", "!milestones", "!tag", "!untag", "!lang", "!iam",
                      "!my-data", "!forget-me", "!link-email"]
    assert "(staff)" not in harness.replies()[-1]
    await harness.say("!help", author="carol")
    assert _help_commands(harness) == ["!help", "!workplan", "!milestones", "!milestone", "!tag",
                                       "!untag", "!digest", "!hide", "!status", "!lang",
                                       "!iam", "!gaps", "!my-data", "!forget-me",
                                       "!link-email", "!forget-address"]
    with_rooms(harness)  # a platform where the bot manages its rooms: Matrix
    await harness.say("!help", author="carol")
    assert _help_commands(harness)[-2:] == ["!leave", "!backfill"]
    await harness.say("!help", author="alice")
    assert _help_commands(harness) == member


async def test_staff_help_counts_the_messages_that_could_not_be_decrypted(
        harness: Harness) -> None:
    rooms = with_rooms(harness)
    await harness.say("!help", author="carol")
    assert "could not be decrypted" not in harness.replies()[-1]
    rooms.undecryptable = 3
    await harness.say("!help", author="alice")
    assert "could not be decrypted" not in harness.replies()[-1]  # members are not told
    await harness.say("!help", author="carol")
    assert harness.replies()[-1].splitlines()[-1].startswith(
        "3 encrypted messages sent to me could not be decrypted")


async def test_staff_invites_are_accepted_and_anyone_elses_declined(harness: Harness) -> None:
    rooms = with_rooms(harness)
    room, direct, other = (Conversation("test", name) for name in ("!r", "!dm", "!o"))
    outcomes = await harness.router.handle([InvitedToRoom(room, "carol"),
                                            InvitedToRoom(direct, "carol", direct=True),
                                            InvitedToRoom(other, "alice")])
    assert outcomes == [HANDLED] * 3
    assert rooms.invites == [(room, "followed"), (direct, "joined"),
                             (other, harness.svc.tr("matrix.invite_declined"))]


async def test_an_invite_on_a_platform_without_rooms_is_left_alone(harness: Harness) -> None:
    rooms = with_rooms(harness)
    await harness.router.handle([InvitedToRoom(Conversation("slack", "C1"), "carol")])
    assert rooms.invites == []


async def test_an_invite_that_cannot_be_answered_does_not_fail_the_batch(
        harness: Harness) -> None:
    rooms = with_rooms(harness)

    async def unreachable(where: Conversation, *, follow: bool) -> None:
        raise OSError("homeserver unreachable")

    rooms.accept_invite = unreachable  # type: ignore[method-assign]
    assert await harness.router.handle([InvitedToRoom(Conversation("test", "!r"), "carol")]) \
        == [HANDLED]
