"""Is a signed Slack request well formed? Pure checks, each naming what is wrong.

A malformed body must be answered 400, never 500: Slack retries a 5xx with the same bad body,
and an operator reads a 500 as "the bot is broken". The checks cover exactly what the
translation in `inbound.py` and the listeners read, so a body that passes them cannot fail
there; a problem is described in a few words and never quotes the body (user text, tokens).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

JSON_TYPE = "application/json"
FORM_TYPE = "application/x-www-form-urlencoded"
# A Slack timestamp: seconds, then optionally a dot and the sequence ("1718000000.000100").
_TS = re.compile(r"\d{1,12}(\.\d{1,6})?")


class Malformed(ValueError):
    """A request Slack would never send; its message says what is wrong, for the log and
    the 400's JSON body."""


def read_json_body(raw: bytes) -> dict[str, Any]:
    """The JSON object of an Events API request (event callbacks, the URL handshake...)."""
    body = _json_object(raw, "the body")
    kind = _required_str(body, "type", "the body")
    if kind == "event_callback":
        event = body.get("event")
        if not isinstance(event, dict):
            raise Malformed("an event_callback needs an 'event' object")
        check_event(event)
    elif kind == "url_verification":
        _required_str(body, "challenge", "url_verification")
    return body


def check_form_body(raw: bytes) -> None:
    """A form body: a slash command, an interaction (`payload=`), or Slack's `ssl_check`."""
    try:
        form = parse_qs(raw.decode("utf-8"), keep_blank_values=True,
                        strict_parsing=bool(raw))
    except (UnicodeDecodeError, ValueError):
        raise Malformed("the form body cannot be parsed") from None
    if "ssl_check" in form:
        return
    if "payload" in form:
        payload = _json_object(form["payload"][0].encode(), "the payload")
        _check_interaction(payload)
        return
    if "command" in form:
        for field in ("command", "user_id", "channel_id"):
            if not form.get(field, [""])[0]:
                raise Malformed(f"a slash command needs '{field}'")
        return
    raise Malformed("a form body needs 'payload' or 'command'")


def check_event(event: Mapping[str, Any]) -> None:
    """The fields `inbound.read_event` and `read_mention` rely on, for the kinds they read."""
    kind = _required_str(event, "type", "the event")
    if kind in ("message", "app_mention"):
        _check_message(event, kind)
    elif kind in ("reaction_added", "reaction_removed"):
        _required_str(event, "user", kind)
        _required_str(event, "reaction", kind)
        item = _required_object(event, "item", kind)
        if item.get("type") == "message":
            _required_str(item, "channel", f"{kind}'s item")
            _required_ts(item, "ts", f"{kind}'s item")
        _optional_ts(event, "event_ts", kind)


def _check_message(event: Mapping[str, Any], kind: str) -> None:
    _required_str(event, "channel", kind)
    subtype = event.get("subtype")
    if subtype == "message_changed":
        new = _required_object(event, "message", "message_changed")
        _required_ts(new, "ts", "message_changed's message")
        _optional_str(new, "user", "message_changed's message")
        if new.get("edited") is not None:
            edited = _required_object(new, "edited", "message_changed's message")
            _optional_ts(edited, "ts", "message_changed's edit")
        _check_change_time(event, subtype)
        return
    if subtype == "message_deleted":
        _required_ts(event, "deleted_ts", "message_deleted")
        _check_change_time(event, subtype)
        return
    _required_ts(event, "ts", kind)
    _optional_str(event, "user", kind)
    _optional_str(event, "text", kind)
    _optional_ts(event, "thread_ts", kind)


def _check_change_time(event: Mapping[str, Any], subtype: str) -> None:
    """An edit or deletion is ordered by when it happened: `ts`, else `event_ts`."""
    _optional_ts(event, "ts", subtype)
    _optional_ts(event, "event_ts", subtype)
    if not event.get("ts") and not event.get("event_ts"):
        raise Malformed(f"{subtype} needs 'ts' or 'event_ts'")


def _check_interaction(payload: Mapping[str, Any]) -> None:
    kind = _required_str(payload, "type", "the payload")
    if kind in ("message_action", "shortcut", "view_submission", "block_actions"):
        user = _required_object(payload, "user", kind)
        _required_str(user, "id", f"{kind}'s user")
    if kind == "message_action":
        _required_str(payload, "trigger_id", kind)
        _required_object(payload, "channel", kind)
        _required_object(payload, "message", kind)
    elif kind == "view_submission":
        _required_object(payload, "view", kind)


def _json_object(raw: bytes, what: str) -> dict[str, Any]:
    try:
        parsed = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise Malformed(f"{what} is not valid JSON") from None
    if not isinstance(parsed, dict):
        raise Malformed(f"{what} must be a JSON object, not {type(parsed).__name__}")
    return parsed


def _required_str(where: Mapping[str, Any], field: str, what: str) -> str:
    value = where.get(field)
    if not isinstance(value, str) or not value:
        raise Malformed(f"{what} needs '{field}' (a non-empty string)")
    return value


def _optional_str(where: Mapping[str, Any], field: str, what: str) -> None:
    if field in where and where[field] is not None and not isinstance(where[field], str):
        raise Malformed(f"{what}'s '{field}' must be a string")


def _required_object(where: Mapping[str, Any], field: str, what: str) -> Mapping[str, Any]:
    value = where.get(field)
    if not isinstance(value, dict):
        raise Malformed(f"{what} needs '{field}' (an object)")
    return value


def _required_ts(where: Mapping[str, Any], field: str, what: str) -> None:
    value = where.get(field)
    if not isinstance(value, str) or _TS.fullmatch(value) is None:
        raise Malformed(f"{what} needs '{field}' (a Slack timestamp)")


def _optional_ts(where: Mapping[str, Any], field: str, what: str) -> None:
    if where.get(field) is not None:
        _required_ts(where, field, what)
