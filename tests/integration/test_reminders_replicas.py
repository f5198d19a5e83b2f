"""Two bot processes sharing one database post every reminder exactly once.

Each replica has its own engine, connection pool, storage, chat and clock (the second one's
clock runs a few seconds behind, as real hosts' do); they tick together, concurrently, 200
times over 100 simulated minutes while staff add and remove milestones through either one.
"""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.reminder_values import DeliveryKey, DeliveryState, MilestoneDraft, Title
from bot.reminders.job import send_due_reminders
from bot.storage import Database, Storage, make_engine
from bot.storage.schema import Base
from bot.workplan import Localized, Milestone, WorkPlan
from tests.conftest import make_settings
from tests.fakes import FrozenClock, Harness

pytestmark = pytest.mark.integration

START = datetime(2019, 11, 12, 13, 0, tzinfo=UTC)
TICK = timedelta(seconds=30)
TICKS = 200
TARGETS = ("slack:C1", "matrix:!room:example.org")
LEADS = (timedelta(minutes=30), timedelta(minutes=10), timedelta(0))


@pytest.fixture(params=["sqlite", "postgresql"])
async def two_storages(request: pytest.FixtureRequest, tmp_path: Path
                       ) -> AsyncIterator[tuple[str, Storage, Storage]]:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}"
    else:
        url = os.environ.get("PLENARY_TEST_DATABASE_URL", "")
        if not url:
            pytest.skip("PLENARY_TEST_DATABASE_URL is not set")
    engines = [make_engine(url), make_engine(url)]
    async with engines[0].begin() as conn:
        await conn.run_sync(Base.metadata.drop_all)
        await conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    await Database(engines[0]).create_schema()
    first, second = Storage(Database(engines[0])), Storage(Database(engines[1]))
    yield url, first, second
    for storage in (first, second):
        await storage.close()
    for engine in engines:
        await engine.dispose()


def plan_with_a_call(plan: WorkPlan) -> WorkPlan:
    call = Milestone(key="call", title=Localized(en="Plenary call", fr="Appel plénier"),
                     at=datetime(2019, 11, 12, 14, 20), timezone="UTC",
                     lead=("1h", "30m", "10m", "0"), issues=(3,), targets=TARGETS)
    return plan.model_copy(update={"milestones": (call,)})


def expected_keys(occurrences: dict[str, list[datetime]], leads: dict[str, tuple[timedelta, ...]],
                  start: datetime, end: datetime, defined: dict[str, datetime]
                  ) -> set[str]:
    keys = set()
    for name, instants in occurrences.items():
        for occurrence in instants:
            for lead in leads[name]:
                fire = occurrence - lead
                if max(start, defined.get(name, start)) < fire <= end:
                    keys.update(DeliveryKey(name, occurrence, int(lead.total_seconds()),
                                            target).idempotency_key for target in TARGETS)
    return keys


async def test_two_replicas_ticking_together_post_each_reminder_once(
        two_storages: tuple[str, Storage, Storage], plan: WorkPlan) -> None:
    url, first_storage, second_storage = two_storages
    settings = make_settings(database_url=url, slack_channels="C1",
                             matrix_rooms="!room:example.org")
    shared_plan = plan_with_a_call(plan)
    first = Harness(settings, shared_plan, first_storage, FrozenClock(START))
    second = Harness(settings, shared_plan, second_storage, FrozenClock(START))

    # Twenty one-off milestones, every 5 minutes, added by staff through either replica.
    occurrences: dict[str, list[datetime]] = {"plan:call": [datetime(2019, 11, 12, 14, 20,
                                                                     tzinfo=UTC)]}
    leads: dict[str, tuple[timedelta, ...]] = {"plan:call": (
        timedelta(hours=1), timedelta(minutes=30), timedelta(minutes=10), timedelta(0))}
    defined: dict[str, datetime] = {}
    for n in range(20):
        at = START + timedelta(minutes=5 * n + 3)
        store = (first_storage if n % 2 else second_storage).reminders
        milestone_id = await store.add_milestone(MilestoneDraft(
            Title(f"Milestone {n}", f"Étape {n}"), "UTC", starts_at=at, leads=("30m", "10m", "0"),
            targets=TARGETS), "carol", START)
        occurrences[f"db:{milestone_id}"] = [at]
        leads[f"db:{milestone_id}"] = LEADS
        defined[f"db:{milestone_id}"] = START
    recurring = await first_storage.reminders.add_milestone(MilestoneDraft(
        Title("Stand-up", "Point quotidien"), "UTC", recurrence="*/10 * * * *", leads=("0",),
        targets=TARGETS), "carol", START)
    occurrences[f"db:{recurring}"] = [START + timedelta(minutes=10 * k) for k in range(11)]
    leads[f"db:{recurring}"] = (timedelta(0),)
    defined[f"db:{recurring}"] = START
    removed = 20  # milestone 20 (at START + 98 min) is removed half-way, before its reminders

    for step in range(1, TICKS + 1):
        now = START + step * TICK
        lagging, leading = (first, second) if step % 2 else (second, first)
        leading.clock.set(now)
        lagging.clock.set(now - timedelta(seconds=step % 7))
        await asyncio.gather(send_due_reminders(first.svc), send_due_reminders(second.svc))
        if step == TICKS // 2:
            assert await second_storage.reminders.cancel_milestone(removed, now)
            del occurrences[f"db:{removed}"]

    end = START + TICKS * TICK
    expected = expected_keys(occurrences, leads, START, end - timedelta(seconds=6), defined)
    posted = Counter(s.key for h in (first, second) for s in h.sent if s.kind == "send")
    assert [key for key, count in posted.items() if count > 1] == []
    assert set(posted) >= expected  # everything due (a lagging clock may end a tick early)
    assert len(posted) <= len(expected_keys(occurrences, leads, START, end, defined))
    assert len(expected) > 100
    shares = [sum(1 for s in h.sent if s.kind == "send") for h in (first, second)]
    if url.startswith("postgresql"):
        # Proof that both really competed. SQLite serialises writers (and is single-instance
        # in production), so there one replica may fairly win every claim.
        assert min(shares) > 0, f"one replica did all the work: {shares}"
    deliveries = await first_storage.reminders.deliveries()
    assert {d.state for d in deliveries} == {DeliveryState.SENT}
    assert not any(d.key.milestone_key == f"db:{removed}" for d in deliveries)
