"""The Slack adapter through its real HTTP endpoint: signed requests in, FakeSlack out."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from bot.messages import MessageRef
from bot.storage import Storage
from bot.tags import TagSet
from bot.workplan import WorkPlan
from tests.support import slack_signing as sl
from tests.support.slack_bot import (
    ALICE,
    BOB,
    BOT_ID,
    BOT_USER_ID,
    CHANNEL,
    OTHER_CHANNEL,
    RunningBot,
    running_bot,
)

pytestmark = pytest.mark.integration


@pytest.fixture
async def bot(storage: Storage, plan: WorkPlan) -> AsyncIterator[RunningBot]:
    async with running_bot(storage, plan) as running:
        yield running


def ref(ts: str, channel: str = CHANNEL) -> MessageRef:
    return MessageRef("slack", channel, ts)


async def test_a_hashtag_message_is_stored_before_the_ack_and_acknowledged(
        bot: RunningBot) -> None:
    event, answer = await bot.say("We could share meeting rooms #wp3 #solution")
    assert answer.status == 200
    stored = await bot.storage.message(ref(event["ts"]))
    assert stored is not None and stored.sender_id == ALICE
    assert stored.sender_name == "alice"
    assert stored.permalink == (f"https://plenary-test.slack.com/archives/{CHANNEL}/"
                                f"p{event['ts'].replace('.', '')}")
    assert await bot.storage.tags_of(ref(event["ts"])) == TagSet((3,), ("solution",))
    reaction = await bot.fake.wait_for_call("reactions.add")
    assert reaction.args == {"channel": CHANNEL, "timestamp": event["ts"],
                             "name": "white_check_mark"}


async def test_a_reply_in_a_thread_tags_its_parent_and_answers_in_the_thread(
        bot: RunningBot) -> None:
    parent, _ = await bot.say("Publish the session recordings sooner")
    _, answer = await bot.say("!tag 3 solution", user=BOB, thread_ts=parent["ts"])
    assert answer.status == 200
    assert await bot.storage.tags_of(ref(parent["ts"])) == TagSet((3,), ("solution",))
    reply = await bot.fake.wait_for_call("chat.postMessage")
    assert reply.args["channel"] == CHANNEL and reply.args["thread_ts"] == parent["ts"]
    assert "Tagged to *3. " in reply.args["text"]


async def test_reactions_with_the_configured_names_tag_and_untag(bot: RunningBot) -> None:
    message, _ = await bot.say("Rotate the meeting times across time zones")
    item = {"type": "message", "channel": CHANNEL, "ts": message["ts"]}
    added = {"type": "reaction_added", "user": BOB, "reaction": "five", "item": item,
             "item_user": ALICE, "event_ts": message["ts"]}
    assert (await bot.event(added)).status == 200
    assert (await bot.event({**added, "reaction": "tada"})).status == 200
    assert await bot.storage.tags_of(ref(message["ts"])) == TagSet((5,))
    removed = {**added, "type": "reaction_removed"}
    assert (await bot.event(removed)).status == 200
    assert await bot.storage.tags_of(ref(message["ts"])) == TagSet()


async def test_an_edit_rereads_the_hashtags_and_a_deletion_erases_for_good(
        bot: RunningBot) -> None:
    message, _ = await bot.say("Share rooms #wp3")
    edit = {"type": "message", "subtype": "message_changed", "hidden": True,
            "channel": CHANNEL, "ts": "1718000999.000001", "event_ts": "1718000999.000001",
            "message": {"type": "message", "user": ALICE, "text": "Share rooms #wp5",
                        "ts": message["ts"], "edited": {"user": ALICE, "ts": "1718000999.000001"}},
            "previous_message": {"type": "message", "user": ALICE, "text": "Share rooms #wp3",
                                 "ts": message["ts"]}}
    assert (await bot.event(edit)).status == 200
    stored = await bot.storage.message(ref(message["ts"]))
    assert stored is not None and stored.text == "Share rooms #wp5"
    assert await bot.storage.tags_of(ref(message["ts"])) == TagSet((5,))

    deletion = {"type": "message", "subtype": "message_deleted", "hidden": True,
                "channel": CHANNEL, "deleted_ts": message["ts"], "ts": "1718001000.000001",
                "event_ts": "1718001000.000001", "previous_message": edit["message"]}
    assert (await bot.event(deletion)).status == 200
    assert await bot.storage.message(ref(message["ts"])) is None
    assert await bot.storage.messages_for(issue=5) == []
    # A late redelivery of the original message does not bring it back (tombstone).
    assert (await bot.event(message, retry=3)).status == 200
    assert await bot.storage.message(ref(message["ts"])) is None


async def test_it_keeps_nothing_from_channels_it_does_not_follow(bot: RunningBot) -> None:
    message, answer = await bot.say("Elsewhere #wp3", channel=OTHER_CHANNEL)
    assert answer.status == 200
    assert await bot.storage.message(ref(message["ts"], OTHER_CHANNEL)) is None
    assert await bot.storage.count_messages() == 0


async def test_its_own_and_other_bots_messages_are_ignored(bot: RunningBot) -> None:
    own = sl.message_event("Tagged to 3 #wp3", user=BOT_USER_ID, bot_id=BOT_ID)
    other = sl.message_event("Deploy done #wp3", user="U0OTHERBOT", bot_id="B0OTHER01",
                             subtype="bot_message")
    for event in (own, other):
        assert (await bot.event(event)).status == 200
    assert await bot.storage.count_messages() == 0
    assert bot.fake.calls("reactions.add") == []


async def test_a_subscribed_event_it_does_not_use_is_acknowledged(bot: RunningBot) -> None:
    joined = {"type": "member_joined_channel", "user": BOB, "channel": CHANNEL,
              "channel_type": "C", "team": sl.TEAM_ID, "event_ts": "1718000000.000300"}
    assert (await bot.event(joined)).status == 200
    rate_limited = json.dumps({"token": "x", "type": "app_rate_limited", "team_id": sl.TEAM_ID,
                               "minute_rate_limited": 1518467820, "api_app_id": sl.API_APP_ID})
    assert (await bot.post(rate_limited.encode(), sl.JSON_CONTENT_TYPE)).status == 200


async def test_the_url_verification_handshake_is_answered(bot: RunningBot) -> None:
    answer = await bot.post(sl.url_verification("3eZbrw1aB"), sl.JSON_CONTENT_TYPE)
    assert answer.status == 200 and json.loads(answer.text) == {"challenge": "3eZbrw1aB"}


async def test_events_from_another_workspace_are_refused(bot: RunningBot) -> None:
    event = sl.message_event("Hello from elsewhere #wp3", team="T0OTHER01")
    answer = await bot.event(event, team_id="T0OTHER01")
    assert answer.status == 200  # acknowledged so that Slack does not insist
    assert await bot.storage.count_messages() == 0


@pytest.mark.parametrize("forgery", ["bad signature", "tampered body", "stale timestamp",
                                     "garbage timestamp", "forged command"])
async def test_forged_requests_get_401_and_change_nothing(bot: RunningBot, forgery: str) -> None:
    body = sl.event_callback(sl.message_event("Forged #wp3 <!channel>"))
    calls_before = len(bot.fake.api_calls)  # those of the bot's start
    if forgery == "bad signature":
        answer = await bot.post(body, sl.JSON_CONTENT_TYPE, secret="not-the-secret")
    elif forgery == "tampered body":
        answer = await bot.post(body.replace(b"Forged", b"Faked!"), sl.JSON_CONTENT_TYPE,
                                signed_body=body)
    elif forgery == "stale timestamp":
        answer = await bot.post(body, sl.JSON_CONTENT_TYPE, timestamp=int(time.time()) - 6 * 60)
    elif forgery == "garbage timestamp":
        answer = await bot.post(body, sl.JSON_CONTENT_TYPE,
                                headers={"X-Slack-Request-Timestamp": "soon"})
    else:
        command = sl.slash_command("/plenary", "forget-me", ALICE, CHANNEL,
                                   response_url=bot.fake.response_url("forged"))
        answer = await bot.post(command, sl.FORM_CONTENT_TYPE, secret="not-the-secret")
        assert bot.fake.response_posts == []
    assert answer.status == 401
    assert await bot.storage.count_messages() == 0
    assert bot.fake.api_calls[calls_before:] == []


async def test_when_the_database_fails_the_event_is_not_acknowledged_and_the_retry_stores_it(
        bot: RunningBot) -> None:
    async with bot.storage.db.engine.begin() as conn:
        await conn.execute(text("ALTER TABLE messages RENAME TO messages_away"))
    event = sl.message_event("Input while the database is down #wp3")
    bot.fake.add_message(CHANNEL, event["text"], ts=event["ts"])
    first = await bot.event(event, event_id="Ev0DOWN01")
    assert first.status >= 500  # Slack delivers it again
    async with bot.storage.db.engine.begin() as conn:
        await conn.execute(text("ALTER TABLE messages_away RENAME TO messages"))
    retry = await bot.event(event, event_id="Ev0DOWN01", retry=1)
    assert retry.status == 200
    assert await bot.storage.tags_of(ref(event["ts"])) == TagSet((3,))


async def test_an_event_that_fails_alone_is_acknowledged_not_redelivered_for_nothing(
        bot: RunningBot) -> None:
    # A bad row, not an outage: the database refuses this one message and takes the next.
    async with bot.storage.db.engine.begin() as conn:
        await conn.execute(text(
            "CREATE TRIGGER refuse_poison BEFORE INSERT ON messages WHEN NEW.text LIKE "
            "'%poison%' BEGIN SELECT RAISE(ABORT, 'refused'); END"))
    poisoned = sl.message_event("poison #wp3")
    bot.fake.add_message(CHANNEL, poisoned["text"], ts=poisoned["ts"])
    answer = await bot.event(poisoned, event_id="Ev0POISON1")
    assert answer.status == 200  # a redelivery would only fail again
    assert await bot.storage.count_messages() == 0
    fine = sl.message_event("Fine input #wp3")
    bot.fake.add_message(CHANNEL, fine["text"], ts=fine["ts"])
    assert (await bot.event(fine, event_id="Ev0FINE01")).status == 200
    assert await bot.storage.tags_of(ref(fine["ts"])) == TagSet((3,))
