"""Slack benchmark: signed Events API deliveries to the bot's real endpoint on loopback.

    python -m bench.bench_slack [--events 20000] [--in-flight 32] [--tagged 0.2]

Two servers run in their own processes on this machine in this run, fired at in alternating
rounds (so that other load on the machine weighs on both alike):

* bare: a slack-bolt `AsyncApp` with an empty listener (bolt's defaults), served by aiohttp;
* plenary: `python -m bot run` with the Slack adapter on a fresh SQLite database: every
  event translated, stored (group commit, fsync) and acknowledged only once durable; tagged
  messages also get their ✅ reaction through the Web API.

Both get the same pre-signed bodies (message events from 50 people, a fifth with a work-plan
hashtag), `--in-flight` requests at a time. A small local stand-in answers the Web API calls
(auth.test, users.info, conversations.*, reactions.add). Afterwards the database is counted:
every event must be stored exactly once, and every tagged one tagged.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import textwrap
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from aiohttp import web

from bench.common import percentile, ratio
from tests.support.ports import free_port
from tests.support.slack_signing import event_callback, message_event, sign

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-signing-secret-0123456789ab"
TOKEN = "xoxb-bench-token"
CHANNEL = "C0BENCH01"
TEAM = "T0TEAM001"
TARGET_RATIO, TARGET_P99_MS = 0.8, 25.0

BARE_APP = textwrap.dedent("""
    import re, sys
    from aiohttp import web
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    client = AsyncWebClient(token=sys.argv[3], base_url=sys.argv[4])
    app = AsyncApp(client=client, signing_secret=sys.argv[2])

    @app.event(re.compile(".*"))
    async def empty_listener():
        pass

    web.run_app(app.web_app(path="/slack/events"), host="127.0.0.1", port=int(sys.argv[1]),
                print=None, access_log=None)
""")


@dataclass
class Run:
    name: str
    seconds: float
    latencies: list[float]
    statuses: Counter[int]
    server_cpu: float = 0.0  # seconds of CPU the server process used during the run

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, p: float) -> float:
        return percentile(self.latencies, p)

    def add(self, other: Run) -> None:
        self.seconds += other.seconds
        self.latencies += other.latencies
        self.statuses += other.statuses
        self.server_cpu += other.server_cpu

    def line(self) -> str:
        return (f"{self.name:8} {len(self.latencies):6d} events in {self.seconds:6.2f} s = "
                f"{self.rate:7.0f} events/s · ack p50 {self.percentile(50):5.1f} ms · "
                f"p99 {self.percentile(99):5.1f} ms · mean "
                f"{statistics.fmean(self.latencies) * 1000:5.1f} ms · server CPU "
                f"{self.server_cpu / self.seconds:4.0%} "
                f"({self.server_cpu / len(self.latencies) * 1e6:.0f} µs/event) · "
                f"HTTP {dict(self.statuses)}")


class WebApiStandIn:
    """Just enough of Slack's Web API for both servers, counting calls."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._answer)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/api/"

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _answer(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        self.calls[method] += 1
        await request.read()
        query = request.query
        answers: dict[str, dict[str, object]] = {
            "auth.test": {"ok": True, "url": "https://bench.slack.com/", "team": "Bench",
                          "user": "plenary", "team_id": TEAM, "user_id": "U0BOT0001",
                          "bot_id": "B0BOT0001", "is_enterprise_install": False},
            "users.info": {"ok": True, "user": {"id": query.get("user"), "name": "person",
                                                "real_name": "A Person", "profile": {}}},
            "conversations.info": {"ok": True, "channel": {
                "id": CHANNEL, "name": "bench", "is_private": False, "is_member": True}},
            "conversations.join": {"ok": True, "channel": {"id": CHANNEL}},
            "reactions.add": {"ok": True},
        }
        return web.json_response(answers.get(method, {"ok": False, "error": "unknown_method"}))


def build_bodies(count: int, tagged_share: float, first: int) -> list[bytes]:
    every = max(1, round(1 / tagged_share)) if tagged_share else 0
    bodies = []
    start = int(time.time()) - 60
    for n in range(first, first + count):
        tag = f" #wp{n % 8 + 1}" if every and n % every == 0 else ""
        text = f"Contribution {n} about the consultation's working methods{tag}"
        ts = f"{start + n // 1_000_000}.{n % 1_000_000:06d}"
        event = message_event(text, user=f"U0P{n % 50:06d}", channel=CHANNEL, ts=ts, team=TEAM)
        bodies.append(event_callback(event, team_id=TEAM, event_id=f"Ev{n:09d}"))
    return bodies


async def fire(url: str, bodies: list[bytes], in_flight: int, name: str) -> Run:
    signed = [(body, {"Content-Type": "application/json", **sign(SECRET, body)})
              for body in bodies]
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    position = 0
    connector = aiohttp.TCPConnector(limit=in_flight)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def worker() -> None:
            nonlocal position
            while position < len(signed):
                body, headers = signed[position]
                position += 1
                started = time.perf_counter()
                async with http.post(url, data=body, headers=headers) as response:
                    await response.read()
                latencies.append(time.perf_counter() - started)
                statuses[response.status] += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(in_flight)))
        seconds = time.perf_counter() - started
    return Run(name, seconds, latencies, statuses)


