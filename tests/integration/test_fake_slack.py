"""The Slack test harness, proven against the real slack_sdk and slack_bolt on loopback."""

from __future__ import annotations

import json
import random
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond, AsyncSay
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.web.async_client import AsyncWebClient

from tests.support import slack_signing as sl
from tests.support.fake_slack import FakeSlack, socket_envelope

pytestmark = pytest.mark.integration

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
CHANNEL = "C0GENERAL"
ALICE = "U0ALICE01"


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    # slack_sdk reads these itself and ignores NO_PROXY; loopback calls must not be proxied.
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


@pytest.fixture
def client(fake: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(token=fake.bot_token, base_url=fake.api_url)


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


# --- signing helper ---------------------------------------------------------------------------


def test_sign_matches_the_documented_example() -> None:
    # The worked example from Slack's "Verifying requests from Slack" page.
    body = (
        b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&"
        b"channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&"
        b"command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2F"
        b"commands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&"
        b"trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    headers = sl.sign(SECRET, body, timestamp=1531420618)
    assert headers == {
        "X-Slack-Signature": (
            "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
        ),
        "X-Slack-Request-Timestamp": "1531420618",
    }


# --- Web API through the real AsyncWebClient --------------------------------------------------


async def test_auth_test_post_message_and_history(fake: FakeSlack, client: AsyncWebClient) -> None:
    auth = await client.auth_test()
    assert (auth["user_id"], auth["bot_id"], auth["team_id"]) == (
        fake.bot_user_id,
        fake.bot_id,
        fake.team_id,
    )

    metadata = {"event_type": "digest_posted", "event_payload": {"issue": 3}}
    posted = await client.chat_postMessage(channel=CHANNEL, text="first", metadata=metadata)
    reply = await client.chat_postMessage(channel=CHANNEL, text="in thread", thread_ts=posted["ts"])
    assert posted["channel"] == CHANNEL and posted["message"]["text"] == "first"
    assert float(reply["ts"]) > float(posted["ts"])

    call = fake.calls("chat.postMessage")[0]
    assert call.token == fake.bot_token and call.headers["Authorization"].startswith("Bearer xoxb-")
    assert call.content_type == "application/json" and call.args["metadata"] == metadata

    history = await client.conversations_history(channel=CHANNEL)
    assert [m["text"] for m in history["messages"]] == ["first"]  # replies stay in the thread
    assert history["messages"][0]["reply_count"] == 1 and "metadata" not in history["messages"][0]
    with_meta = await client.conversations_history(channel=CHANNEL, include_all_metadata=True)
    assert with_meta["messages"][0]["metadata"] == metadata


async def test_other_methods_answer_like_slack(fake: FakeSlack, client: AsyncWebClient) -> None:
    fake.add_usergroup("S0STAFF01", [ALICE])
    posted = await client.chat_postMessage(channel=CHANNEL, text="x")
    link = await client.chat_getPermalink(channel=CHANNEL, message_ts=posted["ts"])
    assert link["permalink"].endswith(f"/archives/{CHANNEL}/p{posted['ts'].replace('.', '')}")
    updated = await client.chat_update(channel=CHANNEL, ts=posted["ts"], text="y")
    assert updated["message"]["text"] == "y"
    eph = await client.chat_postEphemeral(channel=CHANNEL, user=ALICE, text="psst")
    assert eph["message_ts"]
    joined = await client.conversations_join(channel=CHANNEL)
    assert joined["channel"]["is_member"] is True
    info = await client.conversations_info(channel=CHANNEL)
    assert info["channel"]["id"] == CHANNEL and info["channel"]["is_member"] is True
    dm = await client.conversations_open(users=ALICE)
    assert dm["channel"]["id"].startswith("D")
    user = await client.users_info(user=ALICE)
    assert user["user"]["id"] == ALICE and user["user"]["tz"]
    staff = await client.usergroups_users_list(usergroup="S0STAFF01")
    assert staff["users"] == [ALICE]
    view = {"type": "modal", "callback_id": "m", "title": {"type": "plain_text", "text": "T"}}
    opened = await client.views_open(trigger_id="123.456.abc", view=view)
    assert opened["view"]["id"].startswith("V") and opened["view"]["callback_id"] == "m"
    assert [c.method for c in fake.calls()][-1] == "views.open"
    assert fake.calls("chat.getPermalink")[0].http_verb == "GET"


async def test_auth_and_required_arguments_are_checked(fake: FakeSlack) -> None:
    async def error_of(client: AsyncWebClient, method: str, **kwargs: Any) -> str:
        with pytest.raises(SlackApiError) as info:
            await client.api_call(method, **kwargs)
        return str(info.value.response["error"])

    anonymous = AsyncWebClient(base_url=fake.api_url)
    wrong = AsyncWebClient(token="xoxb-wrong", base_url=fake.api_url)
    good = AsyncWebClient(token=fake.bot_token, base_url=fake.api_url)
    assert await error_of(anonymous, "auth.test") == "not_authed"
    assert await error_of(wrong, "auth.test") == "invalid_auth"
    assert await error_of(good, "chat.postMessage", json={"text": "hi"}) == "invalid_arguments"
    assert await error_of(good, "chat.postMessage", json={"channel": CHANNEL}) == "no_text"
    assert await error_of(good, "apps.connections.open") == "not_allowed_token_type"
    fake.error_next("users.info", "user_not_found")
    assert await error_of(good, "users.info", params={"user": ALICE}) == "user_not_found"
    assert [c.ok for c in fake.calls()] == [False] * 6


async def test_files_upload_v2_full_flow(fake: FakeSlack, client: AsyncWebClient) -> None:
    content = "# Digest\n\n* issue 3: 2 messages\n"
    result = await client.files_upload_v2(
        channel=CHANNEL,
        filename="digest.md",
        title="Weekly digest",
        content=content,
        initial_comment="This week",
    )
    file_id = result["file"]["id"]
    upload = fake.uploads[file_id]
    assert upload.data == content.encode() and upload.completed
    assert (upload.title, upload.channel_id, upload.initial_comment) == (
        "Weekly digest",
        CHANNEL,
        "This week",
    )
    assert [c.method for c in fake.calls()] == [
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    ]
    complete = fake.calls("files.completeUploadExternal")[0]
    assert json.loads(complete.args["files"]) == [{"id": file_id, "title": "Weekly digest"}]


async def test_429_is_an_error_without_a_retry_handler(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    fake.fail_next("chat.postMessage", status=429, retry_after=7)
    with pytest.raises(SlackApiError) as info:
        await client.chat_postMessage(channel=CHANNEL, text="hi")
    assert info.value.response.status_code == 429
    assert info.value.response.headers["Retry-After"] == "7"
    assert info.value.response["error"] == "ratelimited"


async def test_429_is_retried_after_retry_after_with_the_handler(
    fake: FakeSlack, client: AsyncWebClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The handler sleeps Retry-After + random.random(); pin the jitter so this takes 1.0 s.
    monkeypatch.setattr(random, "random", lambda: 0.0)
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=1))
    fake.fail_next("chat.postMessage", status=429, retry_after=1)
    started = time.monotonic()
    posted = await client.chat_postMessage(channel=CHANNEL, text="hi")
    assert posted["ok"] and time.monotonic() - started >= 1.0
    assert [c.status for c in fake.calls("chat.postMessage")] == [429, 200]


async def test_dropped_connection_and_delay(fake: FakeSlack, client: AsyncWebClient) -> None:
    # The default AsyncConnectionErrorRetryHandler retries once (after ~0.5-1.5 s: skip that).
    (default_handler,) = client.retry_handlers
    default_handler.interval_calculator = FixedValueRetryIntervalCalculator(0.0)
    fake.drop_next("auth.test")
    assert (await client.auth_test())["ok"]
    assert [c.response is None for c in fake.calls("auth.test")] == [True, False]

    fake.drop_next("auth.test", times=2)
    with pytest.raises(aiohttp.ClientError):
        await client.auth_test()

    fake.set_delay("users.info", 0.2)
    started = time.monotonic()
    await client.users_info(user=ALICE)
    assert time.monotonic() - started >= 0.2


# --- bolt AsyncApp over HTTP ------------------------------------------------------------------


def build_app(client: AsyncWebClient) -> AsyncApp:
    app = AsyncApp(client=client, signing_secret=SECRET)

    @app.event("app_mention")
    async def on_mention(event: dict[str, Any], say: AsyncSay) -> None:
        await say(text="noted", thread_ts=event["ts"])

    @app.command("/plenary")
    async def on_command(ack: AsyncAck, respond: AsyncRespond, command: dict[str, Any]) -> None:
        await ack()
        await respond(text=f"you said {command['text']}", response_type="in_channel")

    @app.shortcut("tag_message")
    async def on_shortcut(ack: AsyncAck, shortcut: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await client.views_open(
            trigger_id=shortcut["trigger_id"],
            view={
                "type": "modal",
                "callback_id": "tag_modal",
                "title": {"type": "plain_text", "text": "Tag"},
                "private_metadata": shortcut["message_ts"],
                "blocks": [],
            },
        )

    @app.view("tag_modal")
    async def on_submit(ack: AsyncAck) -> None:
        await ack(response_action="errors", errors={"issue_block": "No such issue"})

    return app


@pytest.fixture
async def bolt_url(client: AsyncWebClient) -> AsyncIterator[str]:
    server = TestServer(build_app(client).web_app(path="/slack/events"), host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("/slack/events"))
    finally:
        await server.close()


async def post(
    http: aiohttp.ClientSession, url: str, body: bytes, content_type: str, **sign: Any
) -> tuple[int, str]:
    headers = sl.signed_headers(SECRET, body, content_type, **sign)
    async with http.post(url, data=body, headers=headers) as resp:
        return resp.status, await resp.text()


def mention_body() -> tuple[bytes, str]:
    event = sl.message_event(f"<@{sl.BOT_USER_ID}> tag this", user=ALICE, channel=CHANNEL)
    event["type"] = "app_mention"
    return sl.event_callback(event), str(event["ts"])


async def test_bolt_accepts_a_signed_event(
    fake: FakeSlack, http: aiohttp.ClientSession, bolt_url: str
) -> None:
    body, ts = mention_body()
    assert await post(http, bolt_url, body, sl.JSON_CONTENT_TYPE) == (200, "")
    reply = await fake.wait_for_call("chat.postMessage")
    assert reply.args["thread_ts"] == ts and reply.args["channel"] == CHANNEL
    assert len(fake.calls("auth.test")) == 1  # bolt's lazy token check went to the fake


@pytest.mark.parametrize(
    ("secret", "age"), [("wrong-secret", 0), (SECRET, 6 * 60)], ids=["bad-signature", "stale"]
)
async def test_bolt_rejects_bad_signature_or_stale_timestamp(
    fake: FakeSlack, http: aiohttp.ClientSession, bolt_url: str, secret: str, age: int
) -> None:
    body, _ = mention_body()
    headers = sl.signed_headers(secret, body, sl.JSON_CONTENT_TYPE, int(time.time()) - age)
    async with http.post(bolt_url, data=body, headers=headers) as resp:
        assert resp.status == 401
    assert fake.calls() == []


async def test_bolt_url_verification(http: aiohttp.ClientSession, bolt_url: str) -> None:
    status, text = await post(http, bolt_url, sl.url_verification("c-123"), sl.JSON_CONTENT_TYPE)
    assert (status, json.loads(text)) == (200, {"challenge": "c-123"})


async def test_bolt_slash_command_responds_to_response_url(
    fake: FakeSlack, http: aiohttp.ClientSession, bolt_url: str
) -> None:
    hook = fake.response_url("cmd-1")
    body = sl.slash_command("/plenary", "hello", ALICE, CHANNEL, sl.TEAM_ID, hook, "1.2.3")
    assert await post(http, bolt_url, body, sl.FORM_CONTENT_TYPE) == (200, "")
    posted = await fake.wait_for_response_post("cmd-1")
    assert posted.json["text"] == "you said hello"
    assert posted.json["response_type"] == "in_channel"


async def test_bolt_shortcut_opens_a_view_and_submission_is_answered(
    fake: FakeSlack, http: aiohttp.ClientSession, bolt_url: str
) -> None:
    shortcut = sl.message_shortcut_payload("tag_message", message_ts="1718000000.000100")
    status, _ = await post(http, bolt_url, sl.interactivity(shortcut), sl.FORM_CONTENT_TYPE)
    assert status == 200
    opened = await fake.wait_for_call("views.open")
    assert opened.args["trigger_id"] == shortcut["trigger_id"] and opened.ok
    assert opened.args["view"]["private_metadata"] == "1718000000.000100"

    values = {"issue_block": {"issue_input": {"type": "plain_text_input", "value": "99"}}}
    submission = sl.view_submission_payload("tag_modal", values)
    status, text = await post(http, bolt_url, sl.interactivity(submission), sl.FORM_CONTENT_TYPE)
    assert status == 200
    assert json.loads(text) == {
        "response_action": "errors",
        "errors": {"issue_block": "No such issue"},
    }


# --- bolt over Socket Mode --------------------------------------------------------------------


async def test_socket_mode_handler_acks_pushed_envelopes(fake: FakeSlack) -> None:
    # Socket Mode needs no signing secret; apps.connections.open goes through app.client.
    app = AsyncApp(client=AsyncWebClient(token=fake.bot_token, base_url=fake.api_url))
    seen: list[dict[str, Any]] = []

    @app.event("app_mention")
    async def on_mention(event: dict[str, Any]) -> None:
        seen.append(event)

    @app.command("/plenary")
    async def on_command(ack: AsyncAck) -> None:
        await ack("working on it")

    handler = AsyncSocketModeHandler(app, app_token=fake.app_token)
    try:
        await handler.connect_async()  # type: ignore[no-untyped-call]
        opened = await fake.wait_for_call("apps.connections.open")
        assert opened.token == fake.app_token and opened.http_verb == "POST"

        event = sl.message_event("hi <@U0BOT0001>", user=ALICE, channel=CHANNEL, type="app_mention")
        env_id = await fake.socket_push(
            socket_envelope("events_api", sl.event_callback_payload(event))
        )
        ack = await fake.wait_for_ack(env_id)
        assert ack.raw == {"envelope_id": env_id}
        assert [e["ts"] for e in seen] == [event["ts"]]

        command = sl.slash_command_payload("/plenary", "x", ALICE, CHANNEL)
        env_id = await fake.socket_push(socket_envelope("slash_commands", command))
        assert (await fake.wait_for_ack(env_id)).payload == {"text": "working on it"}

        await fake.socket_disconnect("refresh_requested")  # the client must reconnect
        await fake.wait_for_socket(connections=2)
        assert len(fake.calls("apps.connections.open")) == 2
        env_id = await fake.socket_push(socket_envelope("slash_commands", command))
        assert (await fake.wait_for_ack(env_id)).payload == {"text": "working on it"}
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]
