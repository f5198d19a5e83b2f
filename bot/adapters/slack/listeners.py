"""The bolt app: one listener per kind of request, each translating and handing to the core.

`process_before_response=True`: an HTTP response (or Socket Mode ack) leaves only when the
listener returns, so an event is acknowledged once it is stored, and a failure answers 500
(no ack in Socket Mode) for Slack to deliver it again. Commands and shortcuts ack at once and
answer from a background task (Slack allows 3 seconds for the ack).
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.error import BoltUnhandledRequestError
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters import Dispatch
from bot.adapters.slack.calls import slack_call
from bot.adapters.slack.chat import SlackChat
from bot.adapters.slack.delivery import EventInbox
from bot.adapters.slack.directory import SlackDirectory
from bot.adapters.slack.inbound import PLATFORM, Workspace, read_command, team_of_request
from bot.adapters.slack.shortcut import (
    ISSUES_BLOCK,
    MODAL_ID,
    SHORTCUT_ID,
    build_modal,
    read_submission,
)
from bot.adapters.slack.tasks import BackgroundTasks
from bot.errors import UserError
from bot.i18n import Translator
from bot.messages import Conversation, IncomingMessage, TagsChosen
from bot.ports import Clock
from bot.workplan import WorkPlan

log = logging.getLogger(__name__)
ANY = re.compile(".*")


@dataclass(frozen=True, slots=True)
class SlackParts:
    """Everything the listeners use, built once the workspace is known."""

    client: AsyncWebClient
    chat: SlackChat
    tasks: BackgroundTasks
    directory: SlackDirectory
    workspace: Workspace
    clock: Clock
    plan: WorkPlan
    tr: Translator
    prefix: str


class SlackListeners:
    def __init__(self, parts: SlackParts, inbox: EventInbox, dispatch: Dispatch) -> None:
        self._p = parts
        self._inbox = inbox
        self._dispatch = dispatch

    def _foreign(self, body: dict[str, Any]) -> bool:
        """A request from another workspace (checked in each listener: a global bolt
        middleware would cost every event an extra argument-injection round)."""
        team = team_of_request(body)
        if team is None or team == self._p.workspace.team_id:
            return False
        log.warning("refused a Slack request from another workspace (%s)", team)
        return True

    async def receive_event(self, body: dict[str, Any]) -> None:
        """One Events API delivery; returns once stored (the caller then acknowledges)."""
        if not self._foreign(body):  # refused with a 200 all the same: Slack must not retry
            await self._inbox.deliver(body)

    async def on_event(self, body: dict[str, Any], ack: AsyncAck) -> None:
        await self.receive_event(body)
        await ack()

    async def on_command(self, body: dict[str, Any], ack: AsyncAck) -> None:
        if self._foreign(body):
            await ack(self._p.tr("slack.other_workspace"))
            return
        await ack()
        msg = read_command(body, self._p.prefix, self._p.clock.now())
        self._p.tasks.spawn(self._answer_command(msg), name=f"command {msg.message_id}")

    async def _answer_command(self, msg: IncomingMessage) -> None:
        # Answered at msg.answer_to, the response_url; a failure the router could not answer
        # (the database down before the command ran) gets a reference here.
        [outcome] = await self._dispatch([msg])
        if outcome.error is not None:
            ref = secrets.token_hex(3)
            log.error("slash command failed (ref %s) in %s", ref, msg.where,
                      exc_info=outcome.error)
            await self._p.chat.send_private(msg.where, msg.sender_id,
                                            self._p.tr("error.internal", ref=ref),
                                            answer_to=msg.answer_to)

    async def on_shortcut(self, shortcut: dict[str, Any], ack: AsyncAck) -> None:
        await ack()
        if self._foreign(shortcut):
            return
        channel = str((shortcut.get("channel") or {}).get("id", ""))
        message = shortcut.get("message") or {}
        if not self._p.directory.follows(channel):
            where, user_id = Conversation(PLATFORM, channel), str(shortcut["user"]["id"])
            self._p.tasks.spawn(self._confirm(where, user_id, self._p.tr("slack.not_followed"),
                                              str(shortcut.get("response_url") or "") or None),
                                name="shortcut refusal")
            return
        view = build_modal(self._p.plan, self._p.tr, channel, str(message.get("ts", "")),
                           str(message.get("text", "")))
        # A trigger_id is valid for 3 seconds: open the modal right away.
        self._p.tasks.spawn(self._open(str(shortcut["trigger_id"]), view), name="tag modal")

    async def _open(self, trigger_id: str, view: dict[str, Any]) -> None:
        await slack_call(self._p.client.views_open(trigger_id=trigger_id, view=view),
                         "views.open")

    async def on_submission(self, body: dict[str, Any], view: dict[str, Any],
                            ack: AsyncAck) -> None:
        """Stored before the modal closes; if storing fails the modal stays open to retry."""
        p = self._p
        user_id = str(body["user"]["id"])
        picked = read_submission(view, p.plan)
        if picked is None or self._foreign(body):
            await ack()
            return
        if not picked.tags.issues:
            await ack(response_action="errors",
                      errors={ISSUES_BLOCK: p.tr("slack.modal.pick_issue")})
            return
        where = Conversation(PLATFORM, picked.ref.conversation_id)
        [outcome] = await self._dispatch([TagsChosen(
            where, picked.ref.message_id, user_id, picked.tags.issues, picked.tags.kinds,
            p.clock.now())])  # the core confirms to the member
        if isinstance(outcome.error, UserError):  # the message is not stored
            await ack(response_action="errors", errors={ISSUES_BLOCK: outcome.error.user_text})
        elif outcome.error is not None:
            ref = secrets.token_hex(3)
            log.error("tagging from the shortcut failed (ref %s)", ref, exc_info=outcome.error)
            await ack(response_action="errors",
                      errors={ISSUES_BLOCK: p.tr("slack.save_failed", ref=ref)})
        else:
            await ack()

    async def _confirm(self, where: Conversation, user_id: str, text: str,
                       answer_to: str | None = None) -> None:
        await self._p.chat.send_private(where, user_id, text, answer_to=answer_to)

    async def ack_only(self, ack: AsyncAck) -> None:
        await ack()

    async def on_error(self, error: Exception) -> BoltResponse | None:
        if isinstance(error, BoltUnhandledRequestError):
            return BoltResponse(status=200, body="")  # never a 404 that Slack would retry
        # The status stays 500 (bolt set it): Slack delivers the event again.
        log.error("Slack request failed: %s: %s", type(error).__name__, error,
                  exc_info=error)
        return None


def build_app(client: AsyncWebClient, signing_secret: str | None,
              listeners: SlackListeners) -> AsyncApp:
    bolt_log = logging.getLogger("bot.adapters.slack.bolt")
    # Bolt logs whole request bodies (user text) at INFO when a signature fails.
    bolt_log.setLevel(max(bolt_log.getEffectiveLevel(), logging.WARNING))
    app = AsyncApp(client=client, signing_secret=signing_secret, logger=bolt_log,
                   process_before_response=True, raise_error_for_unhandled_request=True,
                   request_verification_enabled=signing_secret is not None,
                   attaching_conversation_kwargs_enabled=False)
    app.event(ANY)(listeners.on_event)
    app.command(ANY)(listeners.on_command)
    app.shortcut(SHORTCUT_ID)(listeners.on_shortcut)
    app.view_submission(MODAL_ID)(listeners.on_submission)
    for register in (app.shortcut, app.action, app.view):
        register(ANY)(listeners.ack_only)
    app.error(listeners.on_error)
    return app
