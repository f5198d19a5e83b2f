"""PLENARY_LOG_FORMAT: JSON lines with the event's context, and no secret in any record."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

import pytest

from bot.handlers import EVENTS, ROUTES
from bot.log_context import current_log_context, log_context
from bot.logs import make_handler, secret_values
from bot.messages import Conversation, IncomingMessage
from bot.redaction import MASK, Redactor
from bot.router import Router
from bot.services import Services
from bot.storage import SaveOutcome
from tests.conftest import make_settings
from tests.fakes import Harness

SLACK_BOT = "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp"
SIGNING = "8f742231b10e8888abcd99yyyzzz85a5"
PASSWORD = "p@ss/wörd:1"  # needs escaping in URLs and JSON
Logged = tuple[logging.Logger, io.StringIO]


@pytest.fixture
def records() -> Iterator[Logged]:
    """A logger writing through plenary's JSON handler to a buffer."""
    settings = make_settings(slack_bot_token=SLACK_BOT, slack_signing_secret=SIGNING,
                             smtp_password="smtp-secret-42",
                             database_url="postgresql+asyncpg://plenary:db-pass-99@db/plenary")
    stream = io.StringIO()
    handler = make_handler("json", Redactor(secret_values(settings)), stream)
    logger = logging.getLogger("tests.logs")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        yield logger, stream
    finally:
        logger.removeHandler(handler)
        logger.propagate = True


def _lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_json_line_has_time_level_logger_message_and_context(records: Logged) -> None:
    logger, stream = records
    with log_context(platform="slack", room="C0GENERAL", event_id="Ev01"):
        logger.info("stored %d messages", 3)
    logger.warning("outside any event")
    inside, outside = _lines(stream)
    assert inside["message"] == "stored 3 messages"
    assert inside["level"] == "INFO" and inside["logger"] == "tests.logs"
    assert str(inside["timestamp"]).endswith("Z")  # UTC, ISO 8601
    assert (inside["platform"], inside["room"], inside["event_id"]) == ("slack", "C0GENERAL",
                                                                       "Ev01")
    assert "platform" not in outside and "room" not in outside


def test_an_exception_is_one_line_with_its_traceback_and_no_secret(records: Logged) -> None:
    logger, stream = records
    try:
        raise RuntimeError(f"login refused with password {PASSWORD!r}? no: smtp-secret-42")
    except RuntimeError:
        logger.exception("job failed")
    assert len(stream.getvalue().splitlines()) == 1
    (line,) = _lines(stream)
    assert "Traceback" in str(line["exception"]) and "RuntimeError" in str(line["exception"])
    assert "smtp-secret-42" not in stream.getvalue()


@pytest.mark.parametrize("leak", [
    f"Authorization: Bearer {SLACK_BOT}",
    f"data: {{'token': '{SLACK_BOT}'}}",
    "headers: {'Authorization': 'Bearer xoxp-999-888-777-abcdef'}",
    "opened wss://wss.example/link/?ticket=0123-abcd&app_id=A1 with xapp-1-A0-3-fakeapp",
    '{"access_token": "syt_Ym90_RsDtsLZWhFhKCQvbmrWk_2YZxn5"}',
    "GET /_matrix/client/v3/sync?access_token=syt_Ym90_RsDtsLZWhFhKCQvbmrWk_2YZxn5&since=s1",
    '{"type": "m.login.password", "password": "hunter2hunter2"}',
    "connecting to postgresql+asyncpg://plenary:db-pass-99@db/plenary",
    "connecting to postgresql://other:anotherpass@db2/x",  # not configured: its shape
    f"signing secret {SIGNING} mismatch",
    "the smtp password was smtp-secret-42",
])
def test_secrets_and_token_shapes_are_masked(leak: str, records: Logged) -> None:
    logger, stream = records
    logger.debug("request %s", leak)
    text = stream.getvalue()
    for secret in (SLACK_BOT, SIGNING, "xoxp-999", "xapp-1", "0123-abcd", "syt_", "hunter2",
                   "db-pass-99", "anotherpass", "smtp-secret-42"):
        assert secret not in text
    assert MASK in text


