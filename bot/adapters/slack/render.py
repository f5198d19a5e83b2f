"""Neutral text (see `bot.text`) rendered as Slack mrkdwn and Block Kit, within Slack's limits.

Every piece of text is escaped (`&`, `<`, `>`), so user text quoted by the bot can never
become a mention (`<!channel>`, `<@U…>`) or a disguised link; only links the core wrote
(`[label](url)`) become Slack links.

Direction: mrkdwn has no `dir`; Slack's clients lay each message out by its first strong
character, which for an Arabic answer is Arabic. So no mark is added anywhere (a mark before
`*bold*` or inside `<url|label>` can stop Slack reading them), and the core's isolates around
echoed user text (`bot.text.isolated`) stay in plain text runs only, where they keep an
English quote in an Arabic line in order; inside bold, code and links they are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.text import parse_line, without_isolates

MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_HEADER = 150
# Slack rejects messages whose blocks add up to much more than this (`msg_blocks_too_long`),
# although no limit is documented; past it the answer goes out as a file.
MAX_BLOCKS_TEXT = 12_000
MAX_FALLBACK = 3000

Block = dict[str, Any]


def escape(text: str) -> str:
    """Slack's three control characters; nothing else is decoded by Slack."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _link_target(url: str) -> str:
    return escape(url).replace("|", "%7C")


def mrkdwn_line(line: str) -> str:
    parts: list[str] = []
    for span in parse_line(line):
        if span.kind == "bold":
            parts.append(f"*{escape(without_isolates(span.text))}*")
        elif span.kind == "code":
            parts.append(f"`{escape(without_isolates(span.text))}`")
        elif span.kind == "link":
            label = escape(without_isolates(span.text)).replace("|", "¦")
            parts.append(f"<{_link_target(without_isolates(span.url))}|{label}>")
        else:
            parts.append(escape(span.text))
    text = "".join(parts)
    return "• " + text[2:] if line.startswith("- ") else text


def to_mrkdwn(neutral: str) -> str:
    return "\n".join(mrkdwn_line(line) for line in neutral.split("\n"))


def to_markdown_file(neutral: str) -> str:
    """The neutral text is already Markdown (escapes included) for a `.md` attachment."""
    return neutral if neutral.endswith("\n") else neutral + "\n"


@dataclass(frozen=True, slots=True)
class Rendered:
    """A message for Slack: `text` always (notifications, fallback), `blocks` when useful."""

    text: str
    blocks: list[Block] | None


def render(neutral: str) -> Rendered | None:
    """mrkdwn plus, for answers of several paragraphs, blocks with a header per paragraph
    that starts in bold (an issue of a digest). None when too long for one message."""
    text = to_mrkdwn(neutral)
    paragraphs = [p for p in neutral.split("\n\n") if p.strip()]
    if len(paragraphs) < 2:
        if len(text) > MAX_SECTION:
            return None
        return Rendered(text, None)
    blocks: list[Block] = []
    for paragraph in paragraphs:
        blocks.extend(_paragraph_blocks(paragraph))
    if len(blocks) > MAX_BLOCKS or _blocks_text(blocks) > MAX_BLOCKS_TEXT:
        return None
    return Rendered(_fallback(text), blocks)


def _fallback(text: str) -> str:
    return text if len(text) <= MAX_FALLBACK else text[: MAX_FALLBACK - 1] + "…"


def _paragraph_blocks(paragraph: str) -> list[Block]:
    lines = paragraph.split("\n")
    blocks: list[Block] = []
    spans = parse_line(lines[0])
    if spans and spans[0].kind == "bold":
        blocks.append(header(spans[0].text))
        rest = lines[0][_bold_end(lines[0]):].strip(" —-:")
        lines = ([rest] if rest else []) + lines[1:]
    body = [mrkdwn_line(line) for line in lines]
    blocks.extend(sections(body))
    return blocks


def _bold_end(line: str) -> int:
    """Where the leading `**…**` span of a neutral line ends."""
    index = 2
    while index < len(line):
        if line[index] == "\\":
            index += 2
            continue
        if line.startswith("**", index):
            return index + 2
        index += 1
    return len(line)


def header(plain_text: str) -> Block:
    text = plain_text
    if len(text) > MAX_HEADER:
        text = text[: MAX_HEADER - 1] + "…"
    return {"type": "header", "text": {"type": "plain_text", "text": text, "emoji": True}}


def sections(mrkdwn_lines: list[str]) -> list[Block]:
    """Section blocks of at most `MAX_SECTION` characters, cut between lines when possible."""
    blocks: list[Block] = []
    current = ""
    for line in mrkdwn_lines:
        while len(line) > MAX_SECTION:  # one very long line: cut it
            if current:
                blocks.append(_section(current))
                current = ""
            blocks.append(_section(line[: MAX_SECTION - 1] + "…"))
            line = ""
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > MAX_SECTION:
            blocks.append(_section(current))
            candidate = line
        current = candidate
    if current.strip():
        blocks.append(_section(current))
    return blocks


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _blocks_text(blocks: list[Block]) -> int:
    return sum(len(block["text"]["text"]) for block in blocks)
