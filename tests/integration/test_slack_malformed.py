"""Malformed but correctly signed requests to the real /slack/events endpoint: 400, not 500.

A 500 makes Slack retry the same bad body and tells an operator the bot is broken. Each body
here is signed with the app's secret, so only its shape is wrong; the bot must answer 400 with
a short JSON error, log one line that does not quote the body, store nothing, and keep serving.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import text

from bot.messages import MessageRef
from bot.storage import Storage
from bot.tags import TagSet
from bot.workplan import WorkPlan
from tests.support import slack_signing as sl
from tests.support.slack_bot import ALICE, CHANNEL, RunningBot, running_bot

pytestmark = pytest.mark.integration

# Text that must never reach the log: it stands for user text and secrets in a body.
SECRET_WORDS = "SECRET-PAYLOAD-WORDS"
STORED_TABLES = ("messages", "tags", "message_kinds", "reactions", "handled_events",
                 "audit_log", "hidden_inputs")


@pytest.fixture
async def bot(storage: Storage, plan: WorkPlan) -> AsyncIterator[RunningBot]:
    async with running_bot(storage, plan) as running:
        yield running


def _message(**fields: Any) -> dict[str, Any]:
    event = sl.message_event(f"#wp3 {SECRET_WORDS}")
    event.update(fields)
    return {key: value for key, value in event.items() if value is not None}


def _callback(event: Any) -> bytes:
    envelope = sl.event_callback_payload({})
    envelope["event"] = event
    return json.dumps(envelope).encode()


def _reaction(**fields: Any) -> dict[str, Any]:
    event: dict[str, Any] = {"type": "reaction_added", "user": ALICE, "reaction": "three",
                             "item": {"type": "message", "channel": CHANNEL,
                                      "ts": "1718000000.000100"},
                             "event_ts": "1718000001.000200"}
    event.update(fields)
    return {key: value for key, value in event.items() if value is not None}


def _form(**fields: str) -> bytes:
    return urlencode(fields).encode()


JSON_BODIES: dict[str, bytes] = {
    "not JSON": f'{{"type": "event_callback", "event": {SECRET_WORDS}'.encode(),
    "not UTF-8": b'{"type": "event_callback", "x": "\xff\xfe"}',
    "empty body": b"",
    "a JSON array": f'["{SECRET_WORDS}"]'.encode(),
    "a JSON string": f'"{SECRET_WORDS}"'.encode(),
    "a JSON number": b"42",
    "no type": json.dumps({"event": _message()}).encode(),
    "a non-string type": json.dumps({"type": 7, "event": _message()}).encode(),
    "an event_callback without event": json.dumps({"type": "event_callback"}).encode(),
    "an event that is a list": _callback([_message()]),
    "an event without type": _callback({"channel": CHANNEL, "ts": "1718000000.000100"}),
    "a message without ts": _callback(_message(ts=None)),
    "a message without channel": _callback(_message(channel=None)),
    "a message with a bad ts": _callback(_message(ts=SECRET_WORDS)),
    "a message with a numeric ts": _callback(_message(ts=1718000000.5)),
    "a message whose text is not a string": _callback(_message(text={"x": SECRET_WORDS})),
    "a message_changed without message": _callback(
        _message(subtype="message_changed", text=None, user=None)),
    "a message_changed whose message has no ts": _callback(
        _message(subtype="message_changed", message={"text": SECRET_WORDS, "user": ALICE})),
    "a message_deleted without deleted_ts": _callback(
        _message(subtype="message_deleted", text=None, user=None)),
    "a reaction without item": _callback(_reaction(item=None)),
    "a reaction on a message without ts": _callback(
        _reaction(item={"type": "message", "channel": CHANNEL})),
    "a reaction without user": _callback(_reaction(user=None)),
    "a url_verification without challenge": json.dumps({"type": "url_verification"}).encode(),
}

FORM_BODIES: dict[str, bytes] = {
    "neither payload nor command": _form(text=SECRET_WORDS, user_id=ALICE),
    "an empty form": b"",
    "a form that does not parse": f"{SECRET_WORDS}&&=".encode(),
    "a payload that is not JSON": _form(payload=f"{{{SECRET_WORDS}"),
    "a payload that is a JSON array": _form(payload=f'["{SECRET_WORDS}"]'),
    "a payload without type": _form(payload=json.dumps({"user": {"id": ALICE}})),
    "a message shortcut without message": _form(payload=json.dumps({
        "type": "message_action", "callback_id": "tag_message", "trigger_id": "1.2.3",
        "user": {"id": ALICE}, "channel": {"id": CHANNEL}})),
    "a view submission without user": _form(payload=json.dumps({
        "type": "view_submission", "view": {"id": "V1"}})),
    "a slash command without user_id": _form(command="/digest", text=SECRET_WORDS,
                                             channel_id=CHANNEL),
    "a slash command without channel_id": _form(command="/digest", text=SECRET_WORDS,
                                                user_id=ALICE),
}


async def _stored_rows(storage: Storage) -> dict[str, int]:
    async with storage.db.engine.connect() as conn:
        return {table: (await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one()
                for table in STORED_TABLES}


async def _assert_refused(bot: RunningBot, body: bytes, content_type: str,
                          caplog: pytest.LogCaptureFixture) -> None:
    before = await _stored_rows(bot.storage)
    calls_before = len(bot.fake.api_calls)
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        answer = await bot.post(body, content_type)
    assert answer.status == 400, answer.text
    error = json.loads(answer.text)
    assert error["error"] == "malformed_request" and error["detail"]
    assert SECRET_WORDS not in answer.text
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert "malformed" in warnings[0].getMessage()
    for record in caplog.records:  # no line at any level quotes the body
        assert SECRET_WORDS not in record.getMessage()
        assert record.exc_info is None
    assert await _stored_rows(bot.storage) == before
    assert bot.fake.api_calls[calls_before:] == []


async def _assert_still_serving(bot: RunningBot) -> None:
    event, answer = await bot.say("We could share meeting rooms #wp3")
    assert answer.status == 200
    ref = MessageRef("slack", CHANNEL, event["ts"])
    assert await bot.storage.tags_of(ref) == TagSet((3,), ())


@pytest.mark.parametrize("case", sorted(JSON_BODIES))
async def test_a_malformed_json_body_gets_400_and_stores_nothing(
        bot: RunningBot, case: str, caplog: pytest.LogCaptureFixture) -> None:
    await _assert_refused(bot, JSON_BODIES[case], sl.JSON_CONTENT_TYPE, caplog)
    await _assert_still_serving(bot)


@pytest.mark.parametrize("case", sorted(FORM_BODIES))
async def test_a_malformed_form_body_gets_400_and_stores_nothing(
        bot: RunningBot, case: str, caplog: pytest.LogCaptureFixture) -> None:
    await _assert_refused(bot, FORM_BODIES[case], sl.FORM_CONTENT_TYPE, caplog)
    assert bot.fake.response_posts == []
    await _assert_still_serving(bot)


async def test_a_body_of_another_media_type_gets_415(bot: RunningBot) -> None:
    answer = await bot.post(sl.event_callback(_message()), "text/plain")
    assert answer.status == 415
    assert json.loads(answer.text)["error"] == "unsupported_media_type"
    assert await bot.storage.count_messages() == 0
    await _assert_still_serving(bot)


async def test_an_unsigned_malformed_body_is_refused_as_unsigned(bot: RunningBot) -> None:
    answer = await bot.post(b"[]", sl.JSON_CONTENT_TYPE, secret="not-the-secret")
    assert answer.status == 401  # the signature is checked before anything reads the body


async def test_a_burst_of_malformed_bodies_leaves_the_endpoint_serving(bot: RunningBot) -> None:
    statuses = [(await bot.post(body, sl.JSON_CONTENT_TYPE)).status
                for body in JSON_BODIES.values()]
    assert set(statuses) == {400}
    await _assert_still_serving(bot)
    assert await bot.storage.count_messages() == 1


async def test_well_formed_bodies_it_does_not_use_are_still_acknowledged(
        bot: RunningBot) -> None:
    # Valid shapes the checks must not refuse: the handshake, ssl_check, an unused event.
    handshake = await bot.post(sl.url_verification("3eZbrw1aB"), sl.JSON_CONTENT_TYPE)
    assert handshake.status == 200 and json.loads(handshake.text) == {"challenge": "3eZbrw1aB"}
    ssl_check = await bot.post(_form(ssl_check="1", token="x"), sl.FORM_CONTENT_TYPE)
    assert ssl_check.status == 200
    file_shared = {"type": "file_shared", "file_id": "F1", "user_id": ALICE,
                   "event_ts": "1718000000.000300"}
    assert (await bot.event(file_shared)).status == 200
    other_item = _reaction(item={"type": "file", "file": "F1"})
    assert (await bot.event(other_item)).status == 200
