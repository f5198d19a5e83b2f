"""A fake Slack on a loopback port: Web API, response_url hooks, file uploads and Socket Mode.

One aiohttp server on ``127.0.0.1`` with an ephemeral port plays every Slack host the bot
talks to:

* ``/api/{method}``: the Web API. Point clients at it with
  ``AsyncWebClient(token=fake.bot_token, base_url=fake.api_url)``.
* ``/upload/{file_id}``: the ``upload_url`` handed out by ``files.getUploadURLExternal``.
* ``/response/{id}``: ``response_url`` hooks (``fake.response_url()`` makes one).
* ``/link/``: the Socket Mode websocket that ``apps.connections.open`` points to.

Every Web API call is recorded (``fake.api_calls`` / ``fake.calls(method)``) with its merged
query, form and JSON arguments and headers. Side effects of bot handlers happen after the
HTTP ack, so wait for them with ``await fake.wait_for_call(...)``; nothing here polls or sleeps.

    async with FakeSlack() as fake:
        client = AsyncWebClient(token=fake.bot_token, base_url=fake.api_url)
        await client.chat_postMessage(channel="C0GENERAL", text="hi")
        assert fake.calls("chat.postMessage")[0].args["text"] == "hi"
"""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import TracebackType
from typing import Any, Self, TypeVar
from urllib.parse import parse_qsl

from aiohttp import WSCloseCode, WSMsgType, web
from multidict import CIMultiDict, CIMultiDictProxy

from tests.support.slack_signing import API_APP_ID, BOT_ID, BOT_USER_ID, TEAM_DOMAIN, TEAM_ID

T = TypeVar("T")

BOT_TOKEN = "xoxb-0000000001-0000000002-fakebottokenplenary"
APP_TOKEN = "xapp-1-A0APP0001-0000000003-fakeapptokenplenary"

# Arguments each method requires. A missing one gets ``invalid_arguments`` like Slack does.
REQUIRED_ARGS: dict[str, tuple[str, ...]] = {
    "auth.test": (),
    "chat.postMessage": ("channel",),
    "chat.postEphemeral": ("channel", "user"),
    "chat.update": ("channel", "ts"),
    "chat.getPermalink": ("channel", "message_ts"),
    "conversations.join": ("channel",),
    "conversations.info": ("channel",),
    "conversations.open": (),  # ``users`` or ``channel``, checked in the handler
    "conversations.history": ("channel",),
    "conversations.replies": ("channel", "ts"),
    "users.info": ("user",),
    "usergroups.users.list": ("usergroup",),
    "views.open": ("trigger_id", "view"),
    "files.getUploadURLExternal": ("filename", "length"),
    "files.completeUploadExternal": ("files",),
    "apps.connections.open": (),
    "reactions.add": ("channel", "timestamp", "name"),
}
APP_TOKEN_METHODS = frozenset({"apps.connections.open"})


@dataclass
class ApiCall:
    """One Web API request as the fake received it, and what it answered."""

    method: str
    http_verb: str
    args: dict[str, Any]  # query + form + JSON merged; form/query values are strings
    headers: CIMultiDictProxy[str]
    content_type: str
    body: bytes  # raw body (empty for GET and for multipart)
    token: str | None  # from ``Authorization: Bearer ...``
    status: int = 200
    response: dict[str, Any] | None = None  # None when the connection was dropped
    received_at: float = field(default_factory=time.monotonic)

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.response and self.response.get("ok"))


@dataclass(frozen=True)
class ResponseUrlPost:
    """A POST to a ``response_url`` (``respond()`` in bolt)."""

    hook_id: str
    body: bytes
    json: Any  # parsed body, or None if it was not JSON
    headers: CIMultiDictProxy[str]


@dataclass
class Upload:
    """A file announced with ``files.getUploadURLExternal``."""

    file_id: str
    filename: str
    length: int
    upload_url: str
    data: bytes | None = None  # set once the client POSTs to ``upload_url``
    title: str | None = None  # the rest is set by ``files.completeUploadExternal``
    completed: bool = False
    channel_id: str | None = None
    initial_comment: str | None = None
    thread_ts: str | None = None


@dataclass(frozen=True)
class SocketAck:
    """A message the Socket Mode client sent back carrying an ``envelope_id``."""

    envelope_id: str
    payload: dict[str, Any] | None
    raw: dict[str, Any]


