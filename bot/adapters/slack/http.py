"""The HTTP transport: Events API, interactivity and slash commands on `/slack/events`.

Events take a short path: the signature is verified on the raw body (Slack's `v0` HMAC, a
5-minute window), then the event goes straight to the same `receive_event` the bolt listener
uses, and the 200 leaves once it is stored. Bolt's per-request machinery (a Web API client,
a context and argument injection for each request) costs more than storing the event does,
and events need none of it. Everything else — slash commands, shortcuts, modals, the URL
handshake, `ssl_check` — goes to bolt, which verifies the request again itself.

Every request is verified, then checked for shape (`wellformed`) before anything reads it: a
malformed body is answered 400 with a short JSON error and stores nothing.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from bot.adapters.slack.wellformed import (
    FORM_TYPE,
    JSON_TYPE,
    Malformed,
    check_form_body,
    read_json_body,
)

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
MAX_BODY = 1024 * 1024  # Slack's payloads are far smaller; refuse floods before verifying
ReceiveEvent = Callable[[dict[str, Any]], Awaitable[None]]
_REFUSED = {"error": "invalid request"}  # what bolt answers a bad signature with
GRACE_SECONDS = 5.0


def web_app(app: AsyncApp, signing_secret: str, receive_event: ReceiveEvent,
            observe_ack: Callable[[float], None] | None = None,
            on_failure: Callable[[Exception], None] | None = None) -> web.Application:
    """`observe_ack` is told how long each event took from arrival to its (stored) 200,
    `on_failure` of each event that could not be stored (answered 500)."""
    verifier = _BytesVerifier(signing_secret)

    async def slack_events(request: web.Request) -> web.StreamResponse:
        started = time.perf_counter()
        raw = await request.read()
        if not _signed(verifier, raw, request):
            log.warning("refused a request with a bad or stale Slack signature")
            return web.json_response(_REFUSED, status=401)
        try:
            body = _well_formed(request.content_type, raw)
        except Malformed as problem:
            # One line, never the body: it holds user text. 400, so Slack does not retry.
            log.warning("refused a malformed Slack request: %s", problem)
            return web.json_response({"error": "malformed_request", "detail": str(problem)},
                                     status=400)
        except _Unsupported:
            log.warning("refused a Slack request with content type %r", request.content_type)
            return web.json_response({"error": "unsupported_media_type",
                                      "detail": f"send {JSON_TYPE} or {FORM_TYPE}"},
                                     status=415)
        if body is not None and body["type"] == "event_callback":
            try:
                await receive_event(body)
            except Exception as exc:
                log.exception("Slack event %s not stored: Slack will deliver it again",
                              body.get("event_id"))
                if on_failure is not None:
                    on_failure(exc)
                return web.Response(status=500)
            if observe_ack is not None:
                observe_ack(time.perf_counter() - started)
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


class _BytesVerifier(SignatureVerifier):
    """Slack's check, computed over the raw bytes: the SDK decodes the body as UTF-8 first,
    so a signed body that is not UTF-8 would be called forged (401) rather than malformed."""

    def generate_signature(self, *, timestamp: str, body: str | bytes) -> str | None:
        raw = body if isinstance(body, bytes) else body.encode()
        base = b"v0:" + timestamp.encode() + b":" + raw
        return "v0=" + hmac.new(self.signing_secret.encode(), base, hashlib.sha256).hexdigest()


def _signed(verifier: SignatureVerifier, raw: bytes, request: web.Request) -> bool:
    try:
        return bool(verifier.is_valid(raw, request.headers.get("X-Slack-Request-Timestamp"),
                                      request.headers.get("X-Slack-Signature")))
    except (ValueError, TypeError, UnicodeDecodeError):  # a malformed header is just invalid
        return False


class _Unsupported(Exception):
    """A body that is neither JSON nor a form: Slack sends no other."""


def _well_formed(content_type: str, raw: bytes) -> dict[str, Any] | None:
    """The JSON body (None for a form body) once it is known to be well formed."""
    if content_type == JSON_TYPE:
        return read_json_body(raw)
    if content_type == FORM_TYPE:
        check_form_body(raw)
        return None
    raise _Unsupported


async def serve_http(application: web.Application, host: str, port: int,
                     on_listening: Callable[[int], None]) -> None:
    """Serve until cancelled; `on_listening` gets the bound port (useful with port 0)."""
    # On stop: no new connection is accepted, and deliveries in flight get this long to
    # finish storing (their 200 means stored); the whole stop must fit in 10 s.
    runner = web.AppRunner(application, access_log=None, handle_signals=False,
                           shutdown_timeout=GRACE_SECONDS)
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
