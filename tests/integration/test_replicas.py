"""Three `plenary run` replicas on one PostgreSQL, a real Synapse and the Slack endpoint: the
Matrix sync leader is SIGKILLed mid-stream, and every event is counted afterwards."""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter
from collections.abc import AsyncIterator
from itertools import cycle
from pathlib import Path

import aiohttp
import nio
import pytest
from sqlalchemy import select

from bot.storage import Database, make_engine
from bot.storage.tables import MESSAGES
from tests.conftest import SHIPPED_PLAN
from tests.support import slack_signing as sl
from tests.support.fake_slack import FakeSlack
from tests.support.matrix_bot import create_room, join, say, timeline
from tests.support.matrix_fixtures import Login, MakeUser, wait_until
from tests.support.replicas import Replica, leaders
from tests.support.scratch_database import scratch_database
from tests.support.slack_bot import CHANNEL, SECRET
from tests.support.synapse import SynapseServer

pytestmark = pytest.mark.integration

POSTGRES_URL = os.environ.get("PLENARY_TEST_DATABASE_URL")
TAKEOVER_LIMIT = 30.0  # seconds, the bound
MATRIX_MESSAGES = 24
SLACK_MESSAGES = 45


@pytest.fixture
async def database() -> AsyncIterator[str]:
    if POSTGRES_URL is None:
        pytest.skip("PLENARY_TEST_DATABASE_URL is not set")
    async with scratch_database(POSTGRES_URL, "plenary_replicas") as url:
        yield url.render_as_string(hide_password=False)


class SlackSender:
    """Plays Slack: each event to a live replica in turn (a load balancer), redelivered to the
    next one when the first fails (Slack retries), and some redelivered anyway."""

    def __init__(self, http: aiohttp.ClientSession, replicas: list[Replica]) -> None:
        self._http = http
        self._replicas = replicas
        self._turn = cycle(range(len(replicas)))
        self.acked = 0

    async def deliver(self, body: bytes, *, again: bool = False) -> None:
        attempts = 0
        delivered = 0
        while delivered < (2 if again else 1):
            attempts += 1
            assert attempts < 20, "no replica acknowledged the event"
            replica = self._replicas[next(self._turn)]
            if not replica.alive or replica.slack_url is None:
                continue
            headers = sl.signed_headers(SECRET, body, sl.JSON_CONTENT_TYPE)
            if attempts > 1:
                headers["X-Slack-Retry-Num"] = str(attempts - 1)
            try:
                async with self._http.post(replica.slack_url, data=body,
                                           headers=headers) as answer:
                    if answer.status == 200:
                        delivered += 1
                        self.acked += 1
            except aiohttp.ClientError:
                continue  # the replica died under the request: Slack delivers it again


async def _stored_ids(url: str, conversation: str) -> list[str]:
    db = Database(make_engine(url))
    try:
        async with db.read() as conn:
            rows = await conn.execute(select(MESSAGES.c.message_id).where(
                MESSAGES.c.conversation_id == conversation))
            return [row[0] for row in rows]
    finally:
        await db.dispose()


def _answers_to(events: list[dict[str, object]], bot: str, event_id: str) -> int:
    count = 0
    for event in events:
        content = event.get("content")
        if event.get("sender") != bot or not isinstance(content, dict):
            continue
        relation = content.get("m.relates_to")
        reply = relation.get("m.in_reply_to") if isinstance(relation, dict) else None
        if isinstance(reply, dict) and reply.get("event_id") == event_id:
            count += 1
    return count


