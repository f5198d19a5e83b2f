"""`plenary run` with PLENARY_SLACK_BOT_TOKEN set serves Slack: a real process, real HTTP."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path

import aiohttp
import pytest

from tests.conftest import ROOT, SHIPPED_PLAN
from tests.support import slack_signing as sl
from tests.support.fake_slack import FakeSlack
from tests.support.slack_bot import CHANNEL, SECRET

pytestmark = pytest.mark.integration

LISTENING = re.compile(rb"Slack endpoint listening on (http://\S+)")


async def test_plenary_run_serves_the_slack_endpoint(tmp_path: Path) -> None:
    async with FakeSlack() as fake:
        fake.add_channel(CHANNEL, "general")
        env = {**os.environ, "PLENARY_SLACK_BOT_TOKEN": fake.bot_token,
               "PLENARY_SLACK_SIGNING_SECRET": SECRET, "PLENARY_SLACK_API_URL": fake.api_url,
               "PLENARY_HTTP_HOST": "127.0.0.1", "PLENARY_HTTP_PORT": "0",
               "PLENARY_SLACK_CHANNELS": CHANNEL, "PLENARY_WORKPLAN": str(SHIPPED_PLAN),
               "PLENARY_LOG_LEVEL": "INFO",
               "PLENARY_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'run.db'}"}
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=ROOT, env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
        logged: list[bytes] = []
        try:
            assert process.stderr is not None
            url = await asyncio.wait_for(_endpoint(process.stderr, logged), timeout=30)
            joined = await fake.wait_for_call("conversations.join")
            assert joined.args["channel"] == CHANNEL
            posted = fake.add_message(CHANNEL, "Started by plenary run #wp4")
            body = sl.event_callback(sl.message_event(posted["text"], ts=posted["ts"]))
            async with aiohttp.ClientSession() as http, http.post(
                    url, data=body, headers=sl.signed_headers(SECRET, body,
                                                              sl.JSON_CONTENT_TYPE)) as answer:
                assert answer.status == 200
            reaction = await fake.wait_for_call("reactions.add")
            assert reaction.args["timestamp"] == posted["ts"]
        finally:
            process.terminate()
            logged.append(await process.stderr.read() if process.stderr else b"")
            await process.wait()
        assert process.returncode == 0
        everything = b"".join(logged)
        assert b"signed in as" in everything
        for secret in (fake.bot_token, SECRET):  # secrets never reach the logs
            assert secret.encode() not in everything


async def _endpoint(stderr: asyncio.StreamReader, logged: list[bytes]) -> str:
    while line := await stderr.readline():
        logged.append(line)
        found = LISTENING.search(line)
        if found:
            return found.group(1).decode()
    raise AssertionError("plenary run ended without serving Slack")
