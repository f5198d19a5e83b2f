"""Socket Mode: the same bot over a loopback websocket played by FakeSlack."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import text

from bot.messages import MessageRef
from bot.storage import Storage
from bot.tags import TagSet
from bot.workplan import WorkPlan
from tests.support import slack_signing as sl
from tests.support.fake_slack import FakeSlack, socket_envelope
from tests.support.slack_bot import CAROL, CHANNEL, RunningBot, running_bot

pytestmark = pytest.mark.integration


@pytest.fixture
async def bot(storage: Storage, plan: WorkPlan) -> AsyncIterator[RunningBot]:
    async with FakeSlack() as fake:
        async with running_bot(storage, plan, fake=fake, slack_app_token=fake.app_token,
                               slack_signing_secret=None) as running:
            yield running


def message_envelope(bot: RunningBot, words: str) -> tuple[str, dict[str, Any]]:
    posted = bot.fake.add_message(CHANNEL, words)
    payload = sl.event_callback_payload(sl.message_event(words, ts=posted["ts"]))
    return str(posted["ts"]), socket_envelope("events_api", payload)


async def test_an_event_is_acked_over_the_socket_once_stored(bot: RunningBot) -> None:
    assert bot.fake.calls("apps.connections.open")[0].token == bot.fake.app_token
    ts, envelope = message_envelope(bot, "Stream the plenary with captions #wp5")
    ack = await bot.fake.wait_for_ack(await bot.fake.socket_push(envelope))
    assert ack.payload is None
    assert await bot.storage.tags_of(MessageRef("slack", CHANNEL, ts)) == TagSet((5,))
    await bot.fake.wait_for_call("reactions.add")


async def test_a_slash_command_over_the_socket_is_acked_then_answered(bot: RunningBot) -> None:
    payload = sl.slash_command_payload("/plenary", "milestones", CAROL, CHANNEL,
                                       response_url=bot.fake.response_url("socket-cmd"))
    envelope = socket_envelope("slash_commands", payload)
    await bot.fake.wait_for_ack(await bot.fake.socket_push(envelope))
    answer = await bot.response_json("socket-cmd")
    assert answer["response_type"] == "ephemeral" and answer["text"]


async def test_an_event_that_cannot_be_stored_is_not_acked_and_its_redelivery_is(
        bot: RunningBot) -> None:
    async with bot.storage.db.engine.begin() as conn:
        await conn.execute(text("ALTER TABLE messages RENAME TO messages_away"))
    ts, envelope = message_envelope(bot, "Said while the database is down #wp2")
    pushed = await bot.fake.socket_push(envelope)
    with pytest.raises(TimeoutError):
        await bot.fake.wait_for_ack(pushed, timeout=1.0)
    async with bot.storage.db.engine.begin() as conn:
        await conn.execute(text("ALTER TABLE messages_away RENAME TO messages"))
    envelope.update(retry_attempt=1, retry_reason="timeout")
    await bot.fake.wait_for_ack(await bot.fake.socket_push(envelope))
    assert await bot.storage.tags_of(MessageRef("slack", CHANNEL, ts)) == TagSet((2,))


async def test_it_reconnects_when_slack_asks_and_goes_on_receiving(bot: RunningBot) -> None:
    await bot.fake.socket_disconnect("refresh_requested")
    await bot.fake.wait_for_socket(connections=2)
    ts, envelope = message_envelope(bot, "After the refresh #wp7")
    await bot.fake.wait_for_ack(await bot.fake.socket_push(envelope))
    assert await bot.storage.tags_of(MessageRef("slack", CHANNEL, ts)) == TagSet((7,))


async def test_a_malformed_event_over_the_socket_is_acked_dropped_and_logged(
        bot: RunningBot, caplog: pytest.LogCaptureFixture) -> None:
    # No status code to answer over a socket: the ack stops Slack redelivering a body that
    # can never be read, one warning says why, and nothing is stored.
    broken = sl.message_event("No timestamp here #wp3")
    del broken["ts"], broken["event_ts"]
    envelope = socket_envelope("events_api", sl.event_callback_payload(broken))
    await bot.fake.wait_for_ack(await bot.fake.socket_push(envelope))
    assert await bot.storage.count_messages() == 0
    dropped = [r for r in caplog.records if "malformed Slack event" in r.getMessage()]
    assert len(dropped) == 1 and "No timestamp here" not in dropped[0].getMessage()
    ts, good = message_envelope(bot, "Still listening #wp7")
    await bot.fake.wait_for_ack(await bot.fake.socket_push(good))
    assert await bot.storage.tags_of(MessageRef("slack", CHANNEL, ts)) == TagSet((7,))
