"""Soak: two `plenary run` replicas on one PostgreSQL for minutes at a steady mixed load.

    python -m bench.bench_soak [--minutes 10] [--rate 200] [--matrix-share 0.2]

Needs PostgreSQL (PLENARY_TEST_DATABASE_URL names the server; a fresh database is made and
dropped) and Synapse (scripts/install-synapse). Per second, `--rate` events: most are Slack
message deliveries, signed, sent to the replicas in turn (a load balancer), one in ten
delivered twice to different replicas (Slack's retries); `--matrix-share` of them are Matrix
messages sent by a member through the real Synapse. A fifth carry a work-plan hashtag and one
in a hundred is a command (`!milestones`). RSS of each replica is read every 15 s.

Afterwards the database is counted: every event stored exactly once, every command answered
once. Beside it, in the same run, the raw layer beneath: a bare aiohttp server that answers
200 at once, fired at the same rate for 30 s, for the ack latency plenary adds.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from itertools import cycle
from pathlib import Path

import aiohttp
import nio
from aiohttp import web
from sqlalchemy import func, select

from bench.common import percentile
from bot.storage import Database, make_engine
from bot.storage.tables import MESSAGES
from tests.support import slack_signing as sl
from tests.support.fake_slack import FakeSlack
from tests.support.replicas import Replica
from tests.support.scratch_database import scratch_database
from tests.support.synapse import SynapseServer, synapse_python, unique_localpart

ROOT = Path(__file__).resolve().parent.parent
SECRET = "soak-signing-secret-0123456789abcdef"
CHANNEL = "C0SOAK001"
RSS_EVERY = 15.0


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Load:
    def __init__(self, http: aiohttp.ClientSession, urls: list[str]) -> None:
        self.http = http
        self._urls = cycle(urls)
        self.latencies: list[float] = []
        self.failed = 0
        self.statuses: Counter[int] = Counter()
        self._running: set[asyncio.Task[None]] = set()

    def fire(self, body: bytes, times: int = 1) -> None:
        task = asyncio.get_running_loop().create_task(self._deliver(body, times))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _deliver(self, body: bytes, times: int) -> None:
        for _ in range(times):
            for _attempt in range(5):
                url = next(self._urls)
                started = time.perf_counter()
                try:
                    async with self.http.post(url, data=body, headers=sl.signed_headers(
                            SECRET, body, sl.JSON_CONTENT_TYPE)) as answer:
                        await answer.read()
                        self.statuses[answer.status] += 1
                        if answer.status == 200:
                            self.latencies.append(time.perf_counter() - started)
                            break
                except aiohttp.ClientError:
                    pass
                self.failed += 1  # retried, as Slack would

    async def settle(self) -> None:
        while self._running:
            await asyncio.gather(*list(self._running))


async def bare_server() -> tuple[web.AppRunner, str]:
    async def ok(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(text="")

    app = web.Application()
    app.router.add_post("/slack/events", ok)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"


async def paced(seconds: float, rate: float, step: object) -> int:
    """Call `step(n)` `rate` times a second for `seconds`; returns how many."""
    loop = asyncio.get_running_loop()
    start, n = loop.time(), 0
    while (now := loop.time()) - start < seconds:
        due = int((now - start) * rate)
        while n < due:
            step(n)  # type: ignore[operator]
            n += 1
        await asyncio.sleep(0.005)
    return n


async def soak(minutes: float, rate: float, matrix_share: float) -> int:
    server_url = os.environ.get("PLENARY_TEST_DATABASE_URL")
    python = synapse_python()
    if not server_url or python is None:
        print("needs PLENARY_TEST_DATABASE_URL (a PostgreSQL server) and Synapse "
              "(scripts/install-synapse)", file=sys.stderr)
        return 2
    async with scratch_database(server_url, "plenary_soak") as scratch:
        return await _soak(scratch.render_as_string(hide_password=False), python, minutes, rate,
                           matrix_share)


async def _soak(url: str, python: str, minutes: float, rate: float, matrix_share: float) -> int:
    synapse = SynapseServer(Path(tempfile.mkdtemp(prefix="soak-synapse-")), python=python)
    synapse.start()
    replicas: list[Replica] = []
    try:
        bot_password, member_password = "soak-bot-pass", "soak-member-pass"
        bot_id = synapse.register(unique_localpart("soakbot"), bot_password)
        member_id = synapse.register(unique_localpart("member"), member_password)
        member = nio.AsyncClient(synapse.url, member_id)
        await member.login(member_password)
        created = await member.room_create(name="soak", invite=[bot_id])
        assert isinstance(created, nio.RoomCreateResponse), created
        room_id = created.room_id
        async with FakeSlack() as fake, aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=256)) as http:
            fake.add_channel(CHANNEL, "soak")
            env = {"PLENARY_DATABASE_URL": url, "PLENARY_LOG_LEVEL": "INFO",
                   "PLENARY_SLACK_BOT_TOKEN": fake.bot_token,
                   "PLENARY_SLACK_SIGNING_SECRET": SECRET, "PLENARY_SLACK_API_URL": fake.api_url,
                   "PLENARY_SLACK_CHANNELS": CHANNEL, "PLENARY_MATRIX_HOMESERVER": synapse.url,
                   "PLENARY_MATRIX_USER_ID": bot_id, "PLENARY_MATRIX_PASSWORD": bot_password,
                   "PLENARY_MATRIX_ROOMS": room_id, "PLENARY_TAG_ACK": "none",
                   "PLENARY_MATRIX_STORE_PATH": tempfile.mkdtemp(prefix="soak-store-")}
            replicas = [Replica(f"replica-{n}", env) for n in range(2)]
            await replicas[0].start()
            await replicas[0].wait_ready(http)
            await replicas[1].start()
            await replicas[1].wait_ready(http)
            urls = [r.slack_url for r in replicas if r.slack_url]
            load = Load(http, urls)
            matrix_sent: list[str] = []
            matrix_latency_starts: dict[str, float] = {}
            slack_ts: list[str] = []
            slack_commands: list[str] = []
            matrix_commands: list[str] = []
            rss: dict[str, list[float]] = {r.name: [] for r in replicas}
            sending: set[asyncio.Task[None]] = set()

            async def matrix_send(m: int) -> None:
                text = f"soak matrix {m}" + (" #wp3" if m % 5 == 0 else "")
                if m % 100 == 99:
                    text = "!milestones"
                answer = await member.room_send(room_id, "m.room.message",
                                                {"msgtype": "m.text", "body": text})
                if isinstance(answer, nio.RoomSendResponse):
                    (matrix_commands if text.startswith("!") else matrix_sent).append(
                        answer.event_id)
                    matrix_latency_starts[answer.event_id] = time.perf_counter()

            def step(n: int) -> None:
                every = round(1 / matrix_share) if matrix_share else 0
                if every and n % every == 0:
                    task = asyncio.get_running_loop().create_task(matrix_send(n // every))
                    sending.add(task)
                    task.add_done_callback(sending.discard)
                    return
                ts = f"{1_600_000_000 + n // 1000}.{n % 1000:06d}"
                text = "!milestones" if n % 100 == 1 else (
                    f"soak slack {n}" + (" #wp5" if n % 5 == 0 else ""))
                (slack_commands if text.startswith("!") else slack_ts).append(ts)
                load.fire(sl.event_callback(sl.message_event(text, ts=ts, channel=CHANNEL)),
                          times=2 if n % 10 == 3 else 1)

            async def sample_rss() -> None:
                while True:
                    for replica in replicas:
                        if replica.process is not None and replica.alive:
                            rss[replica.name].append(rss_mb(replica.process.pid))
                    await asyncio.sleep(RSS_EVERY)

            sampler = asyncio.create_task(sample_rss())
            started = time.perf_counter()
            fired = await paced(minutes * 60, rate, step)
            await load.settle()
            while sending:
                await asyncio.gather(*list(sending))
            elapsed = time.perf_counter() - started

            db = Database(make_engine(url))
            deadline = time.monotonic() + 120
            while True:
                async with db.read() as conn:
                    stored_matrix = (await conn.execute(
                        select(MESSAGES.c.message_id, func.count()).where(
                            MESSAGES.c.conversation_id == room_id).group_by(
                            MESSAGES.c.message_id))).all()
                if len(stored_matrix) >= len(matrix_sent) or time.monotonic() > deadline:
                    break
                await asyncio.sleep(1)
            caught_up = time.perf_counter() - started - elapsed
            async with db.read() as conn:
                stored_slack = (await conn.execute(
                    select(MESSAGES.c.message_id, func.count()).where(
                        MESSAGES.c.conversation_id == CHANNEL).group_by(
                        MESSAGES.c.message_id))).all()
            await db.dispose()
            sampler.cancel()
            await asyncio.sleep(3)
            answers = Counter(call.args.get("thread_ts") for call in fake.calls(
                "chat.postMessage"))
            slack_answered_twice = sum(1 for ts in slack_commands if answers[ts] > 1)
            slack_unanswered = sum(1 for ts in slack_commands if answers[ts] == 0)
            exits = [await r.stop() for r in replicas]

            bare, bare_url = await bare_server()
            raw = Load(http, [bare_url])
            await paced(30, rate, lambda n: raw.fire(sl.event_callback(sl.message_event(
                f"raw {n}", ts=f"1500000000.{n:06d}", channel=CHANNEL))))
            await raw.settle()
            await bare.cleanup()
        await member.close()

        stored_m = {row[0]: row[1] for row in stored_matrix}
        stored_s = {row[0]: row[1] for row in stored_slack}
        lost_m = sum(1 for e in matrix_sent if e not in stored_m)
        lost_s = sum(1 for ts in slack_ts if ts not in stored_s)
        doubled = sum(1 for c in [*stored_m.values(), *stored_s.values()] if c > 1)
        print(f"soak: {minutes:g} min, {fired} events fired ({fired / (minutes * 60):.0f}/s), "
              f"two replicas on PostgreSQL, Synapse and the Slack endpoint; all sent "
              f"{elapsed - minutes * 60:.1f} s after the pacing ended")
        print(f"  Slack: {len(load.latencies)} acknowledgements (redeliveries included), "
              f"ack p50 {percentile(load.latencies, 50):.1f} ms · p99 "
              f"{percentile(load.latencies, 99):.1f} ms · mean "
              f"{statistics.fmean(load.latencies) * 1000:.1f} ms · retried {load.failed} · "
              f"HTTP {dict(load.statuses)}")
        ours, bare_p50 = percentile(load.latencies, 50), percentile(raw.latencies, 50)
        print(f"  raw aiohttp 200 at the same rate (30 s): ack p50 {bare_p50:.1f} ms · p99 "
              f"{percentile(raw.latencies, 99):.1f} ms → plenary/raw p50 "
              f"×{ours / max(bare_p50, 1e-9):.1f}")
        print(f"  Matrix: {len(matrix_sent)} messages sent, all stored {caught_up:.1f} s after "
              f"the load stopped")
        print(f"  lost: Slack {lost_s}, Matrix {lost_m} · stored twice: {doubled} · Slack "
              f"commands {len(slack_commands)}: unanswered {slack_unanswered}, answered twice "
              f"{slack_answered_twice} · Matrix commands {len(matrix_commands)}")
        for replica_name, samples in rss.items():
            shown = " ".join(f"{s:.0f}" for s in samples)
            print(f"  RSS {replica_name} (MB every {RSS_EVERY:.0f} s): {shown}")
        print(f"  exit codes after SIGTERM: {exits}")
        return 0 if lost_m == lost_s == doubled == slack_answered_twice == 0 else 1
    finally:
        for replica in replicas:
            if replica.alive:
                replica.kill()
        synapse.stop()


def main() -> None:
    # The member's client says "Timed out, sleeping for 0s" for each retried send when
    # Synapse is the bottleneck; the figures below say what matters.
    logging.getLogger("nio").setLevel(logging.ERROR)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--rate", type=float, default=200, help="events per second")
    parser.add_argument("--matrix-share", type=float, default=0.2)
    args = parser.parse_args()
    sys.exit(asyncio.run(soak(args.minutes, args.rate, args.matrix_share)))


if __name__ == "__main__":
    main()
