"""Requests to the homeserver over nio's `AsyncClient` session: rate limits waited out."""

# We build the client-server paths ourselves (the token goes in a header, never in a URL that
# could be logged) and read the JSON as it comes: the sync loop parses events itself rather
# than through nio's schema-validated response classes.

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import quote, urlencode

import aiohttp
import nio

from bot.errors import AdapterError

log = logging.getLogger(__name__)

CLIENT_V3 = "/_matrix/client/v3"
MEDIA_V3 = "/_matrix/media/v3"
DEFAULT_RETRY_MS = 5000
MAX_RATE_LIMIT_WAITS = 8

Sleep = Callable[[float], Awaitable[None]]


class MatrixError(AdapterError):
    """The homeserver answered with an error (`errcode` as in the spec)."""

    def __init__(self, status: int, errcode: str, message: str) -> None:
        super().__init__(f"HTTP {status} {errcode}: {message}")
        self.status = status
        self.errcode = errcode


class MatrixUnreachable(AdapterError):
    """No answer: connection refused or reset, or a timeout."""


def segment(value: str) -> str:
    """One URL path segment: room ids, event ids and aliases contain `!`, `$`, `#` and `:`."""
    return quote(value, safe="")


class MatrixHttp:
    def __init__(self, client: nio.AsyncClient, sleep: Sleep = asyncio.sleep,
                 max_rate_limit_waits: int = MAX_RATE_LIMIT_WAITS) -> None:
        self._client = client
        self._sleep = sleep
        self._max_waits = max_rate_limit_waits

    async def request(self, method: str, path: str, body: object | None = None, *,
                      query: Mapping[str, str] | None = None, base: str = CLIENT_V3,
                      time_limit: float | None = None, raw: bytes | None = None,
                      content_type: str = "application/json") -> dict[str, Any]:
        """A JSON object back (an empty one when the server answered anything else)."""
        answer = await self.fetch(method, path, body, query=query, base=base, time_limit=time_limit,
                                  raw=raw, content_type=content_type)
        return answer if isinstance(answer, dict) else {}

    async def fetch(self, method: str, path: str, body: object | None = None, *,
                    query: Mapping[str, str] | None = None, base: str = CLIENT_V3,
                    time_limit: float | None = None, raw: bytes | None = None,
                    content_type: str = "application/json") -> Any:
        """JSON in, JSON out. `M_LIMIT_EXCEEDED` waits as told and resends the very same
        request (a send keeps its transaction id, so the server cannot post it twice)."""
        url = base + path + (f"?{urlencode(query)}" if query else "")
        data: str | bytes | None = raw if raw is not None else (
            None if body is None else json.dumps(body, ensure_ascii=False))
        headers = {"Content-Type": content_type}
        token = self._client.access_token
        if token:
            headers["Authorization"] = f"Bearer {token}"
        waits = 0
        while True:
            status, payload, retry_after = await self._once(method, url, data, headers, time_limit)
            error = payload if isinstance(payload, dict) else {}
            limited = status == 429 or error.get("errcode") == "M_LIMIT_EXCEEDED"
            if limited and waits < self._max_waits:
                waits += 1
                delay_ms = retry_after or error.get("retry_after_ms") or DEFAULT_RETRY_MS
                delay = max(0.0, float(delay_ms) / 1000)
                log.warning("rate limited on %s %s: waiting %.1f s as told", method,
                            path.split("?")[0], delay)
                await self._sleep(delay)
                continue
            if status >= 400:
                raise MatrixError(status, str(error.get("errcode", "M_UNKNOWN")),
                                  str(error.get("error", "")))
            return payload

    async def _once(self, method: str, url: str, data: str | bytes | None,
                    headers: dict[str, str], time_limit: float | None
                    ) -> tuple[int, Any, float | None]:
        try:
            response = await self._client.send(method, url, data, headers, timeout=time_limit)
            try:
                text = await response.text()
                status = response.status
                retry_header = response.headers.get("Retry-After")
            finally:
                response.release()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise MatrixUnreachable(f"{method} {url.split('?')[0]}: {type(exc).__name__}") \
                from exc
        try:
            payload = json.loads(text) if text else {}
        except ValueError:
            payload = {}
        retry_ms = None
        if retry_header and retry_header.isdigit():
            retry_ms = int(retry_header) * 1000
        return status, payload, retry_ms
