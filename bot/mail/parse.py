"""One list post out of its raw bytes, with the standard library's `email` package.

`policy.default` does the MIME work (encoded words, quoted-printable, base64, charsets); its
header objects are built through a cache, because the few header values that repeat across
an archive (`Content-Type: text/plain; charset=utf-8`) cost most of the parse otherwise
(bench/bench_mail_import.py: 3,500 → 30,000 posts/s parsed). The headers unique to a post
(From, Date, Subject) are read from their raw value with `email.utils`, which is faster still.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.headerregistry import HeaderRegistry
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from functools import lru_cache

from bot.mail.html_text import html_to_text

_REGISTRY = HeaderRegistry()
# Header objects are immutable strings: one per distinct (name, value) can be shared.
_POLICY = policy.default.clone(header_factory=lru_cache(maxsize=4096)(_REGISTRY.__call__))
_PARSER = BytesParser(policy=_POLICY)
_SURROGATES = re.compile("[\udc80-\udcff]")
_MSGID = re.compile(r"<([^<>\s]+)>")
_OBFUSCATED = re.compile(r"\b([\w.+-]+) at ([\w-]+(?:\.[\w-]+)+)\b")
MAX_KEY = 255  # the messages table's key width
# `Name <a@b.org>` (a name without quotes' escapes, commas or brackets) or a bare `a@b.org`.
_SIMPLE_SENDER = re.compile(
    r'^\s*(?:((?:"[^"\\<>]*"|[^"\\<>,;:@()\[\]]+?)?)\s*<([^<>\s@",]+@[^<>\s@",]+)>'
    r'|([^<>\s@",()]+@[^<>\s@",()]+))\s*$')


@dataclass(frozen=True, slots=True)
class MailPost:
    """A list post, decoded. `message_id` is without angle brackets; `body` is the whole
    text (an HTML-only post's as text); `thread_id` is the first post of its thread."""

    message_id: str
    sender_address: str
    sender_name: str | None
    subject: str
    sent_at: datetime
    body: str
    in_reply_to: str | None
    references: tuple[str, ...]
    list_id: str | None
    html_only: bool

    @property
    def thread_id(self) -> str | None:
        if self.references:
            return self.references[0]
        return self.in_reply_to


class Malformed(ValueError):
    """Bytes that are no post: no sender at all, or no header block."""


def parse_post(raw: bytes, *, fallback_at: Callable[[], datetime]) -> MailPost:
    """`fallback_at`: the time for a post whose Date is missing or unreadable (the mbox
    `From ` line's date, else the time of import), asked for only then."""
    message = _PARSER.parsebytes(raw)
    headers: dict[str, str] = {}
    for name, value in message.raw_items():
        headers.setdefault(name.lower(), _unescaped(str(value)))
    if not headers:
        raise Malformed("no header block")
    sender_name, address = _sender(headers.get("from", ""))
    if not address:
        raise Malformed("no From address")
    if len(address) > MAX_KEY:
        raise Malformed(f"a From address longer than {MAX_KEY} characters")
    body, html_only = _body(message)
    subject = _decoded(headers.get("subject", ""))
    sent_at = _date(headers.get("date"), fallback_at)
    message_id = _first_id(headers.get("message-id", "")) or _content_id(
        address, headers.get("date", ""), subject, body)
    references = tuple(_fit(found) for found in _MSGID.findall(headers.get("references", "")))
    in_reply_to = _first_id(headers.get("in-reply-to", ""))
    in_reply_to = _fit(in_reply_to) if in_reply_to else None
    list_id = _first_list_id(headers.get("list-id", ""))
    if sender_name is not None:
        sender_name = sender_name[:MAX_KEY]
    return MailPost(_fit(message_id), address, sender_name, subject, sent_at, body,
                    in_reply_to, references, list_id, html_only)


def _unescaped(value: str) -> str:
    """A header sent as raw 8-bit bytes (no encoded words: common in old archives) arrives
    with its bytes escaped as surrogates; they are read as UTF-8, else windows-1252."""
    if value.isascii() or not _SURROGATES.search(value):
        return value
    try:
        raw = value.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:  # already text: nothing was escaped
        return value
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("windows-1252", "replace")


def _decoded(value: str) -> str:
    """An unstructured header's text: encoded words decoded, folding undone."""
    if "=?" in value:
        value = str(_POLICY.header_factory("subject", value))
    return " ".join(value.split())


def _sender(value: str) -> tuple[str | None, str]:
    """Name and address; pipermail's `user at example.org (Name)` is undone first. The two
    plain forms most posts use are read directly: `getaddresses` costs an eighth of the
    import otherwise (its strict parsing since CPython's CVE-2023-27043 fix)."""
    value = _decoded(value)
    simple = _SIMPLE_SENDER.match(value)
    if simple is not None:
        name = (simple.group(1) or "").strip().strip('"').strip()
        return (" ".join(name.split()) or None), (simple.group(2) or simple.group(3)).lower()
    if "@" not in value:
        value = _OBFUSCATED.sub(r"\1@\2", value)
    found = getaddresses([value])
    name, address = found[0] if found else ("", "")
    address = address.strip().lower()
    if "@" not in address:
        return None, ""
    return (" ".join(name.split()) or None), address


def _date(value: str | None, fallback: Callable[[], datetime]) -> datetime:
    if not value:
        return fallback()
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return fallback()
    if moment.tzinfo is None:  # "-0000": RFC 5322 says UTC, time zone unknown
        moment = moment.replace(tzinfo=UTC)
    if not 1970 <= moment.year <= 9999:
        return fallback()
    return moment.astimezone(UTC)


def _first_id(value: str) -> str | None:
    found = _MSGID.search(value)
    if found:
        return found.group(1)
    bare = value.strip()  # some clients leave the brackets out
    return bare if bare and " " not in bare else None


def _first_list_id(value: str) -> str | None:
    found = _MSGID.search(value)
    return found.group(1).lower() if found else None


def _fit(message_id: str) -> str:
    """A Message-ID as a key: the rare one longer than the column is hashed (stably)."""
    if len(message_id) <= MAX_KEY:
        return message_id
    return "sha256-" + hashlib.sha256(message_id.encode("utf-8", "replace")).hexdigest()


def _content_id(address: str, date: str, subject: str, body: str) -> str:
    """A stable key for a post without Message-ID: the same post imported again (from the
    same or another export) gets the same one."""
    digest = hashlib.sha256("\x00".join(
        (address, " ".join(date.split()), subject, " ".join(body.split()))
    ).encode("utf-8", "replace")).hexdigest()
    return f"{digest[:40]}@content-hash.plenary.invalid"


def _body(message: Message) -> tuple[str, bool]:
    """The post's text: its text/plain part, else its HTML part turned into text."""
    assert isinstance(message, EmailMessage)
    if not message.is_multipart():
        # The cached header object's own answer (`get_content_type` parses it again).
        header = message.get("content-type")
        kind = str(getattr(header, "content_type", "") or "text/plain").lower()
        if kind == "text/html":
            return html_to_text(_text_of(message)), True
        if kind.startswith("text/"):
            return _text_of(message), False
        return "", False
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return "", False
    assert isinstance(part, EmailMessage)
    if part.get_content_type() == "text/html":
        return html_to_text(_text_of(part)), True
    return _text_of(part), False


def _text_of(part: EmailMessage) -> str:
    """Decoded text; an unknown or wrong charset falls back to windows-1252, which has a
    character for (nearly) every byte, rather than losing the post."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    # The parsed Content-Type header is cached (see `_POLICY`): its params cost nothing.
    content_type = part.get("content-type")
    params = getattr(content_type, "params", None) or {}
    charset = str(params.get("charset") or "us-ascii").lower()
    for candidate in (charset, "utf-8", "windows-1252"):
        try:
            text = payload.decode(_CHARSET_ALIASES.get(candidate, candidate))
            break
        except (LookupError, UnicodeDecodeError):
            continue
    else:
        text = payload.decode("latin-1")
    return text.replace("\r\n", "\n")


# Mail readers show ISO-8859-1 as windows-1252 (the WHATWG encoding rule): Outlook's "smart
# quotes" in a post labelled latin-1 come out as quotes, not control characters.
_CHARSET_ALIASES = {"iso-8859-1": "windows-1252", "latin-1": "windows-1252",
                    "us-ascii": "utf-8", "ascii": "utf-8"}
