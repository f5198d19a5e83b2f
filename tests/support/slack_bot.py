"""The real bot, Slack adapter included, serving on loopback against a FakeSlack.

    async with running_bot(storage) as bot:
        ts, response = await bot.say("#wp3 we should share rooms")
        assert response.status == 200          # acked once stored
        await bot.fake.wait_for_call("reactions.add")

Requests are signed with `slack_signing.sign` exactly as Slack signs them.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.adapters.slack import SlackAdapter
from bot.app import COMMAND_NAMES, build_router, build_services
from bot.ports import SystemClock
from bot.settings import Settings
from bot.storage import Storage
from bot.workplan import WorkPlan
from tests.conftest import SHIPPED_PLAN, make_settings
from tests.support import slack_signing as sl
from tests.support.fake_slack import FakeSlack

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
CHANNEL = "C0GENERAL"
OTHER_CHANNEL = "C0RANDOM1"
BOT_USER_ID, BOT_ID = sl.BOT_USER_ID, sl.BOT_ID
ALICE, BOB, CAROL = "U0ALICE01", "U0BOB0001", "U0CAROL01"  # carol is staff


@dataclass(frozen=True)
class Answer:
    status: int
    text: str
    seconds: float


@dataclass
class RunningBot:
    fake: FakeSlack
    storage: Storage
    adapter: SlackAdapter
    settings: Settings
    http: aiohttp.ClientSession
    url: str

    async def post(self, body: bytes, content_type: str, *, secret: str = SECRET,
                   timestamp: int | None = None, signed_body: bytes | None = None,
                   headers: dict[str, str] | None = None) -> Answer:
        """POST `body`, signed (over `signed_body` when given, to tamper)."""
        signature = sl.sign(secret, body if signed_body is None else signed_body, timestamp)
        started = time.perf_counter()
        async with self.http.post(self.url, data=body, headers={
                "Content-Type": content_type, **signature, **(headers or {})}) as response:
            text = await response.text()
        return Answer(response.status, text, time.perf_counter() - started)

    async def event(self, event: dict[str, Any], *, event_id: str | None = None,
                    retry: int | None = None, team_id: str = sl.TEAM_ID) -> Answer:
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"
                   } if retry else None
        body = sl.event_callback(event, team_id=team_id, event_id=event_id)
        return await self.post(body, sl.JSON_CONTENT_TYPE, headers=headers)

    async def say(self, text: str, *, user: str = ALICE, channel: str = CHANNEL,
                  thread_ts: str | None = None) -> tuple[dict[str, Any], Answer]:
        """A person posts in Slack: the message lands in Slack's history and is delivered."""
        extra = {"thread_ts": thread_ts} if thread_ts else {}
        posted = self.fake.add_message(channel, text, user=user, **extra)
        event = sl.message_event(text, user=user, channel=channel, ts=posted["ts"],
                                 thread_ts=thread_ts)
        return event, await self.event(event)

    async def command(self, command: str, text: str, *, user: str = ALICE,
                      channel: str = CHANNEL, hook: str | None = None,
                      team_id: str = sl.TEAM_ID) -> tuple[str, Answer]:
        """A slash command; returns its response_url hook id and the ack."""
        hook = hook or f"hook-{time.monotonic_ns()}"
        body = sl.slash_command(command, text, user, channel, team_id=team_id,
                                response_url=self.fake.response_url(hook))
        return hook, await self.post(body, sl.FORM_CONTENT_TYPE)

    async def interact(self, payload: dict[str, Any]) -> Answer:
        return await self.post(sl.interactivity(payload), sl.FORM_CONTENT_TYPE)

    async def response_json(self, hook: str) -> Any:
        post = await self.fake.wait_for_response_post(hook)
        return post.json if post.json is not None else json.loads(post.body)


def slack_settings(fake: FakeSlack, storage_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": storage_url, "workplan": SHIPPED_PLAN,
        "slack_bot_token": fake.bot_token, "slack_signing_secret": SECRET,
        "slack_api_url": fake.api_url, "http_host": "127.0.0.1", "http_port": 0,
        "slack_channels": (CHANNEL,), "staff": (CAROL,), **overrides}
    return make_settings(**values)


@asynccontextmanager
async def running_bot(storage: Storage, plan: WorkPlan, *, fake: FakeSlack | None = None,
                      **overrides: Any) -> AsyncIterator[RunningBot]:
    async with _fake(fake) as slack, aiohttp.ClientSession() as http:
        slack.add_channel(CHANNEL, "general", is_member=True)
        slack.add_user(ALICE, "alice", "Alice Martin")
        slack.add_user(CAROL, "carol", "Carol Staff")
        settings = slack_settings(
            slack, storage.db.engine.url.render_as_string(hide_password=False), **overrides)
        adapter = SlackAdapter(settings, storage, SystemClock(), plan, commands=COMMAND_NAMES)
        svc = build_services(settings, plan, storage, [adapter], SystemClock())
        router = build_router(svc)
        serving = asyncio.create_task(adapter.serve(router.handle), name="slack adapter")
        ready = asyncio.create_task(adapter.ready.wait())
        await asyncio.wait({serving, ready}, timeout=10, return_when=asyncio.FIRST_COMPLETED)
        if not ready.done():
            ready.cancel()
            if serving.done():
                serving.result()  # raises the adapter's startup error
            raise TimeoutError("the Slack adapter did not start")
        url = (f"http://127.0.0.1:{adapter.port}/slack/events" if adapter.port is not None
               else "")
        try:
            yield RunningBot(slack, storage, adapter, settings, http, url)
        finally:
            serving.cancel()
            await asyncio.gather(serving, return_exceptions=True)


@asynccontextmanager
async def _fake(given: FakeSlack | None) -> AsyncIterator[FakeSlack]:
    if given is not None:
        yield given
        return
    async with FakeSlack() as fake:
        yield fake