@dataclass(frozen=True)
class _Scripted:
    status: int
    body: dict[str, Any] | None  # None: drop the connection without answering
    headers: Mapping[str, str]


_ids = itertools.count(1)


def _new_id(prefix: str) -> str:
    return f"{prefix}0{next(_ids):08d}"


def socket_envelope(
    type: str,
    payload: dict[str, Any],
    *,
    envelope_id: str | None = None,
    accepts_response_payload: bool | None = None,
    retry_attempt: int = 0,
    retry_reason: str = "",
) -> dict[str, Any]:
    """A Socket Mode envelope. ``type`` is ``events_api``, ``slash_commands`` or
    ``interactive``; ``payload`` is what the HTTP body would carry, as a dict."""
    envelope: dict[str, Any] = {
        "envelope_id": envelope_id if envelope_id is not None else secrets.token_hex(8),
        "type": type,
        "payload": payload,
        "accepts_response_payload": (
            type != "events_api" if accepts_response_payload is None else accepts_response_payload
        ),
    }
    if type == "events_api":
        envelope["retry_attempt"] = retry_attempt
        envelope["retry_reason"] = retry_reason
    return envelope


def _flag(value: Any) -> bool:
    return value is True or value in ("true", "1", 1)


def _error(error: str, **extra: Any) -> dict[str, Any]:
    return {"ok": False, "error": error, **extra}


