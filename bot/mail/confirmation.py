"""The mail that proves a member owns an address: a code they type back in chat."""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

_ADDRESS = re.compile(r"^[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[^@\s<>()\[\],;:\"]+$")


def normal_address(word: str) -> str | None:
    """`Alice@Example.org` → `alice@example.org`; None when `word` is no address."""
    word = word.strip().strip("<>").removeprefix("mailto:")
    return word.lower() if _ADDRESS.match(word) else None


def new_code() -> str:
    return f"{secrets.randbelow(10**8):08d}"


def confirmation_message(sender: str, to: str, subject: str, body: str, at: datetime
                         ) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = " ".join(subject.split())
    message["From"] = sender
    message["To"] = to
    message["Date"] = format_datetime(at)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip("<> ") or None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    return message
