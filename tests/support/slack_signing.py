"""Sign and build Slack request bodies the way Slack sends them to an app.

Implemented from Slack's documented algorithm (not from ``slack_sdk``), so a test using these
helpers checks the bot's verification independently:

    X-Slack-Signature = "v0=" + hex(HMAC-SHA256(signing_secret, f"v0:{timestamp}:{raw_body}"))

Body builders return the exact bytes to POST; sign those same bytes. Each body builder has a
``*_payload`` twin returning the dict, which is what a Socket Mode envelope carries.

The default IDs match the defaults of ``tests.support.fake_slack.FakeSlack``.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

TEAM_ID = "T0TEAM001"
TEAM_DOMAIN = "plenary-test"
API_APP_ID = "A0APP0001"
BOT_USER_ID = "U0BOT0001"
BOT_ID = "B0BOT0001"
VERIFICATION_TOKEN = "legacy-verification-token"

JSON_CONTENT_TYPE = "application/json"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"

_ids = itertools.count(1)


def _next_id(prefix: str) -> str:
    return f"{prefix}{next(_ids):09d}"


def sign(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """Return the two signature headers for ``body``; ``timestamp`` defaults to now."""
    ts = int(time.time()) if timestamp is None else timestamp
    base = b"v0:" + str(ts).encode() + b":" + body
    mac = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Signature": f"v0={mac}", "X-Slack-Request-Timestamp": str(ts)}


def signed_headers(
    secret: str, body: bytes, content_type: str, timestamp: int | None = None
) -> dict[str, str]:
    """``sign()`` plus the ``Content-Type`` header (JSON or form, matching the body)."""
    return {"Content-Type": content_type, **sign(secret, body, timestamp)}


# --- Events API -------------------------------------------------------------------------------


def event_callback_payload(
    event: dict[str, Any],
    team_id: str = TEAM_ID,
    api_app_id: str = API_APP_ID,
    event_id: str | None = None,
    *,
    event_time: int | None = None,
    bot_user_id: str = BOT_USER_ID,
) -> dict[str, Any]:
    """The Events API outer envelope around ``event`` (``type: event_callback``)."""
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "api_app_id": api_app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id if event_id is not None else _next_id("Ev"),
        "event_time": int(time.time()) if event_time is None else event_time,
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": "4-fake-event-context",
    }


def event_callback(
    event: dict[str, Any],
    team_id: str = TEAM_ID,
    api_app_id: str = API_APP_ID,
    event_id: str | None = None,
    *,
    event_time: int | None = None,
    bot_user_id: str = BOT_USER_ID,
) -> bytes:
    """JSON body of an Events API request (POST with ``Content-Type: application/json``)."""
    payload = event_callback_payload(
        event, team_id, api_app_id, event_id, event_time=event_time, bot_user_id=bot_user_id
    )
    return json.dumps(payload).encode()


def message_event(
    text: str,
    *,
    user: str = "U0ALICE01",
    channel: str = "C0GENERAL",
    ts: str | None = None,
    thread_ts: str | None = None,
    team: str = TEAM_ID,
    **extra: Any,
) -> dict[str, Any]:
    """A plain channel ``message`` event (no subtype). ``extra`` fields are merged in."""
    ts = ts if ts is not None else f"{int(time.time())}.{next(_ids) % 1_000_000:06d}"
    event: dict[str, Any] = {
        "type": "message",
        "user": user,
        "text": text,
        "ts": ts,
        "channel": channel,
        "channel_type": "channel" if channel.startswith("C") else "group",
        "event_ts": ts,
        "team": team,
        "client_msg_id": f"{next(_ids):08d}-0000-4000-8000-000000000000",
    }
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
    event.update(extra)
    return event


def url_verification_payload(challenge: str) -> dict[str, Any]:
    return {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}


def url_verification(challenge: str) -> bytes:
    """JSON body of the ``url_verification`` handshake; bolt answers ``{"challenge": ...}``."""
    return json.dumps(url_verification_payload(challenge)).encode()


# --- slash commands ---------------------------------------------------------------------------


def slash_command_payload(
    command: str,
    text: str,
    user_id: str,
    channel_id: str,
    team_id: str = TEAM_ID,
    response_url: str = "https://hooks.slack.com/commands/T0TEAM001/1/fake",
    trigger_id: str | None = None,
    *,
    user_name: str = "alice",
    channel_name: str = "general",
    team_domain: str = TEAM_DOMAIN,
    api_app_id: str = API_APP_ID,
) -> dict[str, str]:
    """Slash-command fields (all strings). Socket Mode carries this dict as the payload."""
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "team_domain": team_domain,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name,
        "command": command,
        "text": text,
        "api_app_id": api_app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id if trigger_id is not None else new_trigger_id(),
    }


def slash_command(
    command: str,
    text: str,
    user_id: str,
    channel_id: str,
    team_id: str = TEAM_ID,
    response_url: str = "https://hooks.slack.com/commands/T0TEAM001/1/fake",
    trigger_id: str | None = None,
    **extra: str,
) -> bytes:
    """Form-encoded body of a slash command (``application/x-www-form-urlencoded``)."""
    fields = slash_command_payload(
        command, text, user_id, channel_id, team_id, response_url, trigger_id
    )
    fields.update(extra)
    return urlencode(fields).encode()


# --- interactivity (shortcuts, view submissions) ----------------------------------------------


def interactivity(payload: dict[str, Any]) -> bytes:
    """Form body with the single field ``payload=<json>``, as Slack posts interactions."""
    return urlencode({"payload": json.dumps(payload)}).encode()


def new_trigger_id() -> str:
    return f"{int(time.time())}.{next(_ids)}.fake{next(_ids):08x}"


def message_shortcut_payload(
    callback_id: str,
    *,
    user_id: str = "U0ALICE01",
    channel_id: str = "C0GENERAL",
    message_ts: str = "1718000000.000100",
    message_text: str = "hello",
    message_user: str = "U0ALICE01",
    response_url: str = "https://hooks.slack.com/app/T0TEAM001/1/fake",
    trigger_id: str | None = None,
    team_id: str = TEAM_ID,
) -> dict[str, Any]:
    """A ``message_action`` payload (a message shortcut)."""
    return {
        "type": "message_action",
        "token": VERIFICATION_TOKEN,
        "action_ts": f"{time.time():.6f}",
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "user": {"id": user_id, "username": "alice", "team_id": team_id, "name": "alice"},
        "channel": {"id": channel_id, "name": "general"},
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": callback_id,
        "trigger_id": trigger_id if trigger_id is not None else new_trigger_id(),
        "response_url": response_url,
        "message_ts": message_ts,
        "message": {
            "type": "message",
            "user": message_user,
            "ts": message_ts,
            "text": message_text,
        },
    }


def view_submission_payload(
    callback_id: str,
    values: dict[str, dict[str, dict[str, Any]]],
    *,
    private_metadata: str = "",
    user_id: str = "U0ALICE01",
    view_id: str | None = None,
    team_id: str = TEAM_ID,
    api_app_id: str = API_APP_ID,
    bot_id: str = BOT_ID,
) -> dict[str, Any]:
    """A ``view_submission`` payload. ``values`` is ``view.state.values``:
    ``{block_id: {action_id: {"type": "plain_text_input", "value": "42"}}}``."""
    view_id = view_id if view_id is not None else _next_id("V")
    return {
        "type": "view_submission",
        "token": VERIFICATION_TOKEN,
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "user": {"id": user_id, "username": "alice", "name": "alice", "team_id": team_id},
        "api_app_id": api_app_id,
        "trigger_id": new_trigger_id(),
        "is_enterprise_install": False,
        "enterprise": None,
        "response_urls": [],
        "view": {
            "id": view_id,
            "team_id": team_id,
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": private_metadata,
            "title": {"type": "plain_text", "text": "Modal"},
            "blocks": [],
            "state": {"values": values},
            "hash": f"{int(time.time())}.fakehash",
            "root_view_id": view_id,
            "previous_view_id": None,
            "app_id": api_app_id,
            "bot_id": bot_id,
        },
    }
