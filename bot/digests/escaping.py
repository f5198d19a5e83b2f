"""What exports escape, each rule once: the CSV formula guard and quoting, HTML's markup
characters, and the invisible characters no digest shows."""

from __future__ import annotations

from typing import Final

# A spreadsheet runs a cell starting with one of these as a formula (OWASP CSV injection,
# CWE-1236), also after spaces; the full-width forms are read as the same by some.
FORMULA_START: Final = frozenset("=+-@\t\r\n\x00＝＋－＠")
_MAYBE_FORMULA = FORMULA_START | {" "}

# Bidi overrides and zero-width characters could visually reorder or hide quoted text.
INVISIBLE: Final = "".join(map(chr, [*range(0x202A, 0x202F), *range(0x2066, 0x206A),
                                     *range(0x200B, 0x200E), 0x2060, 0xFEFF]))
_INVISIBLE_REMOVED = tuple((char, "") for char in INVISIBLE)

# (character, entity) pairs, `&` first so that no entity is escaped twice.
HTML_TEXT_ESCAPES: Final = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"))
HTML_ATTRIBUTE_ESCAPES: Final = (*HTML_TEXT_ESCAPES, ('"', "&quot;"), ("'", "&#x27;"))


def csv_quoted(value: str) -> str:
    """`value`'s quotes doubled, for a field inside `"…"` (RFC 4180)."""
    return value.replace('"', '""') if '"' in value else value


def csv_cell(value: str) -> str:
    """A cell of user text for a field inside `"…"`: quotes doubled, and a `'` in front when a
    spreadsheet would run it as a formula. (One function, not two calls: six cells a row.)"""
    if '"' in value:
        value = value.replace('"', '""')
    if value[:1] in _MAYBE_FORMULA and value.lstrip(" ")[:1] in FORMULA_START:
        return "'" + value
    return value


def csv_line(cells: tuple[str, ...]) -> str:
    """One RFC 4180 record, every field quoted (allowed, and four times faster than the csv
    module's writer), CRLF-terminated. Cells are not guarded here: see `csv_cell`."""
    return '"' + '","'.join([csv_quoted(cell) for cell in cells]) + '"\r\n'


def _replaced(text: str, replacements: tuple[tuple[str, str], ...]) -> str:
    # One scan per character, and a copy only for one that is there: most text holds none.
    # For a 160-character text that is 0.8 µs for the invisible characters, against 1.1 µs
    # for a regular expression's search and 16 µs for `str.translate`.
    for char, replacement in replacements:
        if char in text:
            text = text.replace(char, replacement)
    return text


def html_text(text: str) -> str:
    """Escaped for an element's content (`html_attribute` also escapes quotes)."""
    return _replaced(text, HTML_TEXT_ESCAPES)


def html_attribute(text: str) -> str:
    """Escaped for a quoted attribute value or any content: `html.escape(text, quote=True)`."""
    return _replaced(text, HTML_ATTRIBUTE_ESCAPES)


def visible(user_text: str) -> str:
    """User text without the invisible controls that could reorder or hide it."""
    return _replaced(user_text, _INVISIBLE_REMOVED)
