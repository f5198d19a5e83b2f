"""Operating plenary: one replica per SQLite file, the Matrix lead on PostgreSQL, the probes,
and a graceful SIGTERM that acknowledges only what is stored."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import select, text

from bot.health import Health
from bot.storage import Database, make_engine
from bot.storage.leadership import lead
from bot.storage.tables import MESSAGES
from tests.conftest import ROOT, SHIPPED_PLAN
from tests.support import slack_signing as sl
from tests.support.bot_environment import bot_environment
from tests.support.fake_slack import FakeSlack
from tests.support.matrix_fixtures import wait_until
from tests.support.replicas import Replica
from tests.support.scratch_database import scratch_database
from tests.support.slack_bot import CHANNEL, SECRET

pytestmark = pytest.mark.integration

POSTGRES_URL = os.environ.get("PLENARY_TEST_DATABASE_URL")


@pytest.fixture
async def postgres() -> AsyncIterator[Database]:
    if POSTGRES_URL is None:
        pytest.skip("PLENARY_TEST_DATABASE_URL is not set")
    async with scratch_database(POSTGRES_URL, "plenary_lead") as url:
        db = Database(make_engine(url.render_as_string(hide_password=False)))
        try:
            yield db
        finally:
            await db.dispose()


async def test_a_second_replica_on_one_sqlite_file_refuses_to_start(tmp_path: Path) -> None:
    env = bot_environment(PLENARY_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'one.db'}",
                          PLENARY_WORKPLAN=str(SHIPPED_PLAN))
    first = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=ROOT, env=env, stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        assert first.stderr is not None
        while b"plenary running" not in (line := await asyncio.wait_for(
                first.stderr.readline(), 30)):
            assert line, "the first replica ended"
        second = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=ROOT, env=env,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE)
        _, err = await asyncio.wait_for(second.communicate(), 30)
        assert second.returncode == 2
        lines = err.decode().strip().splitlines()
        assert len(lines) == 1, lines
        assert "PLENARY_DATABASE_URL: another plenary is already running on" in lines[0]
        assert "use PostgreSQL" in lines[0]
        # Other commands share the file freely: only `run` is one of a kind.
        check = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "db", "upgrade", cwd=ROOT, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        await asyncio.wait_for(check.communicate(), 30)
        assert check.returncode == 0
    finally:
        assert first.stdin is not None
        first.stdin.close()  # the console ends with its input
        await asyncio.wait_for(first.wait(), 30)
    assert first.returncode == 0


async def test_the_lead_is_held_by_one_and_passes_on(postgres: Database) -> None:
    order: list[str] = []
    first_holds, release_first = asyncio.Event(), asyncio.Event()

    async def first() -> None:
        async with lead(postgres, "matrix-sync:@bot", poll_seconds=0.1):
            order.append("first leads")
            first_holds.set()
            await release_first.wait()
        order.append("first handed over")

    async def second() -> None:
        await first_holds.wait()
        async with lead(postgres, "matrix-sync:@bot", poll_seconds=0.1):
            order.append("second leads")

    async with asyncio.TaskGroup() as group:
        group.create_task(first())
        contender = group.create_task(second())
        await first_holds.wait()
        await asyncio.sleep(0.5)  # five polls: the second must still be waiting
        assert order == ["first leads"] and not contender.done()
        release_first.set()
    assert order == ["first leads", "first handed over", "second leads"]


async def test_a_leader_whose_session_dies_stops_leading(postgres: Database) -> None:
    async with lead(postgres, "matrix-sync:@bot", poll_seconds=0.1) as lease:
        async with postgres.engine.connect() as admin:
            await admin.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_locks "
                "WHERE locktype = 'advisory' AND pid <> pg_backend_pid()"))
            await admin.commit()
        started = time.monotonic()
        ran = await lease.keep_running(asyncio.sleep(30, result="finished"))
        assert ran is None, "the work must be stopped once the lease is lost"
        assert time.monotonic() - started < 5
        assert lease.lost.is_set()
    # Nobody holds it now: another replica gets it at once.
    async with asyncio.timeout(5), lead(postgres, "matrix-sync:@bot", poll_seconds=0.1):
        pass


async def test_probes_say_alive_ready_and_count() -> None:
    from bot.adapters.probes import start_ops

    health = Health("test-replica")
    health.expect("matrix")
    database_up = True

    async def ping() -> None:
        if not database_up:
            raise ConnectionRefusedError("down")

    server = await start_ops(health, ping, "127.0.0.1", 0)
    base = f"http://127.0.0.1:{server.port}"
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{base}/healthz") as alive:
                assert alive.status == 200
            async with http.get(f"{base}/readyz") as ready:
                assert ready.status == 503
                assert (await ready.json())["problems"] == ["matrix: not connected"]
            health.set_connected("matrix", True)
            health.set_leading(True)
            async with http.get(f"{base}/readyz") as ready:
                assert ready.status == 200
                assert (await ready.json())["matrix_sync_leader"] is True
            database_up = False
            async with http.get(f"{base}/readyz") as ready:
                assert ready.status == 503
                assert (await ready.json())["problems"] == ["database: ConnectionRefusedError"]
            health.events_received.labels("slack").inc(3)
            async with http.get(f"{base}/metrics") as metrics:
                assert metrics.status == 200
                assert metrics.headers["Content-Type"].startswith("text/plain")
                body = await metrics.text()
        assert 'plenary_events_received_total{platform="slack"} 3.0' in body
        assert "plenary_matrix_sync_leader 1.0" in body
        assert 'plenary_adapter_connected{platform="matrix"} 1.0' in body
        assert "plenary_ack_seconds_bucket" in body or "plenary_ack_seconds" in body
    finally:
        await server.close()


async def test_sigterm_stops_within_10_s_and_every_acknowledged_event_is_stored(
        tmp_path: Path) -> None:
    database = tmp_path / "graceful.db"
    async with FakeSlack() as fake, aiohttp.ClientSession() as http:
        fake.add_channel(CHANNEL, "general")
        replica = Replica("graceful", {
            "PLENARY_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
            "PLENARY_WORKPLAN": str(SHIPPED_PLAN), "PLENARY_SLACK_BOT_TOKEN": fake.bot_token,
            "PLENARY_SLACK_SIGNING_SECRET": SECRET, "PLENARY_SLACK_API_URL": fake.api_url,
            "PLENARY_SLACK_CHANNELS": CHANNEL})
        await replica.start()
        try:
            await replica.wait_ready(http)
            url = replica.slack_url
            assert url is not None
            acked: list[str] = []
            refused = 0

            async def deliver(n: int) -> None:
                nonlocal refused
                ts = f"{1_700_100_000 + n}.000200"
                body = sl.event_callback(sl.message_event(f"input {n} #wp1", ts=ts))
                try:
                    async with http.post(url, data=body, headers=sl.signed_headers(
                            SECRET, body, sl.JSON_CONTENT_TYPE)) as answer:
                        if answer.status == 200:
                            acked.append(ts)
                        else:
                            refused += 1
                except aiohttp.ClientError:
                    refused += 1  # not acknowledged: Slack would deliver it again

            async def stream() -> None:
                for n in range(400):
                    asyncio.get_running_loop().create_task(deliver(n))
                    await asyncio.sleep(0.005)

            streaming = asyncio.create_task(stream())
            await wait_until(lambda: len(acked) >= 20, 30, "the first acknowledgements")
            assert replica.process is not None
            stopped_at = time.monotonic()
            replica.process.terminate()
            code = await asyncio.wait_for(replica.process.wait(), 15)
            took = time.monotonic() - stopped_at
            await streaming
            await asyncio.sleep(0.5)  # the last requests fail fast against a closed port
        finally:
            if replica.alive:
                replica.kill()
            await replica.stop()
    assert code == 0, replica.log()[-3000:]
    assert took < 10, f"stopping took {took:.1f} s"
    assert refused > 0, "the stream must still have been running at SIGTERM"
    db = Database(make_engine(f"sqlite+aiosqlite:///{database}"))
    try:
        async with db.read() as conn:
            stored = {row[0] for row in await conn.execute(select(MESSAGES.c.message_id))}
    finally:
        await db.dispose()
    assert set(acked) <= stored, f"{len(set(acked) - stored)} acknowledged events were lost"
