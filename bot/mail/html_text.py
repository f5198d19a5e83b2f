"""HTML-only posts as text, with Beautiful Soup (maintained; the stdlib parser underneath)."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag

_BLOCKS = ("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "table")
_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANKS = re.compile(r"\n{3,}")


def html_to_text(html: str) -> str:
    """Text with a line per block; a quoted block (`<blockquote>`, as mail clients quote)
    becomes `> ` lines, so that the excerpt leaves it out as it does in plain text."""
    soup = BeautifulSoup(html, "html.parser")
    for junk in soup(["script", "style", "head", "title"]):
        junk.decompose()
    for anchor in soup.find_all("a"):
        href = anchor.get("href")
        if isinstance(href, str) and href.startswith(("http://", "https://")) \
                and href not in anchor.get_text():
            anchor.append(f" ({href})")
    for quote in reversed(soup.find_all("blockquote")):
        inner = _text(quote)
        quote.replace_with("\n" + "\n".join("> " + line for line in inner.splitlines())
                           + "\n")
    return _text(soup)


def _text(node: Tag) -> str:
    for block in node.find_all(_BLOCKS):
        block.insert_before("\n")
        if block.name != "br":
            block.insert_after("\n")
    lines = (_SPACES.sub(" ", line).strip() for line in node.get_text().splitlines())
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()
