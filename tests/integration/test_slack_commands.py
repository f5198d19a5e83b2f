"""Slash commands through the real endpoint: ack at once, answer privately via response_url."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.messages import MessageRef
from bot.storage import Storage
from bot.tags import TagSet
from bot.workplan import WorkPlan
from tests.support.slack_bot import ALICE, BOB, CAROL, CHANNEL, RunningBot, running_bot

pytestmark = pytest.mark.integration

STAFF_GROUP = "S0STAFF01"


@pytest.fixture
async def bot(storage: Storage, plan: WorkPlan) -> AsyncIterator[RunningBot]:
    async with running_bot(storage, plan, slack_staff_group=STAFF_GROUP) as running:
        running.fake.add_usergroup(STAFF_GROUP, [BOB])
        yield running


def everything_said(answer: dict[str, Any]) -> str:
    """The answer's text and blocks as one string (what a person could see)."""
    return str(answer.get("text", "")) + json.dumps(answer.get("blocks") or [], ensure_ascii=False)


async def test_help_is_acknowledged_at_once_and_answered_privately(bot: RunningBot) -> None:
    hook, ack = await bot.command("/plenary", "help")
    assert ack.status == 200 and ack.text == "" and ack.seconds < 1.0
    answer = await bot.response_json(hook)
    assert answer["response_type"] == "ephemeral"
    assert "What I can do" in answer["text"] and "`!digest" not in answer["text"]  # a member
    staff_hook, _ = await bot.command("/plenary", "help", user=BOB)  # staff by user group
    assert "`!digest" in (await bot.response_json(staff_hook))["text"]


@pytest.mark.parametrize("command", ["/workplan", "/milestones"])
async def test_shortcut_commands_answer_like_plenary_subcommands(bot: RunningBot,
                                                                 command: str) -> None:
    short_hook, _ = await bot.command(command, "")
    long_hook, _ = await bot.command("/plenary", command.lstrip("/"))
    short, long = await bot.response_json(short_hook), await bot.response_json(long_hook)
    assert short["text"] == long["text"] and short["text"]


async def tag_some_input(bot: RunningBot) -> None:
    await bot.say("Share meeting rooms between constituencies #wp3 #solution")
    await bot.say("Caption the sessions live #wp5 #quickwin", user=BOB)
    await bot.say("Publish budgets per session #wp3")


async def test_staff_get_the_digest_with_a_header_per_issue(bot: RunningBot) -> None:
    await tag_some_input(bot)
    hook, ack = await bot.command("/digest", "", user=CAROL)
    assert ack.status == 200
    answer = await bot.response_json(hook)
    assert answer["response_type"] == "ephemeral"
    headers = [b["text"]["text"] for b in answer["blocks"] if b["type"] == "header"]
    assert any(h.startswith("3. ") for h in headers) and any(h.startswith("5. ") for h in headers)
    assert "Share meeting rooms" in everything_said(answer)
    assert len(answer["blocks"]) <= 50
    assert all(len(b["text"]["text"]) <= 3000 for b in answer["blocks"])


async def test_people_outside_staff_do_not_get_the_digest(bot: RunningBot) -> None:
    await tag_some_input(bot)
    hook, _ = await bot.command("/plenary", "digest", user=ALICE)
    answer = await bot.response_json(hook)
    assert answer["text"].startswith("Only staff can use")
    assert "Share meeting rooms" not in everything_said(answer)


async def test_members_of_the_staff_user_group_are_staff(
        bot: RunningBot) -> None:
    await tag_some_input(bot)
    hook, _ = await bot.command("/digest", "", user=BOB)
    assert "Share meeting rooms" in everything_said(await bot.response_json(hook))
    lookup = await bot.fake.wait_for_call("usergroups.users.list")
    assert lookup.args["usergroup"] == STAFF_GROUP


async def test_a_failed_staff_group_lookup_denies(storage: Storage, plan: WorkPlan) -> None:
    async with running_bot(storage, plan, slack_staff_group=STAFF_GROUP) as bot:
        bot.fake.add_usergroup(STAFF_GROUP, [BOB])
        bot.fake.error_next("usergroups.users.list", "plan_upgrade_required")
        hook, _ = await bot.command("/digest", "", user=BOB)
        assert (await bot.response_json(hook))["text"].startswith("Only staff can use")