def _maybe_json(value: Any) -> Any:
    """Form-encoded calls carry JSON-typed args (blocks, view, metadata) as strings."""
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class FakeSlack:
    """Loopback stand-in for slack.com. Use as ``async with FakeSlack() as fake:``.

    State is seeded with ``add_user``/``add_channel``/``add_usergroup``/``add_message``.
    Unknown ``U…``/``W…`` users and ``C…`` (public) / ``G…`` (private) channels are created
    on first use, so tests only seed what they assert on.
    """

    def __init__(
        self,
        *,
        bot_token: str = BOT_TOKEN,
        app_token: str = APP_TOKEN,
        team_id: str = TEAM_ID,
        team_domain: str = TEAM_DOMAIN,
        app_id: str = API_APP_ID,
        bot_user_id: str = BOT_USER_ID,
        bot_id: str = BOT_ID,
    ) -> None:
        self.bot_token = bot_token
        self.app_token = app_token
        self.team_id = team_id
        self.team_domain = team_domain
        self.app_id = app_id
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id

        self.api_calls: list[ApiCall] = []
        self.response_posts: list[ResponseUrlPost] = []
        self.uploads: dict[str, Upload] = {}
        self.socket_acks: list[SocketAck] = []
        self.socket_received: list[dict[str, Any]] = []  # everything the client sent
        self.socket_connections = 0  # websocket connections accepted so far
        self.delays: dict[str, float] = {}

        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, dict[str, Any]] = {}
        self.usergroups: dict[str, list[str]] = {}
        self._messages: dict[str, list[dict[str, Any]]] = {}
        self._dms: dict[str, str] = {}
        self._used_triggers: set[str] = set()
        self._tickets: set[str] = set()
        self._scripted: dict[str, deque[_Scripted]] = {}
        self._sockets: list[web.WebSocketResponse] = []
        self._last_ts_us = 0
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

        self.add_user(bot_user_id, "plenary", "Plenary", is_bot=True)
        self._handlers: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "chat.getPermalink": self._chat_get_permalink,
            "conversations.join": self._conversations_join,
            "conversations.info": self._conversations_info,
            "conversations.open": self._conversations_open,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "users.info": self._users_info,
            "usergroups.users.list": self._usergroups_users_list,
            "views.open": self._views_open,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
            "apps.connections.open": self._apps_connections_open,
            "reactions.add": self._reactions_add,
        }

    # --- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> Self:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_post("/upload/{file_id}", self._handle_upload)
        app.router.add_post("/response/{hook_id}", self._handle_response_url)
        app.router.add_get("/link/", self._handle_socket)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])
        return self

    async def close(self) -> None:
        for ws in list(self._sockets):
            await ws.close(code=WSCloseCode.GOING_AWAY, message=b"fake slack shutting down")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeSlack is not started")
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """Web API base URL, with the trailing slash ``slack_sdk`` needs."""
        return f"{self.base_url}/api/"

    def response_url(self, hook_id: str | None = None) -> str:
        """A ``response_url`` served by this fake; put it in slash/shortcut payloads."""
        return f"{self.base_url}/response/{hook_id or secrets.token_hex(6)}"

    # --- seeding ------------------------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        name: str | None = None,
        real_name: str | None = None,
        *,
        tz: str = "Europe/Brussels",
        is_bot: bool = False,
        email: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        name = name or user_id.lower()
        real_name = real_name or name.title()
        user: dict[str, Any] = {
            "id": user_id,
            "team_id": self.team_id,
            "name": name,
            "deleted": False,
            "real_name": real_name,
            "tz": tz,
            "tz_label": "Central European Time",
            "tz_offset": 3600,
            "is_admin": False,
            "is_owner": False,
            "is_bot": is_bot,
            "is_app_user": False,
            "updated": 1718000000,
            "profile": {
                "real_name": real_name,
                "display_name": name,
                "real_name_normalized": real_name,
                "display_name_normalized": name,
                "email": email or f"{name}@example.org",
                "team": self.team_id,
                "image_72": "https://example.org/avatar.png",
            },
        }
        if is_bot:
            user["profile"]["bot_id"] = self.bot_id if user_id == self.bot_user_id else "B0OTHER01"
            user["profile"].pop("email")
        user.update(extra)
        self.users[user_id] = user
        return user

    def add_channel(
        self,
        channel_id: str,
        name: str | None = None,
        *,
        is_private: bool = False,
        is_member: bool = False,
        **extra: Any,
    ) -> dict[str, Any]:
        is_im = channel_id.startswith("D")
        channel: dict[str, Any] = {
            "id": channel_id,
            "name": name or channel_id.lower(),
            "is_channel": not is_private and not is_im,
            "is_group": is_private and not is_im,
            "is_im": is_im,
            "is_mpim": False,
            "is_private": is_private or is_im,
            "is_archived": False,
            "is_general": False,
            "is_shared": False,
            "is_ext_shared": False,
            "is_org_shared": False,
            "is_member": is_member or is_im,
            "created": 1718000000,
            "creator": "U0ALICE01",
            "context_team_id": self.team_id,
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
        }
        if is_im:
            channel.pop("name")
        channel.update(extra)
        self.channels[channel_id] = channel
        return channel

    def add_usergroup(self, usergroup_id: str, user_ids: list[str]) -> None:
        self.usergroups[usergroup_id] = list(user_ids)

    def add_message(
        self,
        channel: str,
        text: str,
        *,
        user: str = "U0ALICE01",
        ts: str | None = None,
        thread_ts: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """Put a (human) message into a channel's history, as if posted in Slack."""
        message: dict[str, Any] = {
            "type": "message",
            "user": user,
            "text": text,
            "ts": ts or self._new_ts(),
            "team": self.team_id,
        }
        if thread_ts is not None:
            message["thread_ts"] = thread_ts
        message.update(extra)
        self._store_message(channel, message)
        return message

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """All messages stored for ``channel`` (posted or seeded), oldest first."""
        return list(self._messages.get(channel, []))

    # --- faults -------------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        status: int = 429,
        retry_after: int | None = 1,
        *,
        error: str | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with an HTTP error status.

        429 carries ``Retry-After`` (unless ``retry_after`` is None) and ``ratelimited``.
        """
        defaults = {429: "ratelimited", 500: "internal_error", 503: "service_unavailable"}
        headers: dict[str, str] = {}
        if status == 429 and retry_after is not None:
            headers["Retry-After"] = str(retry_after)
        body = _error(error or defaults.get(status, "request_failed"))
        self._script(method, _Scripted(status, body, headers), times)

    def error_next(self, method: str, error: str, *, times: int = 1, **fields: Any) -> None:
        """Answer the next calls of ``method`` with HTTP 200 ``{"ok": false, "error": ...}``."""
        self._script(method, _Scripted(200, _error(error, **fields), {}), times)

    def respond_next(
        self,
        method: str,
        body: dict[str, Any],
        *,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next calls of ``method`` with exactly ``body`` (no state changes)."""
        self._script(method, _Scripted(status, body, dict(headers or {})), times)

    def drop_next(self, method: str, *, times: int = 1) -> None:
        """Close the connection without answering the next calls of ``method``."""
        self._script(method, _Scripted(0, None, {}), times)

    def set_delay(self, method: str, seconds: float) -> None:
        """Hold every answer to ``method`` back by ``seconds`` (0 removes the delay)."""
        if seconds > 0:
            self.delays[method] = seconds
        else:
            self.delays.pop(method, None)

    def _script(self, method: str, scripted: _Scripted, times: int) -> None:
        self._scripted.setdefault(method, deque()).extend([scripted] * times)

    # --- inspection and waiting ---------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[ApiCall]:
        """Recorded Web API calls, oldest first, optionally of one method."""
        return [c for c in self.api_calls if method is None or c.method == method]

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[ApiCall], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - the harness API takes a timeout
        *,
        count: int = 1,
    ) -> ApiCall:
        """Return the ``count``-th call of ``method`` matching ``predicate`` (past calls
        count too), waiting for it to arrive. Raises ``TimeoutError``."""

        def check() -> ApiCall | None:
            found = [c for c in self.calls(method) if predicate is None or predicate(c)]
            return found[count - 1] if len(found) >= count else None

        return await self._wait(check, timeout, f"{count} matching {method} call(s)")

    async def wait_for_response_post(
        self,
        hook_id: str | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> ResponseUrlPost:
        """The first POST to ``response_url`` ``hook_id`` (any hook if None)."""

        def check() -> ResponseUrlPost | None:
            found = [p for p in self.response_posts if hook_id in (None, p.hook_id)]
            return found[0] if found else None

        return await self._wait(check, timeout, f"a response_url post to {hook_id or 'any'}")

    async def _wait(self, check: Callable[[], T | None], seconds: float, what: str) -> T:
        try:
            async with asyncio.timeout(seconds):
                async with self._changed:
                    result = await self._changed.wait_for(check)
        except TimeoutError:
            seen = [c.method for c in self.api_calls]
            raise TimeoutError(
                f"FakeSlack: no {what} within {seconds}s; API calls so far: {seen}"
            ) from None
        assert result is not None
        return result

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # --- Socket Mode --------------------------------------------------------------------------

    async def wait_for_socket(
        self,
        timeout: float = 5.0,  # noqa: ASYNC109
        *,
        connections: int = 1,
    ) -> None:
        """Wait until a Socket Mode client is connected and has been sent ``hello``, and
        ``connections`` connections were accepted in total (2 = after one reconnect)."""

        def check() -> bool | None:
            return (bool(self._sockets) and self.socket_connections >= connections) or None

        await self._wait(check, timeout, f"socket connection #{connections}")

    async def socket_push(
        self,
        envelope: dict[str, Any],
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> str:
        """Send an envelope to the newest connected client; returns its ``envelope_id``."""
        await self.wait_for_socket(timeout)
        await self._sockets[-1].send_json(envelope)
        return str(envelope.get("envelope_id", ""))

    async def wait_for_ack(
        self,
        envelope_id: str,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> SocketAck:
        def check() -> SocketAck | None:
            return next((a for a in self.socket_acks if a.envelope_id == envelope_id), None)

        return await self._wait(check, timeout, f"an ack for envelope {envelope_id}")

    async def socket_disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask connected clients to reconnect, as Slack does before rotating a socket."""
        message = {"type": "disconnect", "reason": reason, "debug_info": {"host": "fake-slack"}}
        for ws in list(self._sockets):
            await ws.send_json(message)

    async def _handle_socket(self, request: web.Request) -> web.StreamResponse:
        if request.query.get("ticket") not in self._tickets:
            return web.Response(status=401, text="invalid ticket")
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": len(self._sockets) + 1,
                "debug_info": {
                    "host": "fake-slack",
                    "build_number": 1,
                    "approximate_connection_time": 18060,
                },
                "connection_info": {"app_id": self.app_id},
            }
        )
        self._sockets.append(ws)
        self.socket_connections += 1
        await self._notify()
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                data = json.loads(msg.data)
                self.socket_received.append(data)
                if isinstance(data, dict) and "envelope_id" in data:
                    payload = data.get("payload")
                    self.socket_acks.append(
                        SocketAck(
                            str(data["envelope_id"]),
                            payload if isinstance(payload, dict) else None,
                            data,
                        )
                    )
                await self._notify()
        finally:
            self._sockets.remove(ws)
            await self._notify()
        return ws

    # --- HTTP handlers ------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        args, body, parse_error = await self._parse_args(request)
        auth = request.headers.get("Authorization", "")
        token = auth[len("Bearer ") :].strip() if auth.startswith("Bearer ") else None
        call = ApiCall(
            method=method,
            http_verb=request.method,
            args=args,
            headers=CIMultiDictProxy(CIMultiDict(request.headers)),
            content_type=request.content_type,
            body=body,
            token=token,
        )
        queue = self._scripted.get(method)
        headers: Mapping[str, str] = {}
        if queue:
            scripted = queue.popleft()
            call.status, call.response, headers = scripted.status, scripted.body, scripted.headers
        elif parse_error is not None:
            call.response = _error(parse_error)
        else:
            call.response = self._answer(method, token, args)
        self.api_calls.append(call)
        await self._notify()

        delay = self.delays.get(method)
        if delay:
            await asyncio.sleep(delay)
        if call.response is None:
            # Close the socket under the request; aiohttp then fails to write the response
            # below with a ConnectionError, which it drops quietly (no error log).
            if request.transport is not None:
                request.transport.close()
            return web.Response(status=500)
        return web.json_response(call.response, status=call.status, headers=dict(headers))

    async def _parse_args(self, request: web.Request) -> tuple[dict[str, Any], bytes, str | None]:
        args: dict[str, Any] = dict(request.query)
        if request.content_type.startswith("multipart/"):
            form = await request.post()
            for key, value in form.items():
                args[key] = value.file.read() if isinstance(value, web.FileField) else value
            return args, b"", None
        body = await request.read()
        if not body:
            return args, body, None
        if request.content_type == "application/json":
            try:
                parsed = json.loads(body)
            except ValueError:
                return args, body, "invalid_json"
            if not isinstance(parsed, dict):
                return args, body, "invalid_json"
            args.update(parsed)
        else:
            args.update(parse_qsl(body.decode(), keep_blank_values=True))
        return args, body, None

    async def _handle_upload(self, request: web.Request) -> web.StreamResponse:
        upload = self.uploads.get(request.match_info["file_id"])
        data = await request.read()
        if upload is None:
            return web.Response(status=404, text="upload not found")
        upload.data = data
        await self._notify()
        return web.Response(text=f"OK - {len(data)}", content_type="text/plain")

    async def _handle_response_url(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        try:
            parsed: Any = json.loads(body)
        except ValueError:
            parsed = None
        self.response_posts.append(
            ResponseUrlPost(
                request.match_info["hook_id"],
                body,
                parsed,
                CIMultiDictProxy(CIMultiDict(request.headers)),
            )
        )
        await self._notify()
        return web.Response(text="ok", content_type="text/plain")

    # --- Web API methods ----------------------------------------------------------------------

    def _answer(self, method: str, token: str | None, args: dict[str, Any]) -> dict[str, Any]:
        if not token:
            return _error("not_authed")
        if method in APP_TOKEN_METHODS:
            if not token.startswith("xapp-"):
                return _error("not_allowed_token_type")
            if token != self.app_token:
                return _error("invalid_auth")
        else:
            if token.startswith("xapp-"):
                return _error("not_allowed_token_type")
            if token != self.bot_token:
                return _error("invalid_auth")
        handler = self._handlers.get(method)
        if handler is None:
            return _error("unknown_method", req_method=method)
        missing = [name for name in REQUIRED_ARGS.get(method, ()) if args.get(name) in (None, "")]
        if missing:
            return _error(
                "invalid_arguments",
                response_metadata={
                    "messages": [f"[ERROR] missing required field: {name}" for name in missing]
                },
            )
        return handler(args)

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": f"https://{self.team_domain}.slack.com/",
            "team": "Plenary Test",
            "user": self.users[self.bot_user_id]["name"],
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _chat_post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._resolve_channel(str(args["channel"]))
        if channel is None:
            return _error("channel_not_found")
        blocks = _maybe_json(args.get("blocks"))
        if not (args.get("text") or blocks or args.get("attachments")):
            return _error("no_text")
        if isinstance(blocks, list) and len(blocks) > 50:
            return _error("invalid_blocks")
        ts = self._new_ts()
        message = self._bot_message(args, ts, blocks)
        thread_ts = args.get("thread_ts")
        if thread_ts:
            message["thread_ts"] = str(thread_ts)
            message["parent_user_id"] = self._parent_user(channel, str(thread_ts))
            if _flag(args.get("reply_broadcast")):
                message["subtype"] = "thread_broadcast"
        self._store_message(channel, message)
        return {"ok": True, "channel": channel, "ts": ts, "message": dict(message)}

    def _chat_post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        if self._resolve_channel(str(args["channel"])) is None:
            return _error("channel_not_found")
        if not (args.get("text") or args.get("blocks") or args.get("attachments")):
            return _error("no_text")
        return {"ok": True, "message_ts": self._new_ts()}

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args["channel"])
        message = self._find_message(channel, str(args["ts"]))
        if message is None:
            return _error("message_not_found")
        if message.get("user") != self.bot_user_id:
            return _error("cant_update_message")
        for key in ("text", "blocks", "attachments", "metadata"):
            if key in args:
                message[key] = _maybe_json(args[key])
        message["edited"] = {"user": self.bot_user_id, "ts": self._new_ts()}
        return {
            "ok": True,
            "channel": channel,
            "ts": message["ts"],
            "text": message.get("text", ""),
            "message": dict(message),
        }

    def _chat_get_permalink(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(args["channel"]), str(args["message_ts"])
        if self._resolve_channel(channel) is None:
            return _error("channel_not_found")
        link = f"https://{self.team_domain}.slack.com/archives/{channel}/p{ts.replace('.', '')}"
        message = self._find_message(channel, ts)
        if message is not None and message.get("thread_ts") not in (None, ts):
            link += f"?thread_ts={message['thread_ts']}&cid={channel}"
        return {"ok": True, "channel": channel, "permalink": link}

    def _conversations_join(self, args: dict[str, Any]) -> dict[str, Any]:
        channel_id = self._resolve_channel(str(args["channel"]))
        if channel_id is None:
            return _error("channel_not_found")
        channel = self.channels[channel_id]
        if channel["is_private"]:
            return _error("method_not_supported_for_channel_type")
        already_member = bool(channel["is_member"])
        channel["is_member"] = True
        answer: dict[str, Any] = {"ok": True, "channel": dict(channel)}
        if already_member:
            answer["warning"] = "already_in_channel"
            answer["response_metadata"] = {"warnings": ["already_in_channel"]}
        return answer

    def _conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        channel_id = self._resolve_channel(str(args["channel"]))
        if channel_id is None:
            return _error("channel_not_found")
        return {"ok": True, "channel": dict(self.channels[channel_id])}

    def _conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("channel"):
            channel_id = self._resolve_channel(str(args["channel"]))
            if channel_id is None:
                return _error("channel_not_found")
            return {"ok": True, "channel": {"id": channel_id}}
        users = [u for u in str(args.get("users") or "").split(",") if u]
        if not users:
            return _error("users_list_not_supplied")
        if len(users) > 1:
            return _error("method_not_supported_for_channel_type")  # MPIMs are out of scope
        already_open = users[0] in self._dms
        dm_id = self._dm_for(users[0])
        channel = self.channels[dm_id] if _flag(args.get("return_im")) else {"id": dm_id}
        answer: dict[str, Any] = {"ok": True, "channel": dict(channel)}
        if already_open:
            answer.update(no_op=True, already_open=True)
        return answer

    def _conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        channel_id = self._resolve_channel(str(args["channel"]))
        if channel_id is None:
            return _error("channel_not_found")
        inclusive = _flag(args.get("inclusive"))
        oldest = Decimal(str(args.get("oldest") or 0))
        latest = Decimal(str(args["latest"])) if args.get("latest") else Decimal("Infinity")
        found = [
            m
            for m in reversed(self._messages.get(channel_id, []))  # newest first, like Slack
            if m.get("thread_ts") in (None, m["ts"]) or m.get("subtype") == "thread_broadcast"
            if (oldest <= Decimal(m["ts"]) <= latest)
            and (inclusive or Decimal(m["ts"]) not in (oldest, latest))
        ]
        return self._page(found, args, _flag(args.get("include_all_metadata")))

    def _conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        channel_id = self._resolve_channel(str(args["channel"]))
        if channel_id is None:
            return _error("channel_not_found")
        ts = str(args["ts"])
        parent = self._find_message(channel_id, ts)
        if parent is None:
            return _error("thread_not_found")
        root = str(parent.get("thread_ts") or ts)
        found = [
            m
            for m in self._messages.get(channel_id, [])
            if m["ts"] == root or m.get("thread_ts") == root
        ]
        return self._page(found, args, _flag(args.get("include_all_metadata")))

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user_id = str(args["user"])
        if user_id not in self.users:
            if not user_id.startswith(("U", "W")):
                return _error("user_not_found")
            self.add_user(user_id)
        return {"ok": True, "user": self.users[user_id]}

    def _usergroups_users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        users = self.usergroups.get(str(args["usergroup"]))
        if users is None:
            return _error("no_such_subteam")
        return {"ok": True, "users": list(users)}

    def _views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        trigger_id = str(args["trigger_id"])
        if trigger_id in self._used_triggers:
            return _error("exchanged_trigger_id")
        view = _maybe_json(args["view"])
        if not isinstance(view, dict):
            return _error("invalid_arguments")
        self._used_triggers.add(trigger_id)
        view_id = _new_id("V")
        opened = {
            "id": view_id,
            "team_id": self.team_id,
            "type": view.get("type", "modal"),
            "blocks": view.get("blocks", []),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": {}},
            "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
            "title": view.get("title"),
            "close": view.get("close"),
            "submit": view.get("submit"),
            "clear_on_close": False,
            "notify_on_close": False,
            "root_view_id": view_id,
            "previous_view_id": None,
            "app_id": self.app_id,
            "external_id": view.get("external_id", ""),
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }
        return {"ok": True, "view": opened}

    def _files_get_upload_url(self, args: dict[str, Any]) -> dict[str, Any]:
        try:
            length = int(args["length"])
        except (TypeError, ValueError):
            return _error("invalid_arguments")
        file_id = _new_id("F")
        url = f"{self.base_url}/upload/{file_id}"
        self.uploads[file_id] = Upload(file_id, str(args["filename"]), length, url)
        return {"ok": True, "upload_url": url, "file_id": file_id}

    def _files_complete_upload(self, args: dict[str, Any]) -> dict[str, Any]:
        files = _maybe_json(args["files"])
        if not isinstance(files, list) or not files:
            return _error("invalid_arguments")
        uploads: list[Upload] = []
        for entry in files:
            upload = self.uploads.get(str(entry.get("id"))) if isinstance(entry, dict) else None
            if upload is None or upload.data is None:
                return _error("file_not_found")
            upload.title = entry.get("title") or upload.filename
            uploads.append(upload)
        channel_id = args.get("channel_id") or None
        for upload in uploads:
            upload.completed = True
            upload.channel_id = channel_id
            upload.initial_comment = args.get("initial_comment") or None
            upload.thread_ts = args.get("thread_ts") or None
        return {"ok": True, "files": [self._file_object(u) for u in uploads]}

    def _apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        ticket = secrets.token_hex(8)
        self._tickets.add(ticket)
        url = f"ws://127.0.0.1:{self.port}/link/?ticket={ticket}&app_id={self.app_id}"
        return {"ok": True, "url": url}

    def _reactions_add(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._resolve_channel(str(args["channel"]))
        if channel is None:
            return _error("channel_not_found")
        message = self._find_message(channel, str(args["timestamp"]))
        if message is None:
            return _error("message_not_found")
        name = str(args["name"])
        reactions: list[dict[str, Any]] = message.setdefault("reactions", [])
        reaction = next((r for r in reactions if r["name"] == name), None)
        if reaction is None:
            reaction = {"name": name, "users": [], "count": 0}
            reactions.append(reaction)
        if self.bot_user_id in reaction["users"]:
            return _error("already_reacted")
        reaction["users"].append(self.bot_user_id)
        reaction["count"] += 1
        return {"ok": True}

    # --- helpers ------------------------------------------------------------------------------

    def _new_ts(self) -> str:
        """A fresh, strictly increasing Slack ``ts`` (``seconds.micros``)."""
        self._last_ts_us = max(int(time.time() * 1_000_000), self._last_ts_us + 1)
        return f"{self._last_ts_us // 1_000_000}.{self._last_ts_us % 1_000_000:06d}"

    def _resolve_channel(self, channel: str) -> str | None:
        """Channel id for ``channel`` (a user id means the DM with that user), creating
        unknown channels on first use; None if it can't be a channel."""
        if channel in self.channels:
            return channel
        if channel.startswith(("U", "W")):
            return self._dm_for(channel)
        if channel.startswith(("C", "G")):
            self.add_channel(channel, is_private=channel.startswith("G"))
            return channel
        return None

    def _dm_for(self, user_id: str) -> str:
        if user_id not in self._dms:
            dm_id = "D" + user_id[1:]
            self._dms[user_id] = dm_id
            self.add_channel(dm_id, user=user_id)
        return self._dms[user_id]

    def _bot_message(self, args: dict[str, Any], ts: str, blocks: Any) -> dict[str, Any]:
        message: dict[str, Any] = {
            "user": self.bot_user_id,
            "type": "message",
            "ts": ts,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "text": str(args.get("text") or ""),
            "team": self.team_id,
            "bot_profile": {
                "id": self.bot_id,
                "app_id": self.app_id,
                "name": "plenary",
                "deleted": False,
                "team_id": self.team_id,
            },
        }
        if blocks:
            message["blocks"] = blocks
        if args.get("attachments"):
            message["attachments"] = _maybe_json(args["attachments"])
        metadata = _maybe_json(args.get("metadata"))
        if isinstance(metadata, dict):
            message["metadata"] = metadata
        return message

    def _store_message(self, channel: str, message: dict[str, Any]) -> None:
        channel_id = self._resolve_channel(channel) or channel
        messages = self._messages.setdefault(channel_id, [])
        messages.append(message)
        messages.sort(key=lambda m: Decimal(m["ts"]))  # ts strings compare exactly
        thread_ts = message.get("thread_ts")
        if thread_ts and thread_ts != message["ts"]:
            parent = self._find_message(channel_id, str(thread_ts))
            if parent is not None:
                parent["thread_ts"] = parent["ts"]
                parent["reply_count"] = int(parent.get("reply_count", 0)) + 1
                parent["latest_reply"] = message["ts"]

    def _find_message(self, channel: str, ts: str) -> dict[str, Any] | None:
        return next((m for m in self._messages.get(channel, []) if m["ts"] == ts), None)

    def _parent_user(self, channel: str, thread_ts: str) -> str | None:
        parent = self._find_message(channel, thread_ts)
        return None if parent is None else parent.get("user")

    def _page(
        self, messages: list[dict[str, Any]], args: dict[str, Any], with_metadata: bool
    ) -> dict[str, Any]:
        """Cursor pagination over ``messages``; metadata only if asked (as Slack does)."""
        limit = int(args.get("limit") or 100)
        cursor = str(args.get("cursor") or "")
        start = int(cursor.removeprefix("offset:")) if cursor.startswith("offset:") else 0
        page = messages[start : start + limit]
        has_more = start + limit < len(messages)
        out = []
        for m in page:
            copy = dict(m)
            if not with_metadata:
                copy.pop("metadata", None)
            out.append(copy)
        return {
            "ok": True,
            "messages": out,
            "has_more": has_more,
            "pin_count": 0,
            "response_metadata": {"next_cursor": f"offset:{start + limit}" if has_more else ""},
        }

    def _file_object(self, upload: Upload) -> dict[str, Any]:
        name = upload.filename
        ext = name.rsplit(".", 1)[-1].lower() if "." in name else "binary"
        return {
            "id": upload.file_id,
            "created": int(time.time()),
            "timestamp": int(time.time()),
            "name": name,
            "title": upload.title,
            "mimetype": "text/markdown" if ext == "md" else "application/octet-stream",
            "filetype": "markdown" if ext == "md" else ext,
            "user": self.bot_user_id,
            "user_team": self.team_id,
            "size": len(upload.data or b""),
            "is_external": False,
            "is_public": upload.channel_id is not None,
            "url_private": f"https://files.slack.com/files-pri/{self.team_id}-{upload.file_id}/{name}",
            "permalink": f"https://{self.team_domain}.slack.com/files/{self.bot_user_id}/"
            f"{upload.file_id}/{name}",
            "channels": [upload.channel_id] if upload.channel_id else [],
            "groups": [],
            "ims": [],
        }
