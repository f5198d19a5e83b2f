"""The "Tag to work-plan issue" message shortcut: modal, submission, confirmation."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from bot.messages import MessageRef
from bot.storage import Storage
from bot.storage.tables import TAGS
from bot.tags import TagSet, TagSource
from bot.workplan import WorkPlan
from tests.support import slack_signing as sl
from tests.support.slack_bot import BOB, CHANNEL, OTHER_CHANNEL, RunningBot, running_bot

pytestmark = pytest.mark.integration


@pytest.fixture
async def bot(storage: Storage, plan: WorkPlan) -> AsyncIterator[RunningBot]:
    async with running_bot(storage, plan) as running:
        yield running


async def open_modal(bot: RunningBot, message: dict[str, Any]) -> dict[str, Any]:
    shortcut = sl.message_shortcut_payload("tag_to_issue", user_id=BOB,
                                           message_ts=message["ts"],
                                           message_text=message["text"])
    ack = await bot.interact(shortcut)
    assert ack.status == 200 and ack.text == ""
    opened = await bot.fake.wait_for_call("views.open")
    assert opened.args["trigger_id"] == shortcut["trigger_id"]
    view = opened.args["view"]
    return view if isinstance(view, dict) else dict(json.loads(view))


def picked(issues: list[str], kind: str | None = None) -> dict[str, Any]:
    values: dict[str, Any] = {"issues": {"issues_picked": {
        "type": "multi_static_select",
        "selected_options": [{"value": value, "text": {"type": "plain_text", "text": value}}
                             for value in issues]}}}
    values["kind"] = {"kind_picked": {"type": "static_select", "selected_option": (
        {"value": kind, "text": {"type": "plain_text", "text": kind}} if kind else None)}}
    return values


async def test_the_shortcut_tags_a_message_with_issues_and_a_kind_and_confirms(
        bot: RunningBot) -> None:
    message, _ = await bot.say("Rotate chairs between regions")
    view = await open_modal(bot, message)
    options = view["blocks"][1]["element"]["options"]
    assert [o["value"] for o in options] == [str(n) for n in range(1, 9)]
    submission = sl.view_submission_payload(view["callback_id"], picked(["4", "6"], "solution"),
                                            private_metadata=view["private_metadata"],
                                            user_id=BOB)
    ack = await bot.interact(submission)
    assert ack.status == 200 and ack.text == ""  # the modal closes: stored already
    ref = MessageRef("slack", CHANNEL, message["ts"])
    assert await bot.storage.tags_of(ref) == TagSet((4, 6), ("solution",))
    async with bot.storage.db.read() as conn:
        sources = (await conn.execute(select(TAGS.c.sources))).scalars().all()
    assert sources == [int(TagSource.SHORTCUT)] * 2
    confirmation = await bot.fake.wait_for_call("chat.postEphemeral")
    assert confirmation.args["user"] == BOB and confirmation.args["channel"] == CHANNEL
    assert "Tagged to *4. " in confirmation.args["text"]


async def test_a_submission_without_an_issue_keeps_the_modal_open(bot: RunningBot) -> None:
    message, _ = await bot.say("Rotate chairs between regions")
    view = await open_modal(bot, message)
    submission = sl.view_submission_payload(view["callback_id"], picked([]),
                                            private_metadata=view["private_metadata"])
    ack = await bot.interact(submission)
    answer = json.loads(ack.text)
    assert answer["response_action"] == "errors" and "issues" in answer["errors"]
    assert await bot.storage.tags_of(MessageRef("slack", CHANNEL, message["ts"])) == TagSet()


async def test_a_message_the_bot_never_stored_is_explained_in_the_modal(
        bot: RunningBot) -> None:
    view = await open_modal(bot, {"ts": "1600000000.000100", "text": "before my time"})
    submission = sl.view_submission_payload(view["callback_id"], picked(["2"]),
                                            private_metadata=view["private_metadata"])
    answer = json.loads((await bot.interact(submission)).text)
    assert "don't have that message" in answer["errors"]["issues"]


async def test_the_shortcut_in_a_channel_not_followed_says_so(bot: RunningBot) -> None:
    shortcut = sl.message_shortcut_payload("tag_to_issue", channel_id=OTHER_CHANNEL,
                                           response_url=bot.fake.response_url("elsewhere"))
    assert (await bot.interact(shortcut)).status == 200
    answer = await bot.response_json("elsewhere")
    assert "don't follow this channel" in answer["text"]
    assert bot.fake.calls("views.open") == []
