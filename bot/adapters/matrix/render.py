"""Neutral text to Matrix: a plain `body` and an HTML `formatted_body` built from escaped text.

Direction: an answer whose own words are right to left (Arabic) is wrapped in `dir="rtl"`
and starts with a right-to-left mark, and each echoed quote (the core's `isolated` text) is a
`dir="auto"` span that keeps its first-strong isolate characters. Element keeps no `dir`
attribute (the spec's allowed attributes have none) but lays each message out `dir="auto"`:
the mark gives it the answer's direction and the isolates survive as text; clients that keep
`dir` get it from the attributes.
"""

from __future__ import annotations

import unicodedata
from html import escape
from typing import Any, Literal
from urllib.parse import quote, urlsplit

from bot.text import FSI, PDI, parse_line, to_plain

HTML_FORMAT = "org.matrix.custom.html"
_SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
RLM = "\u200f"  # a strong right-to-left character that shows nothing


def direction(neutral: str) -> Literal["rtl", "ltr"]:
    """The direction of the answer's own words: its first strong character, skipping code
    spans (commands, hashtags) and isolated user text (a quote says nothing of the answer's
    language)."""
    depth = 0
    for span in parse_line(neutral.replace("\n", " ")):
        if span.kind == "code":
            continue
        for char in span.text:
            if char == FSI:
                depth += 1
            elif char == PDI:
                depth = max(0, depth - 1)
            elif depth == 0:
                bidi = unicodedata.bidirectional(char)
                if bidi in ("R", "AL"):
                    return "rtl"
                if bidi == "L":
                    return "ltr"
    return "ltr"


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
    html = "".join(blocks).removesuffix("<br>")
    return f'<div dir="rtl">{html}</div>' if direction(neutral) == "rtl" else html


def _inline(line: str) -> str:
    parts: list[str] = []
    for span in parse_line(line):
        text = _isolates(escape(span.text, quote=False))
        if span.kind == "bold":
            parts.append(f"<strong>{text}</strong>")
        elif span.kind == "code":
            parts.append(f"<code>{text}</code>")
        elif span.kind == "link" and urlsplit(span.url).scheme.lower() in _SAFE_SCHEMES:
            parts.append(f'<a href="{escape(span.url, quote=True)}">{text}</a>')
        else:
            parts.append(text)
    return "".join(parts)


def _isolates(text: str) -> str:
    """Each balanced isolate of escaped text in a `dir="auto"` span (its characters kept for
    clients that drop the attribute); a stray closing mark is left as text, an open one is
    closed at the end of the span, so the HTML always nests."""
    if FSI not in text:
        return text
    parts: list[str] = []
    depth = 0
    for char in text:
        if char == FSI:
            depth += 1
            parts.append(f'<span dir="auto">{FSI}')
        elif char == PDI and depth:
            depth -= 1
            parts.append(f"{PDI}</span>")
        else:
            parts.append(char)
    parts.extend(f"{PDI}</span>" for _ in range(depth))
    return "".join(parts)


def notice_content(neutral: str, *, reply_to: str | None = None,
                   thread_id: str | None = None) -> dict[str, Any]:
    """An `m.notice` (bots answer with notices, which other bots must not answer) that pings
    nobody: `m.mentions: {}` turns off the body-based @room and name mentions."""
    # Element lays every message out `dir="auto"` and drops our `dir`: the mark leads it.
    mark = RLM if direction(neutral) == "rtl" else ""
    content: dict[str, Any] = {
        "msgtype": "m.notice",
        "body": mark + to_plain(neutral),
        "format": HTML_FORMAT,
        "formatted_body": mark + to_html(neutral),
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
