"""Raw Matrix events (plain JSON from /sync or /messages) to neutral events. Pure functions.

nio's classes are not used here: parsing the JSON directly, with type checks on exactly the
fields we read, costs a fraction of nio's schema validation (see bench/bench_matrix.py).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from bot.adapters.matrix.render import permalink
from bot.messages import (
    Conversation,
    IncomingMessage,
    MessageEdited,
    ReactionAdded,
)

PLATFORM = "matrix"
READABLE_MSGTYPES = frozenset({"m.text", "m.emote"})  # m.notice is what bots send: never read


class BadEvent(ValueError):
    """An event without the fields its type requires: logged and skipped."""


@dataclass(frozen=True, slots=True)
class Reacted:
    """A reaction, with the reaction event's own id: redacting that id withdraws it."""

    event: ReactionAdded
    reaction_id: str


@dataclass(frozen=True, slots=True)
class Redacted:
    """A redaction: of a message (delete it) or of a reaction (withdraw it); the store knows."""

    where: Conversation
    redacts: str
    sender_id: str
    at: datetime


@dataclass(frozen=True, slots=True)
class EncryptionOn:
    room_id: str


Inbound = IncomingMessage | MessageEdited | Reacted | Redacted | EncryptionOn


@dataclass(frozen=True, slots=True)
class RoomView:
    """What translation needs of a room: its id, a display name and member names."""

    room_id: str
    name: str | None
    display_names: Mapping[str, str]


def translate(raw: Mapping[str, Any], room: RoomView) -> Inbound | None:
    """The neutral meaning of one event, or None when it means nothing to the bot."""
    kind = raw.get("type")
    if kind == "m.room.message":
        return _message(raw, room)
    if kind == "m.reaction":
        return _reaction(raw, room)
    if kind == "m.room.redaction":
        return _redaction(raw, room)
    if kind == "m.room.encryption" and "state_key" in raw:
        return EncryptionOn(room.room_id)
    return None


def _message(raw: Mapping[str, Any], room: RoomView) -> IncomingMessage | MessageEdited | None:
    content = raw.get("content")
    if not isinstance(content, dict) or content.get("msgtype") not in READABLE_MSGTYPES:
        return None  # notices, media, redacted originals (their content is {})
    event_id, sender, sent_at = _envelope(raw)
    relation = content.get("m.relates_to")
    relation = relation if isinstance(relation, dict) else {}
    if relation.get("rel_type") == "m.replace":
        new = content.get("m.new_content")
        target = relation.get("event_id")
        if not isinstance(new, dict) or not isinstance(target, str):
            raise BadEvent(f"edit {event_id} without m.new_content or target")
        body = new.get("body")
        if not isinstance(body, str):
            raise BadEvent(f"edit {event_id} without a text body")
        return MessageEdited(Conversation(PLATFORM, room.room_id, name=room.name), target,
                             sender, body, sent_at)
    body = content.get("body")
    if not isinstance(body, str):
        raise BadEvent(f"message {event_id} without a text body")
    thread_id: str | None = None
    if relation.get("rel_type") == "m.thread" and isinstance(relation.get("event_id"), str):
        thread_id = relation["event_id"]
    reply_to: str | None = None
    in_reply_to = relation.get("m.in_reply_to")
    if isinstance(in_reply_to, dict) and not relation.get("is_falling_back"):
        target = in_reply_to.get("event_id")
        if isinstance(target, str):
            reply_to = target
            body = strip_reply_fallback(body)
    where = Conversation(PLATFORM, room.room_id, thread_id, name=room.name)
    return IncomingMessage(where, event_id, sender, body, sent_at, reply_to_id=reply_to,
                           sender_name=room.display_names.get(sender),
                           permalink=permalink(room.room_id, event_id),
                           mentions=_pills(content.get("formatted_body")))


# A mention "pill": Element and other clients put the display name in `body` and link it to
# the user in `formatted_body` (`<a href="https://matrix.to/#/@alice:example.org">Alice</a>`).
_PILL = re.compile(r'<a\s[^>]*href="https://matrix\.to/#/((?:@|%40)[^"?/]+)[^"]*"[^>]*>(.*?)</a>',
                   re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


def _pills(formatted: object) -> tuple[tuple[str, str], ...]:
    """(the words `body` shows, the user id) of each user a message's HTML links to."""
    if not isinstance(formatted, str) or "matrix.to/#/" not in formatted:
        return ()
    return tuple((html.unescape(_TAG.sub("", label)).strip(), unquote(user))
                 for user, label in _PILL.findall(formatted))


def strip_reply_fallback(body: str) -> str:
    """Drop the `> <@alice:x> quoted text` lines older clients put before a reply."""
    if not body.startswith("> "):
        return body
    lines = body.split("\n")
    index = 0
    while index < len(lines) and lines[index].startswith(">"):
        index += 1
    if index < len(lines) and lines[index] == "":
        index += 1
    return "\n".join(lines[index:])


def _reaction(raw: Mapping[str, Any], room: RoomView) -> Reacted | None:
    content = raw.get("content")
    relation = content.get("m.relates_to") if isinstance(content, dict) else None
    if not isinstance(relation, dict) or relation.get("rel_type") != "m.annotation":
        return None
    event_id, sender, sent_at = _envelope(raw)
    target, key = relation.get("event_id"), relation.get("key")
    if not isinstance(target, str) or not isinstance(key, str):
        raise BadEvent(f"reaction {event_id} without a target or a key")
    where = Conversation(PLATFORM, room.room_id, name=room.name)
    return Reacted(ReactionAdded(where, target, sender, key, sent_at), event_id)


def _redaction(raw: Mapping[str, Any], room: RoomView) -> Redacted:
    _, sender, sent_at = _envelope(raw)
    content = raw.get("content")
    # Room v11+ put `redacts` in the content; older versions at the top level.
    redacts = content.get("redacts") if isinstance(content, dict) else None
    redacts = redacts if isinstance(redacts, str) else raw.get("redacts")
    if not isinstance(redacts, str):
        raise BadEvent("redaction without a target")
    return Redacted(Conversation(PLATFORM, room.room_id, name=room.name), redacts, sender,
                    sent_at)


def _envelope(raw: Mapping[str, Any]) -> tuple[str, str, datetime]:
    event_id, sender, stamp = raw.get("event_id"), raw.get("sender"), raw.get("origin_server_ts")
    if not isinstance(event_id, str) or not isinstance(sender, str):
        raise BadEvent(f"event without an id or a sender: {str(event_id)[:80]}")
    if not isinstance(stamp, int) or isinstance(stamp, bool):
        raise BadEvent(f"event {event_id} without a timestamp")
    return event_id, sender, datetime.fromtimestamp(stamp / 1000, UTC)
