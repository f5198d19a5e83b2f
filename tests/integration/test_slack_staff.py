"""Staff from a Slack user group: cached briefly, denied when Slack cannot say."""

from __future__ import annotations

import aiohttp
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.staff import SlackStaffGroup
from tests.support.fake_slack import FakeSlack

pytestmark = pytest.mark.integration


class Ticking:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_membership_is_cached_briefly_and_a_failed_lookup_denies() -> None:
    clock = Ticking()
    async with FakeSlack() as fake, aiohttp.ClientSession() as session:
        fake.add_usergroup("S0STAFF01", ["U0CAROL01"])
        client = AsyncWebClient(token=fake.bot_token, base_url=fake.api_url, session=session)
        staff = SlackStaffGroup(client, "S0STAFF01", monotonic=clock, cache_seconds=60)
        assert await staff.is_staff("slack", "U0CAROL01")
        assert not await staff.is_staff("slack", "U0ALICE01")
        assert not await staff.is_staff("matrix", "U0CAROL01")
        assert len(fake.calls("usergroups.users.list")) == 1  # cached

        clock.now += 61
        fake.add_usergroup("S0STAFF01", ["U0ALICE01"])
        assert await staff.is_staff("slack", "U0ALICE01")
        assert not await staff.is_staff("slack", "U0CAROL01")
        assert len(fake.calls("usergroups.users.list")) == 2

        clock.now += 61
        fake.fail_next("usergroups.users.list", 503)
        assert not await staff.is_staff("slack", "U0ALICE01")
        assert await staff.is_staff("slack", "U0ALICE01")  # the next lookup works again
