"""Neutral rich text: a small Markdown subset the core writes and each adapter renders.

The core writes `**bold**`, `` `code` ``, `[label](url)` and lines starting with `- `.
Text typed by users is always passed through `plain()` first, which backslash-escapes the
markup characters, so a message cannot smuggle formatting (or links) into a bot reply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

_MARKUP_CHARS = re.compile(r"([\\*`\[\]])")
_SPAN = re.compile(
    r"\\(?P<escaped>[\\*`\[\]])"
    r"|\*\*(?P<bold>(?:\\.|[^*\\])+)\*\*"
    r"|`(?P<code>[^`]*)`"
    r"|\[(?P<label>(?:\\.|[^\]\\])+)\]\((?P<url>[^)\s]+)\)"
)


def plain(user_text: str) -> str:
    """User text made inert: markup characters escaped, line breaks kept."""
    return _MARKUP_CHARS.sub(r"\\\1", user_text)


# Text echoed to whole channels (milestone titles, the staff contact): a mass mention in it
# must not ping.
_MASS_MENTION = re.compile(r"@(?=(?:room|channel|here|everyone)\b)", re.IGNORECASE)


def quiet(text: str) -> str:
    """Escaped text whose `@room` / `@channel` cannot notify anyone."""
    return _MASS_MENTION.sub("@\u2060", plain(text))


# Unicode's first-strong isolate and its closing mark (UAX #9): text between them is laid out
# on its own, so an English quote in an Arabic line (or the reverse) neither takes the line's
# direction nor drags the punctuation around it. Only the core's echo of user text is wrapped.
FSI = "\u2068"
PDI = "\u2069"
_ISOLATE_CONTROLS = re.compile("[\u2066-\u2069]")


def isolated(neutral: str) -> str:
    """Neutral text (user text already through `plain`) as a unit of its own direction.
    Isolate controls inside are dropped, so the pair always balances."""
    return FSI + _ISOLATE_CONTROLS.sub("", neutral) + PDI


def without_isolates(text: str) -> str:
    """For outputs that lay text out without bidi (a terminal)."""
    return text.replace(FSI, "").replace(PDI, "")


def bold(neutral: str) -> str:
    return f"**{neutral}**"


def code(raw: str) -> str:
    return "`" + raw.replace("`", "'") + "`"


def link(label: str, url: str) -> str:
    """`label` is neutral text; `url` must not contain spaces or parentheses."""
    safe_url = url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
    return f"[{label}]({safe_url})"


def excerpt(user_text: str, limit: int = 280) -> str:
    """A one-line, bounded excerpt of user text (not yet escaped)."""
    flat = " ".join(user_text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


@dataclass(frozen=True, slots=True)
class Span:
    kind: Literal["text", "bold", "code", "link"]
    text: str
    url: str = ""


def parse_line(line: str) -> list[Span]:
    """Split one line of neutral text into spans, with escapes resolved."""
    spans: list[Span] = []
    buffer = ""
    position = 0
    for match in _SPAN.finditer(line):
        buffer += line[position : match.start()]
        position = match.end()
        if match.group("escaped") is not None:
            buffer += match.group("escaped")
            continue
        if buffer:
            spans.append(Span("text", buffer))
            buffer = ""
        if match.group("bold") is not None:
            spans.append(Span("bold", unescape(match.group("bold"))))
        elif match.group("code") is not None:
            spans.append(Span("code", match.group("code")))
        else:
            spans.append(Span("link", unescape(match.group("label")), match.group("url")))
    buffer += line[position:]
    if buffer:
        spans.append(Span("text", buffer))
    return spans


def unescape(neutral: str) -> str:
    return re.sub(r"\\([\\*`\[\]])", r"\1", neutral)


def to_plain(neutral: str) -> str:
    """Neutral text for a terminal or an email: bold kept as **x**, links as `label <url>`."""
    lines = []
    for line in neutral.split("\n"):
        parts = []
        for span in parse_line(line):
            if span.kind == "bold":
                parts.append(f"**{span.text}**")
            elif span.kind == "link":
                parts.append(f"{span.text} <{span.url}>")
            else:
                parts.append(span.text)
        lines.append("".join(parts))
    return "\n".join(lines)
