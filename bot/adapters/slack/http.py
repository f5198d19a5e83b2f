"""The HTTP transport: Events API, interactivity and slash commands on `/slack/events`.

Events take a short path: the signature is verified on the raw body (Slack's `v0` HMAC, a
5-minute window), then the event goes straight to the same `receive_event` the bolt listener
uses, and the 200 leaves once it is stored. Bolt's per-request machinery (a Web API client,
a context and argument injection for each request) costs more than storing the event does,
and events need none of it. Everything else — slash commands, shortcuts, modals, the URL
handshake, `ssl_check` — goes to bolt, which verifies the request again itself.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
MAX_BODY = 1024 * 1024  # Slack's payloads are far smaller; refuse floods before verifying
ReceiveEvent = Callable[[dict[str, Any]], Awaitable[None]]
_REFUSED = {"error": "invalid request"}  # what bolt answers a bad signature with


def web_app(app: AsyncApp, signing_secret: str, receive_event: ReceiveEvent
            ) -> web.Application:
    verifier = SignatureVerifier(signing_secret)

    async def slack_events(request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        if request.content_type == "application/json":
            if not _signed(verifier, raw, request):
                log.warning("refused a request with a bad or stale Slack signature")
                return web.json_response(_REFUSED, status=401)
            body = _json_object(raw)
            if body is not None and body.get("type") == "event_callback":
                try:
                    await receive_event(body)
                except Exception:
                    log.exception("Slack event %s not stored: Slack will deliver it again",
                                  body.get("event_id"))
                    return web.Response(status=500)
                return web.Response(status=200)
        bolt_request = AsyncBoltRequest(body=raw.decode("utf-8", errors="replace"),
                                        query=request.query_string,
                                        headers=request.headers)  # type: ignore[arg-type]
        return await to_aiohttp_response(await app.async_dispatch(bolt_request))

    async def health(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    application = web.Application(client_max_size=MAX_BODY)
    application.router.add_post(EVENTS_PATH, slack_events)
    application.router.add_get("/healthz", health)
    return application


def _signed(verifier: SignatureVerifier, raw: bytes, request: web.Request) -> bool:
    try:
        return bool(verifier.is_valid(raw, request.headers.get("X-Slack-Request-Timestamp"),
                                      request.headers.get("X-Slack-Signature")))
    except (ValueError, TypeError, UnicodeDecodeError):  # a malformed header is just invalid
        return False


def _json_object(raw: bytes) -> dict[str, Any] | None:
    try:
        parsed = json.loads(raw)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


async def serve_http(application: web.Application, host: str, port: int,
                     on_listening: Callable[[int], None]) -> None:
    """Serve until cancelled; `on_listening` gets the bound port (useful with port 0)."""
    runner = web.AppRunner(application, access_log=None, handle_signals=False)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound = int(runner.addresses[0][1])
        log.info("Slack endpoint listening on http://%s:%d%s", host, bound, EVENTS_PATH)
        on_listening(bound)
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