async def test_the_matrix_leader_is_killed_and_nothing_is_lost_or_doubled(
        database: str, synapse: SynapseServer, make_user: MakeUser, login: Login,
        tmp_path: Path) -> None:
    bot_user, carol_user, alice_user = make_user("bot"), make_user("carol"), make_user("alice")
    carol = await login(synapse, carol_user.user_id, carol_user.password)
    alice = await login(synapse, alice_user.user_id, alice_user.password)
    room_id = await create_room(carol, bot_user.user_id, alice_user.user_id)
    await join(alice, room_id)
    async with FakeSlack() as fake, aiohttp.ClientSession() as http:
        fake.add_channel(CHANNEL, "general")
        env = {"PLENARY_DATABASE_URL": database, "PLENARY_WORKPLAN": str(SHIPPED_PLAN),
               "PLENARY_LOG_LEVEL": "INFO", "PLENARY_LEADER_POLL_SECONDS": "0.5",
               "PLENARY_SLACK_BOT_TOKEN": fake.bot_token, "PLENARY_SLACK_SIGNING_SECRET": SECRET,
               "PLENARY_SLACK_API_URL": fake.api_url, "PLENARY_SLACK_CHANNELS": CHANNEL,
               "PLENARY_MATRIX_HOMESERVER": synapse.url,
               "PLENARY_MATRIX_USER_ID": bot_user.user_id,
               "PLENARY_MATRIX_PASSWORD": bot_user.password, "PLENARY_MATRIX_ROOMS": room_id,
               "PLENARY_STAFF": carol_user.user_id,
               # One key store for the one device, as a shared volume would give replicas.
               "PLENARY_MATRIX_STORE_PATH": str(tmp_path / "matrix-store")}
        replicas = [Replica(f"replica-{n}", env) for n in range(3)]
        # The first one logs in and stores the bot's device before the others reuse it.
        await replicas[0].start()
        await replicas[0].wait_ready(http)
        for replica in replicas[1:]:
            await replica.start()
        try:
            for replica in replicas[1:]:
                await replica.wait_ready(http)
            await wait_until(lambda: _one_leader(replicas, http), 30, "one Matrix sync leader")
            leader = (await leaders(replicas, http))[0]
            sender = SlackSender(http, replicas)

            # Before the kill: a command answered once, then a stream on both platforms.
            first_command = await say(alice, room_id, "!milestones")
            await wait_until(lambda: _answered(alice, bot_user.user_id, room_id, first_command),
                             30, "the first command's answer")
            matrix_ids: list[str] = []
            slack_ts: list[str] = []

            async def matrix_stream() -> None:
                for n in range(MATRIX_MESSAGES):
                    matrix_ids.append(await say(alice, room_id, f"matrix input {n} #wp3"))
                    await asyncio.sleep(0.15)

            async def slack_stream() -> None:
                for n in range(SLACK_MESSAGES):
                    ts = f"{1_700_000_000 + n}.000100"
                    slack_ts.append(ts)
                    body = sl.event_callback(sl.message_event(f"slack input {n} #wp5", ts=ts))
                    await sender.deliver(body, again=n % 5 == 0)
                    await asyncio.sleep(0.05)

            async def kill_the_leader() -> float:
                await wait_until(lambda: len(matrix_ids) >= MATRIX_MESSAGES // 3, 30,
                                 "a third of the stream")
                leader.kill()
                return time.monotonic()

            killed_at, *_ = await asyncio.gather(kill_the_leader(), matrix_stream(),
                                                 slack_stream())
            survivors = [r for r in replicas if r is not leader]
            await wait_until(lambda: _one_leader(survivors, http), TAKEOVER_LIMIT + 5,
                             "a new Matrix sync leader")
            took_over = time.monotonic() - killed_at
            assert took_over < TAKEOVER_LIMIT, f"takeover took {took_over:.1f} s"
            print(f"takeover after SIGKILL: {took_over:.1f} s")  # shown with `pytest -s`

            # A Slack command delivered to two replicas, and a Matrix command after the kill.
            command_ts = "1700009999.000100"
            await sender.deliver(sl.event_callback(sl.message_event("!milestones",
                                                                    ts=command_ts)), again=True)
            second_command = await say(alice, room_id, "!milestones")

            async def all_stored() -> bool:
                return (set(matrix_ids) <= set(await _stored_ids(database, room_id))
                        and set(slack_ts) <= set(await _stored_ids(database, CHANNEL)))
            await wait_until(all_stored, 60, "every event stored")
            await wait_until(lambda: _answered(alice, bot_user.user_id, room_id,
                                               second_command), 30, "the second answer")
            await wait_until(lambda: _slack_answers(fake, command_ts) >= 1, 30,
                             "the Slack command's answer")
            await asyncio.sleep(3)  # time for a doubled answer or write to show up

            stored_matrix = Counter(await _stored_ids(database, room_id))
            assert set(matrix_ids) <= set(stored_matrix), "a Matrix event was skipped"
            assert max(stored_matrix.values()) == 1
            stored_slack = Counter(await _stored_ids(database, CHANNEL))
            assert set(slack_ts) <= set(stored_slack), "a Slack event was lost"
            assert max(stored_slack.values()) == 1
            events = await timeline(alice, room_id)
            assert _answers_to(events, bot_user.user_id, first_command) == 1
            assert _answers_to(events, bot_user.user_id, second_command) == 1
            assert _slack_answers(fake, command_ts) == 1
            counted = "".join([await survivor.metrics(http) for survivor in survivors])
            assert _metric(counted, 'plenary_events_deduplicated_total{platform="slack"}') > 0

            # SIGTERM hands the lead over at once (no waiting for a dead session) and exits 0.
            new_leader = (await leaders(survivors, http))[0]
            last = next(r for r in survivors if r is not new_leader)
            stopping = time.monotonic()
            assert await new_leader.stop() == 0, new_leader.log()[-3000:]
            assert time.monotonic() - stopping < 10
            await wait_until(lambda: _one_leader([last], http), 10, "the lead handed over")
            assert "handed over matrix-sync" in new_leader.log()
            assert await last.stop() == 0, last.log()[-3000:]
        finally:
            for replica in replicas:
                if replica.alive:
                    replica.kill()
                    await replica.stop()


async def _one_leader(replicas: list[Replica], http: aiohttp.ClientSession) -> bool:
    return len(await leaders(replicas, http)) == 1


async def _answered(client: nio.AsyncClient, bot: str, room_id: str, event_id: str) -> bool:
    return _answers_to(await timeline(client, room_id), bot, event_id) >= 1


def _metric(text: str, name: str) -> float:
    """The sum of a metric's samples across replicas' /metrics texts."""
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith(name))


def _slack_answers(fake: FakeSlack, ts: str) -> int:
    return sum(1 for call in fake.calls("chat.postMessage")
               if call.args.get("thread_ts") == ts)
