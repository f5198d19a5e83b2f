"""`iam` and `gaps` through the real Slack endpoint (signed slash commands, fake Web API)."""

from __future__ import annotations

import pytest

from bot.storage import Storage

# The same Slack bot as the command tests (their staff user group): its fixture, shared.
from tests.integration.test_slack_commands import bot, everything_said  # noqa: F401
from tests.support.slack_bot import ALICE, BOB, BOT_USER_ID, CHANNEL, RunningBot
from tests.support.slack_signing import message_event

pytestmark = pytest.mark.integration


async def test_iam_and_gaps_over_slash_commands(bot: RunningBot, storage: Storage) -> None:  # noqa: F811 (the fixture)
    hook, ack = await bot.command("/plenary", "iam gnso", user=ALICE)
    assert ack.status == 200
    assert "Done: you belong to GNSO." in everything_said(await bot.response_json(hook))
    assert await storage.inclusion.group_of("slack", ALICE) == "GNSO"
    refused, _ = await bot.command("/plenary", f"iam <@{ALICE}> GAC", user=ALICE)
    assert "Only staff can use" in everything_said(await bot.response_json(refused))
    staff, _ = await bot.command("/plenary", f"iam <@{ALICE}> GAC", user=BOB)
    assert "belongs to GAC" in everything_said(await bot.response_json(staff))
    assert await storage.inclusion.group_of("slack", ALICE) == "GAC"
    await bot.say("Share meeting rooms between constituencies #wp3")
    gaps, _ = await bot.command("/plenary", "gaps 3", user=BOB)
    said = everything_said(await bot.response_json(gaps))
    assert "Who is missing, over all input so far" in said
    assert "By group: GAC: 1 input, 1 contributor" in said
    assert "By language: English: 1 input, 1 contributor" in said


async def test_staff_name_a_member_by_mentioning_them(bot: RunningBot, storage: Storage) -> None:  # noqa: F811 (the fixture)
    """Slack shows a mention as the person's name (`@Alice Martin`): the group must go to
    her id, in a message, in a mention of the bot and in a slash command alike."""
    await bot.say(f"!iam <@{ALICE}> ccNSO", user=BOB)
    assert await storage.inclusion.group_of("slack", ALICE) == "ccNSO"
    mention = message_event(f"<@{BOT_USER_ID}> iam <@{ALICE}> ALAC", user=BOB, channel=CHANNEL)
    mention["type"] = "app_mention"
    assert (await bot.event(mention)).status == 200
    assert await storage.inclusion.group_of("slack", ALICE) == "ALAC"
    assert await storage.inclusion.group_of("slack", BOB) is None  # not the asker's own
    hook, _ = await bot.command("/plenary", f"iam <@{ALICE}|alice> SSAC", user=BOB)
    assert "belongs to SSAC" in everything_said(await bot.response_json(hook))
    assert await storage.inclusion.group_of("slack", ALICE) == "SSAC"