async def wait_until_serving(port: int, process: asyncio.subprocess.Process, log: Path) -> None:
    deadline = time.monotonic() + 60
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            if process.returncode is not None:
                raise RuntimeError(f"server exited: {tail(log)}")
            try:
                async with http.post(f"http://127.0.0.1:{port}/slack/events", data=b"{}"):
                    return  # any answer (401: unsigned) means it is listening
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.1)
    raise TimeoutError(f"server did not start: {tail(log)}")


def tail(log: Path) -> str:
    return log.read_text(errors="replace")[-2000:]


class Server:
    """One server process, started once; fired at in rounds."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], port: int,
                 workdir: Path) -> None:
        self.name, self._command, self._env, self._port = name, command, env, port
        self._log = workdir / f"{name}.log"
        self._process: asyncio.subprocess.Process | None = None
        self.url = f"http://127.0.0.1:{port}/slack/events"
        self.total = Run(name, 0.0, [], Counter())

    async def start(self) -> None:
        with self._log.open("wb") as output:
            self._process = await asyncio.create_subprocess_exec(
                *self._command, env=self._env, cwd=ROOT, stdout=output,
                stderr=asyncio.subprocess.STDOUT)
        await wait_until_serving(self._port, self._process, self._log)

    async def fire(self, bodies: list[bytes], in_flight: int, *, counted: bool = True) -> None:
        assert self._process is not None
        cpu_before = process_cpu_seconds(self._process.pid)
        run = await fire(self.url, bodies, in_flight, self.name)
        run.server_cpu = process_cpu_seconds(self._process.pid) - cpu_before
        if counted:
            self.total.add(run)

    async def stop(self) -> None:
        if self._process is not None and self._process.returncode is None:
            self._process.terminate()
            await asyncio.wait_for(self._process.wait(), timeout=30)


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux `/proc`)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def count_stored(database: Path) -> tuple[int, int, int]:
    with sqlite3.connect(database) as conn:
        messages = conn.execute("SELECT count(*) FROM messages").fetchone()[0]
        distinct = conn.execute("SELECT count(DISTINCT message_id) FROM messages").fetchone()[0]
        tagged = conn.execute("SELECT count(DISTINCT message_id) FROM tags").fetchone()[0]
    return int(messages), int(distinct), int(tagged)


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--in-flight", type=int, default=32)
    parser.add_argument("--tagged", type=float, default=0.2)
    parser.add_argument("--warmup", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=4, help="alternating rounds per server")
    args = parser.parse_args()

    warmup = build_bodies(args.warmup, args.tagged, first=0)
    bodies = build_bodies(args.events, args.tagged, first=args.warmup)
    tagged = sum(1 for body in warmup + bodies if b"#wp" in body)
    api = WebApiStandIn()
    await api.start()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-slack-") as tmp:
            workdir = Path(tmp)
            port = free_port()
            bare = Server("bare", [sys.executable, "-c", BARE_APP, str(port), SECRET, TOKEN,
                                   api.url], dict(os.environ), port, workdir)
            port = free_port()
            database = workdir / "plenary.db"
            env = {**os.environ, "PLENARY_SLACK_BOT_TOKEN": TOKEN,
                   "PLENARY_SLACK_SIGNING_SECRET": SECRET, "PLENARY_SLACK_API_URL": api.url,
                   "PLENARY_HTTP_HOST": "127.0.0.1", "PLENARY_HTTP_PORT": str(port),
                   "PLENARY_SLACK_CHANNELS": CHANNEL, "PLENARY_LOG_LEVEL": "WARNING",
                   "PLENARY_DATABASE_URL": f"sqlite+aiosqlite:///{database}"}
            ours = Server("plenary", [sys.executable, "-m", "bot", "run"], env, port, workdir)
            try:
                for server in (bare, ours):
                    await server.start()
                    await server.fire(warmup, args.in_flight, counted=False)
                # Alternate rounds, so that other load on the machine weighs on both alike.
                size = -(-len(bodies) // args.rounds)
                for start in range(0, len(bodies), size):
                    for server in (bare, ours):
                        await server.fire(bodies[start:start + size], args.in_flight)
            finally:
                await bare.stop()
                await ours.stop()
            messages, distinct, tags = count_stored(database)
    finally:
        await api.close()

    bare_run, ours_run = bare.total, ours.total
    print(bare_run.line())
    print(ours_run.line())
    expected = args.warmup + args.events
    print(f"stored: {messages} messages ({distinct} distinct) of {expected} sent; "
          f"{tags} tagged of {tagged}; reactions.add calls: {api.calls['reactions.add']}; "
          f"users.info calls: {api.calls['users.info']}")
    print(f"plenary / bare: {ratio(ours_run.rate, bare_run.rate)} the rate "
          f"(target >= {TARGET_RATIO}x); p99 {ours_run.percentile(99):.1f} ms "
          f"(target < {TARGET_P99_MS:.0f} ms)")
    checks = {
        "rate": ours_run.rate >= TARGET_RATIO * bare_run.rate,
        "p99": ours_run.percentile(99) < TARGET_P99_MS,
        "stored once": messages == distinct == expected and tags == tagged,
        "all acked": set(ours_run.statuses) == {200},
    }
    print(json.dumps(checks))
    print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f} on {} CPUs".format(
        *os.getloadavg(), os.cpu_count()))
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
