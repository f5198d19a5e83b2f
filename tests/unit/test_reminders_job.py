"""The reminder tick with a controlled clock: on time, once, late or reported after downtime."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import Translator
from bot.messages import Conversation
from bot.reminder_values import DeliveryState
from bot.reminders import render
from bot.reminders.job import LEASE, send_due_reminders
from bot.settings import Settings
from bot.storage import Database, Storage, make_engine
from bot.workplan import WorkPlan
from tests.conftest import make_settings
from tests.fakes import FakeChat, FrozenClock, Harness, Sent

# The shipped plan: the comment summary (week of 28 October 2019, leads 7d and 0) and the
# ICANN66 session (7 November 2019 10:30 America/Toronto, leads 7d, 1d and 1h).
FIRES = [
    ("2019-10-21T04:00:00+00:00", "Summary of public comments", "in 7 days"),
    ("2019-10-28T04:00:00+00:00", "Summary of public comments", "starting now"),
    ("2019-10-31T14:30:00+00:00", "ICANN66 session", "in 7 days"),  # 10:30 EDT
    ("2019-11-06T15:30:00+00:00", "ICANN66 session", "in 1 day"),  # 10:30 EST
    ("2019-11-07T14:30:00+00:00", "ICANN66 session", "in 1 hour"),
]
ICANN66_1D = FIRES[3][0]


def posts(harness: Harness) -> list[Sent]:
    return [s for s in harness.sent if s.kind == "send"]


async def tick(harness: Harness, at: str | None = None) -> list[Sent]:
    """Run one tick (at `at`) and return what it posted."""
    if at is not None:
        harness.clock.set(at)
    before = len(harness.sent)
    await send_due_reminders(harness.svc)
    return harness.sent[before:]


@asynccontextmanager
async def process(settings: Settings, plan: WorkPlan, at: str) -> AsyncIterator[Harness]:
    """A (re)started bot: fresh engine, storage and chat on the same database file."""
    engine = make_engine(settings.database_url)
    storage = Storage(Database(engine))
    try:
        yield Harness(settings, plan, storage, FrozenClock(at))
    finally:
        await storage.close()
        await engine.dispose()


async def test_each_lead_time_fires_at_its_instant_once(harness: Harness) -> None:
    for at, title, countdown in FIRES:
        harness.clock.set(at)
        harness.clock.advance(seconds=-1)
        assert await tick(harness) == []
        harness.clock.set(at)
        [post] = await tick(harness)
        assert title in post.text and post.text.split("\n")[0].endswith(countdown)
        assert "Late" not in post.text
        assert post.where.platform == "console" and post.key is not None
        assert await tick(harness) == []
        harness.clock.advance(minutes=20)
        assert await tick(harness) == []
    states = [d.state for d in await harness.storage.reminders.deliveries()]
    assert states == [DeliveryState.SENT] * len(FIRES)


async def test_the_same_tick_run_twice_posts_once(harness: Harness) -> None:
    harness.clock.set(ICANN66_1D)
    await asyncio.gather(send_due_reminders(harness.svc), send_due_reminders(harness.svc))
    await send_due_reminders(harness.svc)
    assert len(posts(harness)) == 1


async def test_the_reminder_says_what_when_how_far_and_how_much_input(
        harness: Harness) -> None:
    for n in range(12):
        await harness.say(f"idea {n} #wp3")
    await harness.say("another #wp5")
    [post] = await tick(harness, ICANN66_1D)
    lines = post.text.split("\n")
    assert lines[0].startswith("🔔 **ICANN66 session on the evolution")
    assert lines[0].endswith("— in 1 day")
    assert lines[1] == "Thursday, November 7, 2019, 10:30\u202fAM EST"
    assert ("- 12 inputs so far on issue 3 (Efficient use of resources) — add yours with #wp3"
            in lines)
    assert "- 1 input so far on issue 5 (Representation and inclusivity) — add yours with #wp5" \
        in lines
    assert "- 0 inputs so far on issue 8 (Consensus) — add yours with #wp8" in lines


async def test_french_rendering_in_the_configured_locale(
        database_url: str, plan: WorkPlan, storage: Storage) -> None:
    settings = make_settings(database_url=database_url,
                             locale="fr")
    harness = Harness(settings, plan, storage)
    [post] = await tick(harness, FIRES[2][0])
    lines = post.text.split("\n")
    assert lines[0].startswith("🔔 **Séance de l'ICANN66 sur l'évolution du modèle multipartite")
    assert lines[0].endswith("— dans 7\xa0jours")
    assert lines[1] == "jeudi 7 novembre 2019, 10:30 EST"
    assert ("- 0 contribution jusqu'ici sur la question 3 (Utilisation efficace des "
            "ressources) — ajoutez la vôtre avec #wp3") in lines


async def test_each_target_gets_its_own_timezone_and_language(
        database_url: str, plan: WorkPlan, storage: Storage) -> None:
    settings = make_settings(
        database_url=database_url,
        slack_channels="C1", matrix_rooms="!fr:example.org",
        channel_timezones="matrix:!fr:example.org=Europe/Paris",
        channel_locales="matrix:!fr:example.org=fr")
    harness = Harness(settings, plan, storage)
    sent = await tick(harness, ICANN66_1D)
    by_target = {(s.where.platform, s.where.id): s.text for s in sent}
    assert set(by_target) == {("slack", "C1"), ("matrix", "!fr:example.org")}
    assert "Thursday, November 7, 2019, 10:30\u202fAM EST" in by_target[("slack", "C1")]
    assert "jeudi 7 novembre 2019, 16:30 CET" in by_target[("matrix", "!fr:example.org")]
    keys = {s.key for s in sent}
    assert len(keys) == 2  # one idempotency key per target


async def test_a_restart_inside_the_grace_period_posts_once_marked_late(
        settings: Settings, plan: WorkPlan, storage: Storage) -> None:
    async with process(settings, plan, "2019-11-06T15:00:00+00:00") as first:
        await tick(first)  # the bot runs, then stops 30 minutes before the 1-day reminder
    async with process(settings, plan, "2019-11-06T16:10:00+00:00") as second:
        [post] = await tick(second)
        assert "ICANN66" in post.text
        assert ("(Late: this reminder was due Wednesday, November 6, 2019, 10:30\u202fAM "
                "EST") in post.text
        assert await tick(second) == []
    async with process(settings, plan, "2019-11-06T16:20:00+00:00") as third:
        assert await tick(third) == []
        [delivery] = await third.storage.reminders.deliveries()
        assert delivery.state is DeliveryState.LATE


async def test_beyond_the_grace_period_it_is_recorded_missed_and_reported_to_staff(
        database_url: str, plan: WorkPlan, storage: Storage) -> None:
    settings = make_settings(database_url=database_url,
                             staff_conversation="matrix:!staff:example.org")
    async with process(settings, plan, "2019-11-06T15:00:00+00:00") as first:
        await tick(first)
    async with process(settings, plan, "2019-11-06T17:00:00+00:00") as second:
        [report] = await tick(second)
        assert (report.where.platform, report.where.id) == ("matrix", "!staff:example.org")
        assert report.text.startswith("**Reminders that were not posted**")
        assert "ICANN66 session" in report.text and "1 day before" in report.text
        assert "Wednesday, November 6, 2019, 10:30\u202fAM EST" in report.text
        assert "I was not running" in report.text
        assert await tick(second) == []
        [delivery] = await second.storage.reminders.deliveries()
        assert delivery.state is DeliveryState.MISSED


async def test_missed_reminders_are_logged_when_no_staff_conversation_is_set(
        harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    await tick(harness, "2019-11-06T15:00:00+00:00")
    with caplog.at_level(logging.WARNING, logger="bot.reminders.job"):
        assert await tick(harness, "2019-11-08T00:00:00+00:00") == []
    missed = [r for r in caplog.records if "missed" in r.getMessage()]
    assert len(missed) == 2  # the 1-day and the 1-hour reminders of ICANN66
    assert "plan:icann66" in missed[0].getMessage()


async def test_a_first_start_does_not_report_the_whole_past(harness: Harness) -> None:
    harness.clock.set("2020-01-01T00:00:00+00:00")
    assert await tick(harness) == []
    assert await harness.storage.reminders.deliveries() == []


async def test_a_refused_send_is_retried_after_a_restart_with_the_same_key(
        settings: Settings, plan: WorkPlan, storage: Storage) -> None:
    async with process(settings, plan, ICANN66_1D) as first:
        first.chat.fail_sends = True  # the platform is down; then the bot restarts
        await tick(first)
        [delivery] = await first.storage.reminders.deliveries()
        assert delivery.state is DeliveryState.FAILED
    restart_at = "2019-11-06T15:40:00+00:00"
    async with process(settings, plan, restart_at) as second:
        [post] = await tick(second)
        assert post.key == delivery.key.idempotency_key
        assert "ICANN66" in post.text
        assert await tick(second) == []


async def test_a_stale_sending_claim_is_taken_over_after_its_lease(harness: Harness) -> None:
    harness.clock.set(ICANN66_1D)
    store = harness.storage.reminders
    [due] = [d for d in await _due_now(harness) if d.target == "console"]
    delivery_id = await store.claim(due.key, 0, due.fire_at, DeliveryState.CLAIMED, "dead",
                                    harness.clock.now(), harness.clock.now() + LEASE)
    assert delivery_id is not None
    [claimed] = await store.deliveries()
    assert await store.start_sending(claimed, "dead", harness.clock.now())
    # The claimer died mid-send. Until its lease runs out nobody else posts...
    assert await tick(harness, "2019-11-06T15:34:00+00:00") == []
    # ...then one process takes over and resends with the same idempotency key.
    [post] = await tick(harness, "2019-11-06T15:36:00+00:00")
    assert post.key == due.key.idempotency_key
    assert [d.state for d in await store.deliveries()] == [DeliveryState.LATE]


async def test_a_refused_send_is_retried_then_reported(
        database_url: str, plan: WorkPlan, storage: Storage) -> None:
    settings = make_settings(database_url=database_url,
                             staff_conversation="slack:CSTAFF")
    harness = Harness(settings, plan, storage)
    harness.chat = RefusingConsole()
    harness.svc = dataclasses.replace(harness.svc, chat=harness.chat)
    harness.chat.refuse = True
    harness.clock.set(ICANN66_1D)
    for _ in range(2):
        await tick(harness)
        harness.clock.advance(minutes=1, seconds=1)
    [report] = await tick(harness)  # the third refusal is the last try
    assert report.where.id == "CSTAFF" and "kept refusing" in report.text
    harness.chat.refuse = False
    harness.clock.advance(minutes=5)
    assert await tick(harness) == []
    [delivery] = await harness.storage.reminders.deliveries()
    assert delivery.state is DeliveryState.FAILED and delivery.attempts == 3


@dataclasses.dataclass
class RefusingConsole(FakeChat):
    """The console refuses posts while `refuse` is set; other platforms work."""

    refuse: bool = False

    async def send(self, where: Conversation, text: str, *, reply_to: str | None = None,
                   idempotency_key: str | None = None) -> str:
        if self.refuse and where.platform == "console":
            raise ConnectionError("console unreachable")
        return await super().send(where, text, reply_to=reply_to,
                                  idempotency_key=idempotency_key)


async def _due_now(harness: Harness) -> list[Any]:
    from bot.reminders.schedule import all_schedules, due_between

    now = harness.clock.now()
    schedules = all_schedules(harness.plan, [])
    return [d for s in schedules
            for d in due_between(s, now - timedelta(seconds=1), now, ("console",))]


@pytest.mark.parametrize(("late", "lead", "expected"), [
    (timedelta(seconds=5), timedelta(minutes=1), "in 1 minute"),  # not "starting now"
    (timedelta(seconds=20), timedelta(days=7), "in 7 days"),  # not "6 days 23 hours"
    (timedelta(seconds=29), timedelta(hours=1), "in 1 hour"),
    (timedelta(seconds=20), timedelta(0), "starting now"),
    (timedelta(minutes=3), timedelta(0), "started 3 minutes ago"),
])
def test_a_countdown_fired_a_tick_late_still_names_its_lead(
        late: timedelta, lead: timedelta, expected: str) -> None:
    start = datetime(2019, 10, 24, 14, 30, tzinfo=UTC)  # a week clear of a DST change
    fired = start - lead + late
    assert render.countdown(start, fired, ZoneInfo("America/Toronto"), Translator("en")) == expected
