"""Slack: plenary as a Slack app on slack-bolt's AsyncApp, over HTTP or Socket Mode."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters import Dispatch
from bot.adapters.slack.calls import slack_call, slack_error
from bot.adapters.slack.chat import SlackChat
from bot.adapters.slack.delivery import EventInbox
from bot.adapters.slack.directory import SlackDirectory
from bot.adapters.slack.http import serve_http, web_app
from bot.adapters.slack.inbound import PLATFORM, Workspace
from bot.adapters.slack.listeners import SlackListeners, SlackParts, build_app
from bot.adapters.slack.reactions import ReactionPacer
from bot.adapters.slack.socket_mode import serve_socket_mode
from bot.adapters.slack.staff import SlackStaffGroup
from bot.adapters.slack.tasks import BackgroundTasks
from bot.errors import AdapterError, ConfigError
from bot.health import Health
from bot.i18n import Translator
from bot.platform_status import PlatformStatus
from bot.ports import Clock, StaffDirectory
from bot.settings import Settings
from bot.storage import Storage, is_outage
from bot.workplan import WorkPlan, load_workplan

__all__ = ["SlackAdapter"]

log = logging.getLogger(__name__)

SLACK_API_URL = "https://slack.com/api/"
WEB_API_TIMEOUT = 10  # seconds, every Web API call
# auth.test's answers for a token that will never work: wrong, revoked, or not a bot token.
_REFUSED_TOKEN = frozenset({"invalid_auth", "not_authed", "account_inactive", "token_revoked",
                            "token_expired", "not_allowed_token_type"})


def make_web_client(settings: Settings) -> AsyncWebClient:
    if settings.slack_bot_token is None:
        raise ConfigError("PLENARY_SLACK_BOT_TOKEN is not set")
    return AsyncWebClient(
        token=settings.slack_bot_token.get_secret_value(),
        base_url=settings.slack_api_url or SLACK_API_URL, timeout=WEB_API_TIMEOUT,
        retry_handlers=[AsyncConnectionErrorRetryHandler(max_retry_count=1),
                        AsyncRateLimitErrorRetryHandler(max_retry_count=2)])


class SlackAdapter:
    platform = PLATFORM

    def __init__(self, settings: Settings, storage: Storage, clock: Clock,
                 plan: WorkPlan | None = None, *, commands: frozenset[str],
                 health: Health | None = None) -> None:
        """`commands`: the core's command names, so that `@plenary digest` is one."""
        self._settings = settings
        self._health = health if health is not None else Health()
        self._health.expect(PLATFORM)
        self._commands = commands
        self._storage = storage
        self._clock = clock
        self._plan = plan if plan is not None else load_workplan(settings.workplan)
        self._client = make_web_client(settings)
        self._tr = Translator(settings.locale)
        self._tasks = BackgroundTasks()
        self._reactions = ReactionPacer(self._client)
        self._chat = SlackChat(self._client, self._tr, self._reactions)
        self._directory = SlackDirectory(self._client, settings.slack_channels)
        self._staff = (SlackStaffGroup(self._client, settings.slack_staff_group)
                       if settings.slack_staff_group else None)
        self.ready = asyncio.Event()
        self.port: int | None = None  # the HTTP port once listening (tests bind port 0)

    @property
    def chat(self) -> SlackChat:
        return self._chat

    def staff_directory(self) -> StaffDirectory | None:
        return self._staff

    async def settle(self) -> None:
        """Wait until the answers and reactions started so far have gone out."""
        await self._tasks.settle()
        await self._reactions.settle()

    async def serve(self, dispatch: Dispatch) -> None:
        # One connection pool for every Web API call (bolt's per-request clients share it).
        self._client.session = aiohttp.ClientSession()
        self._reactions.start()
        try:
            workspace = await self._identify()
            await self._directory.join_channels()
            listeners = self._listeners(workspace, dispatch)
            secret = self._secret()
            app = build_app(self._client, secret, listeners)
            if self._settings.slack_app_token is not None:
                await serve_socket_mode(app, self._settings.slack_app_token.get_secret_value(),
                                        self._connected)
            elif secret is None:
                raise ConfigError("PLENARY_SLACK_SIGNING_SECRET is required for the HTTP "
                                  "transport (or set PLENARY_SLACK_APP_TOKEN for Socket Mode)")
            else:
                await serve_http(web_app(app, secret, listeners.receive_event,
                                         self._health.ack_seconds.labels(PLATFORM).observe,
                                         self._count_failure),
                                 self._settings.http_host, self._settings.http_port,
                                 self._listening)
        finally:
            self._health.set_connected(PLATFORM, False)
            await self._tasks.drain()
            await self._reactions.close()
            await self._directory.close()
            await self._client.session.close()

    def _listening(self, port: int) -> None:
        self.port = port
        self._connected()

    async def status(self) -> PlatformStatus:
        return PlatformStatus(PLATFORM, self._health.connected.get(PLATFORM, False))

    def _count_failure(self, exc: Exception) -> None:
        if is_outage(exc):
            self._health.database_errors.inc()

    def _connected(self) -> None:
        self._health.set_connected(PLATFORM, True)
        self.ready.set()

    def _secret(self) -> str | None:
        secret = self._settings.slack_signing_secret
        return secret.get_secret_value() if secret is not None else None

    async def _identify(self) -> Workspace:
        try:
            me = await slack_call(self._client.auth_test(), "auth.test")
        except AdapterError as failure:
            cause = failure.__cause__
            if isinstance(cause, SlackApiError) and cause.response.get("error") in _REFUSED_TOKEN:
                # A settings mistake, told in one line (exit 2), not an outage.
                raise ConfigError(
                    f"PLENARY_SLACK_BOT_TOKEN: Slack refused the token "
                    f"({slack_error(cause)}); copy the Bot User OAuth Token "
                    "(xoxb-...) from your Slack app's OAuth & Permissions page") from None
            raise
        workspace = Workspace(team_id=str(me["team_id"]), bot_user_id=str(me["user_id"]),
                              bot_id=str(me.get("bot_id") or ""), url=str(me["url"]))
        log.info("Slack: signed in as %s in workspace %s", workspace.bot_user_id,
                 workspace.team_id)
        return workspace

    def _listeners(self, workspace: Workspace, dispatch: Dispatch) -> SlackListeners:
        parts = SlackParts(client=self._client, chat=self._chat, tasks=self._tasks,
                           directory=self._directory, workspace=workspace,
                           clock=self._clock, plan=self._plan,
                           tr=self._tr, prefix=self._settings.command_prefix)
        inbox = EventInbox(self._storage, self._clock, self._directory, workspace, dispatch,
                           self._settings.command_prefix, self._commands, self._health)
        return SlackListeners(parts, inbox, dispatch)
