"""At least once in, exactly once stored: Slack's redeliveries against SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from bot.messages import MessageRef
from bot.storage import Storage
from bot.storage.tables import MESSAGES
from bot.tags import TagSet
from bot.workplan import WorkPlan
from tests.support import slack_signing as sl
from tests.support.slack_bot import ALICE, BOB, CHANNEL, RunningBot, running_bot

pytestmark = pytest.mark.integration


@pytest.fixture
async def bot(any_storage: Storage, plan: WorkPlan) -> AsyncIterator[RunningBot]:
    async with running_bot(any_storage, plan) as running:
        yield running


async def rows_for(storage: Storage, ts: str) -> int:
    async with storage.db.read() as conn:
        count = await conn.execute(select(func.count()).select_from(MESSAGES).where(
            MESSAGES.c.message_id == ts))
        return int(count.scalar_one())


async def test_the_same_message_delivered_four_times_is_stored_once_and_answered_once(
        bot: RunningBot) -> None:
    posted = bot.fake.add_message(CHANNEL, "Caption every session #wp3 #quickwin")
    event = sl.message_event(posted["text"], ts=posted["ts"])
    first, second = await asyncio.gather(bot.event(event, event_id="Ev0DUP001"),
                                         bot.event(event, event_id="Ev0DUP001", retry=1))
    later = [await bot.event(event, event_id="Ev0DUP001", retry=n) for n in (2, 3)]
    assert [a.status for a in (first, second, *later)] == [200, 200, 200, 200]
    assert await rows_for(bot.storage, posted["ts"]) == 1
    assert await bot.storage.tags_of(MessageRef("slack", CHANNEL, posted["ts"])) == TagSet(
        (3,), ("quickwin",))
    await bot.adapter.settle()
    assert len(bot.fake.calls("reactions.add")) == 1
    assert bot.fake.calls("chat.postMessage") == []


async def test_a_late_redelivered_reaction_does_not_undo_a_later_removal(
        bot: RunningBot) -> None:
    posted = bot.fake.add_message(CHANNEL, "Share the minutes in French too")
    await bot.event(sl.message_event(posted["text"], ts=posted["ts"]))
    item = {"type": "message", "channel": CHANNEL, "ts": posted["ts"]}
    added = {"type": "reaction_added", "user": BOB, "reaction": "two", "item": item,
             "item_user": ALICE, "event_ts": "1718000100.000001"}
    removed = {**added, "type": "reaction_removed", "event_ts": "1718000200.000001"}
    both = await asyncio.gather(bot.event(added, event_id="Ev0ADD001"),
                                bot.event(added, event_id="Ev0ADD001", retry=1))
    assert [a.status for a in both] == [200, 200]
    assert (await bot.event(removed, event_id="Ev0REM001")).status == 200
    assert (await bot.event(added, event_id="Ev0ADD001", retry=2)).status == 200
    assert await bot.storage.tags_of(MessageRef("slack", CHANNEL, posted["ts"])) == TagSet()


async def test_a_mention_delivered_twice_gets_one_help_answer_in_its_thread(
        bot: RunningBot) -> None:
    mention = {"type": "app_mention", "user": ALICE, "text": f"<@{sl.BOT_USER_ID}> hello?",
               "ts": "1718000300.000100", "channel": CHANNEL, "event_ts": "1718000300.000100"}
    answers = await asyncio.gather(bot.event(mention, event_id="Ev0MEN001"),
                                   bot.event(mention, event_id="Ev0MEN001", retry=1))
    assert [a.status for a in answers] == [200, 200]
    await bot.adapter.settle()
    reply = bot.fake.calls("chat.postMessage")[0]
    assert reply.args["thread_ts"] == mention["ts"]
    assert "What I can do" in reply.args["text"]
    assert len(bot.fake.calls("chat.postMessage")) == 1