async def test_a_long_digest_comes_as_a_markdown_file_in_a_direct_message(
        bot: RunningBot) -> None:
    for n in range(40):
        await bot.say(f"Idea number {n}: " + "a considered proposal " * 12 + f"#wp{n % 8 + 1}")
    hook, _ = await bot.command("/digest", "", user=CAROL)
    answer = await bot.response_json(hook)
    assert "direct message" in answer["text"] or "direct message" in everything_said(answer)
    done = await bot.fake.wait_for_call("files.completeUploadExternal")
    dm = (await bot.fake.wait_for_call("conversations.open")).args["users"]
    assert dm == CAROL and str(done.args["channel_id"]).startswith("D")
    upload = next(iter(bot.fake.uploads.values()))
    assert upload.filename.endswith(".md") and upload.data is not None
    assert b"Idea number 39" in upload.data and b"Idea number 0" in upload.data


async def test_an_export_is_uploaded_to_the_asker_only(bot: RunningBot) -> None:
    await tag_some_input(bot)
    hook, _ = await bot.command("/digest", "as csv", user=CAROL)
    answer = await bot.response_json(hook)
    upload = next(iter(bot.fake.uploads.values()))
    assert upload.filename.endswith(".csv") and upload.filename in answer["text"]
    assert upload.channel_id == "D" + CAROL[1:]
    assert bot.fake.calls("chat.postMessage") == []


async def test_a_command_is_acknowledged_within_three_seconds_while_the_database_is_slow(
        bot: RunningBot) -> None:
    blocker = sqlite3.connect(bot.storage.db.engine.url.database or "")
    blocker.execute("BEGIN IMMEDIATE")  # holds the write lock: every write has to wait
    try:
        hook, ack = await bot.command("/plenary", "forget-me", user=BOB)
        assert ack.status == 200 and ack.seconds < 3.0
        with pytest.raises(TimeoutError):
            await bot.fake.wait_for_response_post(hook, timeout=0.5)
    finally:
        blocker.rollback()
        blocker.close()
    answer = await bot.response_json(hook)
    assert answer["text"].startswith("Done")


async def test_tag_takes_a_message_link_since_commands_carry_no_thread(
        bot: RunningBot) -> None:
    message, _ = await bot.say("Offer remote hubs in every region")
    link = (f"https://plenary-test.slack.com/archives/{CHANNEL}/"
            f"p{message['ts'].replace('.', '')}")
    hook, _ = await bot.command("/plenary", f"tag {link} 4 solution", user=BOB)
    assert "Tagged to" in (await bot.response_json(hook))["text"]
    assert await bot.storage.tags_of(MessageRef("slack", CHANNEL, message["ts"])) == TagSet(
        (4,), ("solution",))


async def test_commands_from_another_workspace_are_refused(bot: RunningBot) -> None:
    hook, ack = await bot.command("/plenary", "forget-me", team_id="T0OTHER01")
    assert ack.status == 200 and "only in the workspace" in ack.text
    with pytest.raises(TimeoutError):
        await bot.fake.wait_for_response_post(hook, timeout=0.3)


async def test_mentions_and_markup_in_stored_text_never_reach_slack_unescaped(
        bot: RunningBot) -> None:
    await bot.say(f"Everyone <!channel> <!here|here> and <@{BOB}>, see <!subteam^S0X|@team> "
                  "&lt;!everyone&gt; &amp; <https://evil.example|innocent> #wp3")
    hook, _ = await bot.command("/digest", "", user=CAROL)
    said = everything_said(await bot.response_json(hook))
    for live in ("<!channel>", "<!here", "<!everyone>", f"<@{BOB}>", "<!subteam",
                 "<https://evil.example|"):
        assert live not in said
    assert "&lt;!everyone&gt;" in said and "@channel" in said


async def test_a_rate_limited_answer_is_sent_after_retry_after(bot: RunningBot) -> None:
    parent, _ = await bot.say("Hold a session for newcomers")
    bot.fake.fail_next("chat.postMessage", 429, retry_after=0)
    _, answer = await bot.say("!tag 6", user=BOB, thread_ts=parent["ts"])
    assert answer.status == 200
    posts = bot.fake.calls("chat.postMessage")
    assert [p.status for p in posts] == [429, 200]
    assert posts[1].args["thread_ts"] == parent["ts"]


async def test_an_unknown_command_word_points_to_help(bot: RunningBot) -> None:
    hook, _ = await bot.command("/plenary", "frobnicate")
    assert "help" in (await bot.response_json(hook))["text"]


async def test_a_digest_asked_in_the_channel_is_shown_to_the_asker_only(
        bot: RunningBot) -> None:
    await tag_some_input(bot)
    _, answer = await bot.say("!digest", user=CAROL)
    assert answer.status == 200
    shown = await bot.fake.wait_for_call("chat.postEphemeral")
    assert shown.args["user"] == CAROL and shown.args["channel"] == CHANNEL
    assert any(block["type"] == "header" for block in shown.args["blocks"])
    assert bot.fake.calls("chat.postMessage") == []
