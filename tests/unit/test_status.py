"""`!status` and the metrics the core keeps: what staff and operators see of a replica."""

from __future__ import annotations

from datetime import UTC, datetime

from prometheus_client import generate_latest

from bot.commands import Args, Route
from bot.errors import UserError
from bot.handlers import EVENTS, ROUTES
from bot.messages import IncomingMessage
from bot.platform_status import PlatformStatus
from bot.router import Router
from bot.services import Services
from tests.fakes import Harness


class FakePlatform:
    def __init__(self, status: PlatformStatus) -> None:
        self._status = status

    async def status(self) -> PlatformStatus:
        return self._status


async def _boom(msg: IncomingMessage, args: Args, svc: Services) -> str:
    raise RuntimeError("the database melted")


async def _declined(msg: IncomingMessage, args: Args, svc: Services) -> str:
    raise UserError("no such thing")


def _with_test_routes(harness: Harness) -> None:
    from dataclasses import replace

    synced = datetime(2019, 10, 1, 11, 59, tzinfo=UTC)
    harness.svc = replace(harness.svc, platforms=(
        FakePlatform(PlatformStatus("slack", True)),
        FakePlatform(PlatformStatus("matrix", True, leader="host-b:4242",
                                    last_received_at=synced))))
    harness.router = Router((Route("boom", _boom), Route("nope", _declined), *ROUTES), EVENTS,
                            harness.svc)


async def test_status_shows_platforms_leader_reminders_queue_and_error_refs(
        harness: Harness) -> None:
    _with_test_routes(harness)
    await harness.say("!boom", author="alice")
    ref = harness.svc.health.recent_errors[0].ref
    assert ref in harness.replies()[-1]  # the member was told the same reference
    await harness.say("!status", author="carol")
    answer = harness.replies()[-1]
    assert harness.svc.health.replica in answer
    assert "Slack: connected" in answer
    assert "Matrix: connected · sync led by `host-b:4242` · last sync 2019-10-01" in answer
    # The shipped plan's next reminder from 1 October 2019: a week before the week of 28 Oct.
    assert "Summary of public comments" in answer and "2019-10-21" in answer
    assert "Writes waiting for the database: 0" in answer
    assert f"ref `{ref}`" in answer and "command boom" in answer


async def test_status_is_for_staff_only(harness: Harness) -> None:
    await harness.say("!status", author="alice")
    assert "staff" in harness.replies()[-1].lower()
    assert "Writes waiting" not in harness.replies()[-1]


async def test_commands_and_events_are_counted_by_outcome(harness: Harness) -> None:
    _with_test_routes(harness)
    await harness.say("!status", author="carol")
    await harness.say("!status", author="alice")
    await harness.say("!boom", author="alice")
    await harness.say("!nope", author="alice")
    await harness.say("!frobnicate", author="alice")
    await harness.say("plain talk #wp3", author="alice", message_id="m-plain")
    await harness.say("plain talk #wp3", author="alice", message_id="m-plain")  # redelivered
    text = generate_latest(harness.svc.health.registry).decode()
    for outcome in ('command="status",outcome="ok"} 1.0',
                    'command="status",outcome="refused"} 1.0',
                    'command="boom",outcome="error"} 1.0',
                    'command="nope",outcome="declined"} 1.0',
                    'command="unknown",outcome="unknown"} 1.0'):
        assert "plenary_commands_total{" + outcome in text
    assert 'plenary_events_received_total{platform="test"} 7.0' in text
    assert 'plenary_events_stored_total{platform="test"} 1.0' in text
    assert 'plenary_events_deduplicated_total{platform="test"} 1.0' in text
