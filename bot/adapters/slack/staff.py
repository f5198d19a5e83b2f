"""Staff on Slack: the members of one user group, cached briefly; a failed lookup denies."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.calls import SLACK_FAILURES, slack_error
from bot.adapters.slack.inbound import PLATFORM

log = logging.getLogger(__name__)

CACHE_SECONDS = 300.0


class SlackStaffGroup:
    """`usergroups.users.list` (scope `usergroups:read`; a paid-plan feature: free
    workspaces answer `plan_upgrade_required`, so list staff in PLENARY_STAFF there)."""

    def __init__(self, client: AsyncWebClient, group_id: str,
                 monotonic: Callable[[], float] = time.monotonic,
                 cache_seconds: float = CACHE_SECONDS) -> None:
        self._client = client
        self._group_id = group_id
        self._monotonic = monotonic
        self._cache_seconds = cache_seconds
        self._members: frozenset[str] | None = None
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()

    async def is_staff(self, platform: str, user_id: str) -> bool:
        if platform != PLATFORM:
            return False
        members = await self._current_members()
        return members is not None and user_id in members

    async def _current_members(self) -> frozenset[str] | None:
        async with self._lock:  # concurrent checks share one lookup
            fresh = self._monotonic() - self._fetched_at < self._cache_seconds
            if self._members is not None and fresh:
                return self._members
            try:
                answer = await self._client.usergroups_users_list(usergroup=self._group_id)
            except SLACK_FAILURES as exc:
                log.warning("staff group %s lookup failed (%s): staff commands are denied",
                            self._group_id, slack_error(exc))
                self._members = None
                return None
            self._members = frozenset(str(user) for user in answer.get("users") or ())
            self._fetched_at = self._monotonic()
            return self._members
