"""`iam` and `gaps` through the real Slack endpoint (signed slash commands, fake Web API)."""

from __future__ import annotations

import pytest

from bot.storage import Storage

# The same Slack bot as the command tests (their staff user group): its fixture, shared.
from tests.integration.test_slack_commands import bot, everything_said  # noqa: F401
from tests.support.slack_bot import ALICE, BOB, RunningBot

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
