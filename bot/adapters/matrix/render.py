"""Neutral text to Matrix: a plain `body` and an HTML `formatted_body` built from escaped text."""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import quote, urlsplit

from bot.text import parse_line, to_plain

HTML_FORMAT = "org.matrix.custom.html"
_SAFE_SCHEMES = frozenset({"http", "https", "mailto"})


def to_html(neutral: str) -> str:
    """HTML for neutral text. Every character of user text is escaped: no markup gets through,
    and only http(s)/mailto links become anchors."""
    blocks: list[str] = []
    items: list[str] = []
    for line in neutral.split("\n"):
        if line.startswith("- "):
            items.append(f"<li>{_inline(line[2:])}</li>")
            continue
        if items:
            blocks.append("<ul>" + "".join(items) + "</ul>")
            items = []
        blocks.append(_inline(line) + "<br>")
    if items:
        blocks.append("<ul>" + "".join(items) + "</ul>")
    html = "".join(blocks)
    return html.removesuffix("<br>")


def _inline(line: str) -> str:
    parts: list[str] = []
    for span in parse_line(line):
        text = escape(span.text, quote=False)
        if span.kind == "bold":
            parts.append(f"<strong>{text}</strong>")
        elif span.kind == "code":
            parts.append(f"<code>{text}</code>")
        elif span.kind == "link" and urlsplit(span.url).scheme.lower() in _SAFE_SCHEMES:
            parts.append(f'<a href="{escape(span.url, quote=True)}">{text}</a>')
        else:
            parts.append(text)
    return "".join(parts)


def notice_content(neutral: str, *, reply_to: str | None = None,
                   thread_id: str | None = None) -> dict[str, Any]:
    """An `m.notice` (bots answer with notices, which other bots must not answer) that pings
    nobody: `m.mentions: {}` turns off the body-based @room and name mentions."""
    content: dict[str, Any] = {
        "msgtype": "m.notice",
        "body": to_plain(neutral),
        "format": HTML_FORMAT,
        "formatted_body": to_html(neutral),
        "m.mentions": {},
    }
    relation = relates_to(reply_to=reply_to, thread_id=thread_id)
    if relation:
        content["m.relates_to"] = relation
    return content


def relates_to(*, reply_to: str | None, thread_id: str | None) -> dict[str, Any]:
    """In the thread when there is one (replying to the command inside it), else a reply."""
    if thread_id is not None:
        relation: dict[str, Any] = {"rel_type": "m.thread", "event_id": thread_id}
        if reply_to is not None and reply_to != thread_id:
            relation["m.in_reply_to"] = {"event_id": reply_to}
        else:
            relation["is_falling_back"] = True
            relation["m.in_reply_to"] = {"event_id": reply_to or thread_id}
        return relation
    if reply_to is not None:
        return {"m.in_reply_to": {"event_id": reply_to}}
    return {}


def permalink(room_id: str, event_id: str) -> str:
    return f"https://matrix.to/#/{quote(room_id, safe='!:')}/{quote(event_id, safe='$:')}"