def test_a_configured_secret_is_masked_in_its_url_and_json_spellings() -> None:
    redact = Redactor([PASSWORD])
    for spelled in (PASSWORD, "p%40ss%2Fw%C3%B6rd%3A1", json.dumps(PASSWORD)):
        assert redact(f"value {spelled} here") in (f"value {MASK} here",
                                                   f'value "{MASK}" here')


def test_ordinary_lines_are_left_alone() -> None:
    redact = Redactor(["s3cr3t-value"])
    line = "tagged $ev1:localhost in !room:localhost to 3 (token key matrix:@bot:x:next_batch)"
    assert redact(line) == line


def test_the_text_format_is_unchanged_and_redacted() -> None:
    stream = io.StringIO()
    logger = logging.getLogger("tests.logs.text")
    handler = make_handler("text", Redactor(["s3cr3t-value"]), stream)
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.error("bad s3cr3t-value")
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    assert stream.getvalue().rstrip().endswith(" ERROR tests.logs.text: bad ***")


async def test_the_context_follows_tasks_and_nests() -> None:
    async def inner() -> dict[str, str]:
        await asyncio.sleep(0)
        return dict(current_log_context())

    with log_context(platform="matrix", room="!a:x", event_id="$1"):
        task = asyncio.create_task(inner())  # started inside: inherits the fields
        with log_context(room="!b:x", event_id=None):
            assert dict(current_log_context()) == {"platform": "matrix", "room": "!b:x"}
    assert dict(current_log_context()) == {}
    assert await task == {"platform": "matrix", "room": "!a:x", "event_id": "$1"}


def test_secret_values_come_from_every_secret_setting() -> None:
    settings = make_settings(matrix_homeserver="http://localhost", matrix_user_id="@b:x",
                             matrix_password="mx-pass", matrix_access_token="syt_tok",
                             slack_app_token="xapp-1-tok",
                             database_url="postgresql+asyncpg://u:db-pw@h/d")
    assert set(secret_values(settings)) >= {"mx-pass", "syt_tok", "xapp-1-tok", "db-pw"}


async def test_a_run_logs_its_own_context_not_its_callers(harness: Harness) -> None:
    """Messages of two channels stored as one run: its lines name no event id of the call
    that brought them, and no room; a lone message keeps its own."""
    seen: list[dict[str, str]] = []

    async def store(msgs: Sequence[IncomingMessage], svc: Services) -> list[SaveOutcome]:
        seen.append(dict(current_log_context()))
        return [SaveOutcome.NEW] * len(msgs)

    router = Router(ROUTES, {**EVENTS, IncomingMessage: store}, harness.svc)
    at = datetime(2026, 1, 1, tzinfo=UTC)
    with log_context(platform="slack", room="C1", event_id="Ev0"):
        await router.handle([IncomingMessage(Conversation("slack", room), f"1.{n}", "U1", "hi",
                                             at) for n, room in enumerate(("C1", "C2"))])
    pending = []  # two deliveries of one loop turn: they join one run
    for n, room in enumerate(("C1", "C2")):
        msg = IncomingMessage(Conversation("slack", room), f"2.{n}", "U1", "hi", at)
        with log_context(platform="slack", room=room, event_id=f"Ev{n}"):
            pending.append(asyncio.create_task(router.handle([msg])))
    await asyncio.gather(*pending)
    with log_context(platform="slack", room="C1", event_id="Ev9"):
        await router.handle([IncomingMessage(Conversation("slack", "C1"), "1.9", "U1", "x", at)])
    assert seen == [{"platform": "slack"}, {"platform": "slack"},
                    {"platform": "slack", "room": "C1", "event_id": "Ev9", "message_id": "1.9"}]
