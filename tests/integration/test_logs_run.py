"""The whole bot at DEBUG (`plenary run`: Slack over HTTP, Matrix on Synapse, PostgreSQL) logs
no token, signing secret or password, in text and JSON; JSON lines carry each event's context."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import sys
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import pytest
from sqlalchemy.engine import URL

from bot.messages import MessageRef
from bot.storage import Database, Storage, make_engine
from tests.conftest import ROOT, SHIPPED_PLAN
from tests.integration.conftest import POSTGRES_URL
from tests.support import slack_signing as sl
from tests.support.bot_environment import bot_environment
from tests.support.fake_slack import FakeSlack
from tests.support.matrix_bot import create_room, say, wait_notice
from tests.support.matrix_fixtures import Login, MakeUser, wait_until
from tests.support.scratch_database import scratch_database
from tests.support.slack_bot import CHANNEL, SECRET
from tests.support.synapse import SynapseServer

pytestmark = pytest.mark.integration

LISTENING = re.compile(r"Slack endpoint listening on (http://[^\s\"]+)")
DB_PASSWORD = "Db-Pass-not-for-logs-7731"  # trust auth on the test server: sent, never checked
SMTP_PASSWORD = "smtp-pass-not-for-logs-4410"


@dataclass
class Running:
    process: asyncio.subprocess.Process
    lines: list[str]
    endpoint: asyncio.Future[str]

    async def read(self) -> None:
        assert self.process.stderr is not None
        while raw := await self.process.stderr.readline():
            line = raw.decode(errors="replace").rstrip("\n")
            self.lines.append(line)
            found = LISTENING.search(line)
            if found and not self.endpoint.done():
                self.endpoint.set_result(found.group(1))


@pytest.fixture
async def database() -> AsyncIterator[URL]:
    if not POSTGRES_URL:
        pytest.skip("PLENARY_TEST_DATABASE_URL is not set")
    async with scratch_database(POSTGRES_URL, "plenary_logs") as url:
        yield url.set(password=DB_PASSWORD)


@pytest.mark.parametrize("log_format", ["text", "json"])
async def test_a_debug_run_logs_no_secret(log_format: str, database: URL,
                                          synapse: SynapseServer, make_user: MakeUser,
                                          login: Login) -> None:
    bot_user, alice_user = make_user("bot"), make_user("alice")
    alice = await login(synapse, alice_user.user_id, alice_user.password)
    room_id = await create_room(alice, bot_user.user_id)
    database_url = database.render_as_string(hide_password=False)
    storage_db = Database(make_engine(database_url))
    storage = Storage(storage_db)
    async with FakeSlack() as fake:
        fake.add_channel(CHANNEL, "general")
        env = bot_environment(**{"PLENARY_LOG_LEVEL": "DEBUG", "PLENARY_LOG_FORMAT": log_format,
               "PLENARY_DATABASE_URL": database_url, "PLENARY_WORKPLAN": str(SHIPPED_PLAN),
               "PLENARY_SLACK_BOT_TOKEN": fake.bot_token, "PLENARY_SLACK_SIGNING_SECRET": SECRET,
               "PLENARY_SLACK_API_URL": fake.api_url, "PLENARY_SLACK_CHANNELS": CHANNEL,
               "PLENARY_HTTP_HOST": "127.0.0.1", "PLENARY_HTTP_PORT": "0",
               "PLENARY_MATRIX_HOMESERVER": synapse.url,
               "PLENARY_MATRIX_USER_ID": bot_user.user_id,
               "PLENARY_MATRIX_PASSWORD": bot_user.password, "PLENARY_MATRIX_ROOMS": room_id,
               "PLENARY_SMTP_PASSWORD": SMTP_PASSWORD, "PLENARY_SMTP_USER": "plenary",
               "PLENARY_MATRIX_STORE_PATH": tempfile.mkdtemp(prefix="plenary-store-")})
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=ROOT, env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
        running = Running(process, [], asyncio.get_running_loop().create_future())
        reader = asyncio.create_task(running.read())
        try:
            url = await asyncio.wait_for(asyncio.shield(running.endpoint), 60)
            slack_ids = await _slack_traffic(fake, url)
            key = f"matrix:{bot_user.user_id}:next_batch"
            await wait_until(lambda: _has_state(storage, key), 30, "the bot's first sync")
            said = await say(alice, room_id, "Matrix input for the logs #wp3")
            command = await say(alice, room_id, "!milestones")
            # The command's own answer: with the consent notice on, the first notice in the
            # room may be the line saying a private message was sent.
            await wait_notice(alice, room_id, bot_user.user_id, "milestones", 30)
            await wait_until(lambda: _tagged(storage, room_id, said), 15, "the #wp3 tag")
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), 30)
            await reader
            await storage.close()
            await storage_db.dispose()
    lines = running.lines
    assert any("DEBUG" in line for line in lines)  # it did run at DEBUG
    everything = "\n".join(lines)
    for secret in (fake.bot_token, SECRET, DB_PASSWORD, bot_user.password, SMTP_PASSWORD):
        assert secret not in everything, f"a secret reached the {log_format} logs"
    # The access token the bot was given at login, and any other Synapse or Slack token.
    for shape in (r"\bsyt_", r"\bxox[a-z]-", r"\bxapp-"):
        assert re.search(shape, everything) is None, shape
    if log_format == "json":
        entries = [json.loads(line) for line in lines]  # every line is one JSON object
        assert all({"timestamp", "level", "logger", "message"} <= set(e) for e in entries)
        for event_id in slack_ids:
            assert _context_of(entries, event_id) == ("slack", CHANNEL)
        assert _context_of(entries, command) == ("matrix", room_id)
        for entry in entries:  # whatever was logged about a message says where it was
            if "message_id" in entry:
                assert {"platform", "room"} <= set(entry), entry


async def _slack_traffic(fake: FakeSlack, url: str) -> list[str]:
    """A tagged message, a command and its redelivery; returns the deliveries' event ids.

    The command is a secret pasted by mistake (`!lang` + the signing secret): the answer
    echoes the word, and slack_sdk's DEBUG line shows the answer's body, so the secret does
    reach a log record and only the redacting filter keeps it out of the output."""
    await fake.wait_for_call("conversations.join")
    tagged = fake.add_message(CHANNEL, "Slack input for the logs #wp4")
    command = fake.add_message(CHANNEL, f"!lang {SECRET}")
    bodies = [sl.event_callback(sl.message_event(m["text"], ts=m["ts"]))
              for m in (tagged, command)]
    event_ids = []
    async with aiohttp.ClientSession() as http:
        for body in [*bodies, bodies[1]]:
            headers = sl.signed_headers(SECRET, body, sl.JSON_CONTENT_TYPE)
            async with http.post(url, data=body, headers=headers) as answer:
                assert answer.status == 200
            event_ids.append(json.loads(body)["event_id"])
    await fake.wait_for_call("reactions.add")
    answer = await fake.wait_for_call("chat.postMessage")
    assert SECRET in answer.args["text"]  # echoed: the record below held it
    return event_ids[:2]


def _context_of(entries: list[dict[str, str]], event_id: str) -> tuple[str, str]:
    """Platform and room of the router's line for the event `event_id` (the delivery's id,
    or for a Matrix sync batch, whose events the router gets together, the message's)."""
    handled = [e for e in entries if event_id in (e.get("event_id"), e.get("message_id"))
               and e["message"].startswith("handling ")]
    assert handled, f"no line about handling {event_id}"
    return handled[0]["platform"], handled[0]["room"]


async def _has_state(storage: Storage, key: str) -> bool:
    return bool(await storage.get_state(key))


async def _tagged(storage: Storage, room_id: str, event_id: str) -> bool:
    return (await storage.tags_of(MessageRef("matrix", room_id, event_id))).issues == (3,)
