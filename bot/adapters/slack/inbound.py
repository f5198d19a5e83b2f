"""Slack payloads → neutral events. Pure functions: no I/O, no bolt objects."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.messages import (
    Conversation,
    Event,
    IncomingMessage,
    MessageDeleted,
    MessageEdited,
    ReactionAdded,
    ReactionRemoved,
)

PLATFORM = "slack"
# Message subtypes that are people talking; every other subtype (joins, topic changes,
# bot messages...) is acknowledged and dropped.
_SPOKEN_SUBTYPES = frozenset({None, "thread_broadcast", "file_share", "me_message"})
_MARKUP = re.compile(r"<([^<>\n]*)>")
_PERMALINK = re.compile(r"^<?https://[^/\s]+/archives/(?P<channel>[CGD][A-Z0-9]+)/"
                        r"p(?P<seconds>\d{10})(?P<micros>\d{6})\S*?>?$")

Payload = Mapping[str, Any]


def slack_time(ts: str) -> datetime:
    """A Slack `ts` (`"1718000000.000100"`) as an aware UTC datetime, to the microsecond."""
    seconds, _, micros = ts.partition(".")
    return datetime.fromtimestamp(int(seconds), UTC).replace(microsecond=int(micros[:6] or 0))


def readable_text(text: str, user_names: Mapping[str, str]) -> str:
    """Slack's wire text as people read it: mentions and links resolved, entities decoded.

    `<!channel>` becomes the words `@channel`: stored text holds no live markup.
    """

    def replace(match: re.Match[str]) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("@"):
            return _shown_user(target[1:], label, user_names)
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!subteam^"):
            return label or "@group"
        if target.startswith("!"):
            special = target[1:].split("^", 1)[0]
            return label or ("@" + special if special in ("channel", "here", "everyone")
                             else special)
        return f"{label} ({target})" if label and label != target else target

    resolved = _MARKUP.sub(replace, text)
    return resolved.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _shown_user(user_id: str, label: str, user_names: Mapping[str, str]) -> str:
    """How `readable_text` writes a user mention: `@` and the label, name or id."""
    return "@" + (label or user_names.get(user_id) or user_id)


def mentions_in(text: str, user_names: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """Each user mention of Slack's wire text: (what `readable_text` shows for it, the id)."""
    if "<@" not in text:
        return ()
    found = []
    for match in _MARKUP.finditer(text):
        target, _, label = match.group(1).partition("|")
        if target.startswith("@"):
            found.append((_shown_user(target[1:], label, user_names), target[1:]))
    return tuple(found)


def mentioned_user_ids(text: str) -> list[str]:
    return [user_id for _, user_id in mentions_in(text, {})]


@dataclass(frozen=True, slots=True)
class Workspace:
    """What translation needs to know about our side of Slack."""

    team_id: str
    bot_user_id: str
    bot_id: str
    url: str  # https://team.slack.com/

    def permalink(self, channel_id: str, ts: str, thread_ts: str | None) -> str:
        """Slack's documented permalink form; asking `chat.getPermalink` for every stored
        message would cost a rate-limited Web API call per event."""
        link = f"{self.url.rstrip('/')}/archives/{channel_id}/p{ts.replace('.', '')}"
        if thread_ts and thread_ts != ts:
            link += f"?thread_ts={thread_ts}&cid={channel_id}"
        return link


def is_from_a_bot(message: Payload, workspace: Workspace) -> bool:
    return bool(message.get("bot_id") or message.get("subtype") == "bot_message"
                or message.get("user") in (None, workspace.bot_user_id))


def read_event(event: Payload, workspace: Workspace, user_names: Mapping[str, str],
               channel_names: Mapping[str, str]) -> Event | None:
    """The neutral event a Slack event stands for; None for what the bot does not keep."""
    kind = event.get("type")
    if kind == "message":
        return _read_message_event(event, workspace, user_names, channel_names)
    if kind in ("reaction_added", "reaction_removed"):
        item = event.get("item") or {}
        if item.get("type") != "message" or not event.get("user"):
            return None
        where = _where(str(item["channel"]), None, channel_names)
        at = slack_time(str(event.get("event_ts") or item["ts"]))
        reaction = str(event.get("reaction", ""))
        if kind == "reaction_added":
            return ReactionAdded(where, str(item["ts"]), str(event["user"]), reaction, at)
        return ReactionRemoved(where, str(item["ts"]), str(event["user"]), reaction, at)
    return None


