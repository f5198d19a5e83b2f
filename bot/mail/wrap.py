"""Plain text for mail readers: paragraphs and list items wrapped at 72 columns (RFC 3676's
advice), a URL or any long word never broken, tables and code left as they are."""

from __future__ import annotations

import re
import textwrap

WIDTH = 72
_ITEM = re.compile(r"^(\s*(?:[-*+]|\d+[.)])\s+)")
_AS_IS = re.compile(r"^\s*(?:\||```|    |#|>)")


def wrap_for_mail(text: str, width: int = WIDTH) -> str:
    out: list[str] = []
    fenced = False
    for line in text.split("\n"):
        if line.lstrip().startswith("```"):
            fenced = not fenced
            out.append(line)
            continue
        if fenced or len(line) <= width or _AS_IS.match(line):
            out.append(line)
            continue
        item = _ITEM.match(line)
        lead = item.group(1) if item else line[:len(line) - len(line.lstrip())]
        out.extend(textwrap.wrap(line[len(lead):], width=width, initial_indent=lead,
                                 subsequent_indent=" " * len(lead), break_long_words=False,
                                 break_on_hyphens=False))
    return "\n".join(out)
