"""Who and where: display names of users and channels, and which channels the bot follows."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.calls import SLACK_FAILURES, slack_call, slack_error

log = logging.getLogger(__name__)

# A name is a nicety for digests; an event's ack must not wait long for it.
NAME_LOOKUP_SECONDS = 1.5


class SlackDirectory:
    def __init__(self, client: AsyncWebClient, channels: Iterable[str]) -> None:
        self._client = client
        self._followed = frozenset(channels)
        self.user_names: dict[str, str] = {}
        self.channel_names: dict[str, str] = {}
        self._lookups: dict[str, asyncio.Task[None]] = {}

    def follows(self, channel_id: str) -> bool:
        """Only the configured channels: being invited somewhere is not consent to record."""
        return channel_id in self._followed

    async def join_channels(self) -> None:
        """Join the public channels to follow; private ones need an invitation."""
        if not self._followed:
            log.warning("PLENARY_SLACK_CHANNELS is empty: no Slack message will be stored "
                        "(slash commands still work)")
        for channel_id in sorted(self._followed):
            try:
                info = await slack_call(self._client.conversations_info(channel=channel_id),
                                        "conversations.info")
            except Exception as exc:  # one bad id must not stop the others
                log.warning("cannot read Slack channel %s: %s", channel_id, exc)
                continue
            channel = info["channel"]
            self.channel_names[channel_id] = str(channel.get("name") or channel_id)
            if channel.get("is_member"):
                continue
            if channel.get("is_private"):
                log.warning("invite the bot to the private channel %s (/invite @plenary)",
                            channel_id)
                continue
            try:
                await slack_call(self._client.conversations_join(channel=channel_id),
                                 "conversations.join")
            except Exception as exc:
                log.warning("cannot join Slack channel %s: %s", channel_id, exc)
                continue
            log.info("joined Slack channel %s", channel_id)

    async def learn(self, user_ids: Iterable[str], channel_ids: Iterable[str] = ()) -> None:
        """Look up the names not known yet (concurrently, once each, bounded in time)."""
        wanted = [("user", u) for u in user_ids if u and u not in self.user_names]
        wanted += [("channel", c) for c in channel_ids if c and c not in self.channel_names]
        if not wanted:
            return
        tasks = [self._lookup(kind, key) for kind, key in wanted]
        await asyncio.wait(tasks, timeout=NAME_LOOKUP_SECONDS)

    def _lookup(self, kind: str, key: str) -> asyncio.Task[None]:
        task = self._lookups.get(key)
        if task is None:
            task = asyncio.create_task(self._fetch(kind, key), name=f"slack name {key}")
            self._lookups[key] = task
            task.add_done_callback(lambda _: self._lookups.pop(key, None))
        return task

    async def _fetch(self, kind: str, key: str) -> None:
        try:
            async with asyncio.timeout(NAME_LOOKUP_SECONDS * 4):
                if kind == "user":
                    user = (await self._client.users_info(user=key))["user"]
                    profile = user.get("profile") or {}
                    self.user_names[key] = str(profile.get("display_name")
                                               or user.get("real_name") or user.get("name")
                                               or key)
                else:
                    channel = (await self._client.conversations_info(channel=key))["channel"]
                    self.channel_names[key] = str(channel.get("name") or key)
        except SLACK_FAILURES as exc:
            log.info("no name for Slack %s %s: %s", kind, key, slack_error(exc))

    async def close(self) -> None:
        for task in list(self._lookups.values()):
            task.cancel()
        await asyncio.gather(*self._lookups.values(), return_exceptions=True)