def _read_message_event(event: Payload, workspace: Workspace, user_names: Mapping[str, str],
                        channel_names: Mapping[str, str]) -> Event | None:
    subtype = event.get("subtype")
    channel = str(event.get("channel", ""))
    if subtype == "message_changed":
        new, old = event.get("message") or {}, event.get("previous_message") or {}
        if new.get("subtype") == "tombstone":
            # A thread parent deleted while its replies stay: Slack sends an "edit" to the
            # text "This message was deleted." It is a deletion.
            return MessageDeleted(_where(channel, None, channel_names), str(new["ts"]),
                                  slack_time(str(event.get("event_ts") or event["ts"])))
        if is_from_a_bot(new, workspace) or new.get("text") == old.get("text"):
            return None  # e.g. Slack's own metadata updates: nothing a person changed
        edited = (new.get("edited") or {}).get("ts") or event.get("ts")
        return MessageEdited(_where(channel, new.get("thread_ts"), channel_names, new["ts"]),
                             str(new["ts"]), str(new["user"]),
                             readable_text(str(new.get("text", "")), user_names),
                             slack_time(str(edited)))
    if subtype == "message_deleted":
        return MessageDeleted(_where(channel, None, channel_names), str(event["deleted_ts"]),
                              slack_time(str(event.get("event_ts") or event["ts"])))
    if subtype not in _SPOKEN_SUBTYPES or is_from_a_bot(event, workspace):
        return None
    ts, thread_ts = str(event["ts"]), event.get("thread_ts")
    user = str(event["user"])
    where = _where(channel, thread_ts, channel_names, ts)
    text = str(event.get("text", ""))
    return IncomingMessage(
        where, ts, user, readable_text(text, user_names),
        slack_time(ts), reply_to_id=str(thread_ts) if thread_ts and thread_ts != ts else None,
        sender_name=user_names.get(user),
        permalink=workspace.permalink(channel, ts, thread_ts),
        mentions=mentions_in(text, user_names))


def _where(channel: str, thread_ts: object, channel_names: Mapping[str, str],
           ts: str | None = None) -> Conversation:
    in_thread = isinstance(thread_ts, str) and thread_ts != ts
    return Conversation(PLATFORM, channel, str(thread_ts) if in_thread else None,
                        name=channel_names.get(channel))


def read_mention(event: Payload, workspace: Workspace, prefix: str,
                 commands: frozenset[str], channel_names: Mapping[str, str]
                 ) -> IncomingMessage | None:
    """`@plenary digest #3` runs `digest #3`; any other mention gets the help."""
    if is_from_a_bot(event, workspace):
        return None
    raw = str(event.get("text", ""))
    # The bot's own mention first (`@plenary iam @Alice GNSO`): the command is what follows.
    words = re.sub(rf"<@{re.escape(workspace.bot_user_id)}(\|[^<>]*)?>", " ", raw).split()
    asked = words[0].lower().lstrip(prefix) if words else ""
    rest = " ".join(words[1:])
    text = f"{prefix}{asked} {rest}".strip() if asked in commands else f"{prefix}help"
    ts, thread_ts = str(event["ts"]), event.get("thread_ts")
    return IncomingMessage(_where(str(event["channel"]), thread_ts or ts, channel_names),
                           ts, str(event["user"]), readable_text(text, {}), slack_time(ts),
                           mentions=mentions_in(text, {}))


def read_command(payload: Payload, prefix: str, at: datetime) -> IncomingMessage:
    """`/plenary digest #3` and `/digest #3` both become the text `!digest #3`.

    `tag`/`untag` take a message link first (slash commands carry no thread), which
    stands for "the message I reply to".
    """
    command = str(payload.get("command", "/plenary")).lstrip("/")
    raw = str(payload.get("text", ""))
    words = raw.split()
    if command == "plenary":
        name, args = (words[0].lower(), words[1:]) if words else ("help", [])
    else:
        name, args = command, words
    where = Conversation(PLATFORM, str(payload.get("channel_id", "")),
                         name=payload.get("channel_name"))
    reply_to: str | None = None
    if name in ("tag", "untag") and args:
        link = _PERMALINK.match(args[0])
        if link is not None:
            where = Conversation(PLATFORM, link.group("channel"))
            reply_to = f"{link.group('seconds')}.{link.group('micros')}"
            args = args[1:]
    text = " ".join([f"{prefix}{name}", *args])
    message_id = "command-" + str(payload.get("trigger_id") or at.timestamp())
    return IncomingMessage(where, message_id, str(payload.get("user_id", "")),
                           readable_text(text, {}), at, reply_to_id=reply_to,
                           sender_name=payload.get("user_name"),
                           answer_to=str(payload.get("response_url") or "") or None,
                           mentions=mentions_in(raw, {}))


def team_of_request(body: Payload) -> str | None:
    """The workspace a request comes from: the asker's own team for commands and
    interactions (Slack Connect guests included), the receiving team for events."""
    if body.get("type") == "event_callback":
        return _str_or_none(body.get("team_id"))
    user = body.get("user")
    if isinstance(user, dict) and user.get("team_id"):
        return str(user["team_id"])
    team = body.get("team")
    if isinstance(team, dict):
        return _str_or_none(team.get("id"))
    return _str_or_none(body.get("team_id"))


def _str_or_none(value: object) -> str | None:
    return str(value) if value else None


