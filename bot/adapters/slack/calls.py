"""Web API calls: what counts as a platform failure, and turning one into `AdapterError`."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

import aiohttp
from slack_sdk.errors import SlackApiError

from bot.errors import AdapterError

T = TypeVar("T")
# slack_sdk raises SlackApiError for Slack's answers, but aiohttp's own errors (a dropped
# connection after its one retry) and timeouts pass through as they are.
SLACK_FAILURES = (SlackApiError, aiohttp.ClientError, TimeoutError)


def slack_error(exc: BaseException) -> str:
    """Slack's error code (`ratelimited`, `channel_not_found`...) or the exception."""
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error"))
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


async def slack_call(call: Awaitable[T], what: str) -> T:
    """Await a Web API call; platform failures become `AdapterError`."""
    try:
        return await call
    except SLACK_FAILURES as exc:
        raise AdapterError(f"Slack {what} failed: {slack_error(exc)}") from exc
