"""End to end through the real Slack endpoint (signed requests, the fake Slack Web API): members
writing Arabic, Chinese, Russian and Spanish tag with native hashtags, are told once and
privately what is kept, in their language, and get answers in it; what they wrote is stored
byte for byte, and no direction mark reaches Slack's text."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from bot.adapters.slack.render import to_mrkdwn
from bot.messages import MessageRef
from bot.storage import Storage
from bot.workplan import WorkPlan
from tests.support.fake_slack import ApiCall
from tests.support.multilingual import MEMBERS, Member
from tests.support.slack_bot import CHANNEL, RunningBot, running_bot

pytestmark = pytest.mark.integration

MARKS = ("\u200e", "\u200f", "\u061c", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e")


def user_id(member: Member) -> str:
    return f"U0{member.name.upper():0<7}"[:9]


def to(member: Member) -> Callable[[ApiCall], bool]:
    def matches(call: ApiCall) -> bool:
        return call.args.get("user") == user_id(member)
    return matches


async def answer_containing(bot: RunningBot, text: str) -> ApiCall:
    return await bot.fake.wait_for_call(
        "chat.postMessage", lambda call: text in str(call.args.get("text", "")), timeout=10)


@pytest.mark.parametrize("member", MEMBERS, ids=[m.locale for m in MEMBERS])
async def test_a_member_tags_natively_is_told_once_and_answered_in_their_language(
        storage: Storage, plan: WorkPlan, member: Member) -> None:
    async with running_bot(storage, plan, consent_notice=True) as bot:
        user = user_id(member)
        bot.fake.add_user(user, member.name, member.name.capitalize())
        await bot.say(member.choose_language, user=user)
        await answer_containing(bot, to_mrkdwn(member.lang_set))

        event, ack = await bot.say(member.text, user=user)
        assert ack.status == 200
        stored = await storage.message(MessageRef("slack", CHANNEL, event["ts"]))
        assert stored is not None
        assert stored.text.encode("utf-8") == member.text.encode("utf-8")  # byte for byte
        assert (await storage.tags_of(stored.ref)).issues == (3,)
        notice = await bot.fake.wait_for_call("chat.postEphemeral", to(member), timeout=10)
        assert notice.args["text"] == to_mrkdwn(member.notice(bot.settings))

        await bot.event(event, retry=1)  # Slack delivers at least once
        await bot.say(member.command("help"), user=user)
        helped = await answer_containing(bot, f"*{member.help_title}*")
        assert str(helped.args["text"]).startswith(f"*{member.help_title}*")
        assert len([c for c in bot.fake.calls("chat.postEphemeral") if to(member)(c)]) == 1

        await bot.say(member.command("my-data"), user=user)
        await bot.fake.wait_for_call("files.completeUploadExternal", timeout=10)
        [upload] = [u for u in bot.fake.uploads.values() if u.completed]
        assert upload.initial_comment == to_mrkdwn(member.my_data_caption)
        assert upload.data is not None and member.text.encode("utf-8") in upload.data
        assert json.loads(upload.data)["messages"][0]["text"] == member.text

        said = [str(c.args.get("text", "")) for c in bot.fake.api_calls
                if c.method in ("chat.postMessage", "chat.postEphemeral")]
        assert not any(mark in text for text in said for mark in MARKS)
