"""List posts and archives made in the tests: every encoding and defect an import meets."""

from __future__ import annotations

import gzip
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

LIST_ID = "<emm.lists.example.org>"


def post(message_id: str | None, *, sender: str = "Alice Example <alice@example.org>",
         subject: str = "Prioritisation", body: str = "Set priorities first.",
         date: str | None = "Mon, 07 Oct 2019 10:00:00 -0400", in_reply_to: str | None = None,
         references: str | None = None, list_id: str | None = LIST_ID, charset: str = "utf-8",
         cte: str = "8bit", html: str | None = None) -> bytes:
    """One post's bytes. `cte` is quoted-printable, base64 or 8bit; `html` alone makes an
    HTML-only post."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "emm@lists.example.org"
    message["Subject"] = subject
    if date is not None:
        message["Date"] = date
    if message_id is not None:
        message["Message-ID"] = f"<{message_id}>"
    if in_reply_to:
        message["In-Reply-To"] = f"<{in_reply_to}>"
    if references:
        message["References"] = references
    if list_id:
        message["List-Id"] = f"EMM discussion {list_id}"
    if html is not None:
        message.set_content(html, subtype="html", charset=charset, cte=cte)
    else:
        message.set_content(body, charset=charset, cte=cte)
    return message.as_bytes(policy=SMTP.clone(linesep="\n"))


def raw_post(headers: str, body: bytes) -> bytes:
    """A post written by hand, for what EmailMessage would not write (a bad date, a
    windows-1252 body labelled ISO-8859-1, pipermail's obfuscated sender)."""
    return headers.strip("\n").encode("ascii") + b"\n\n" + body


def mbox(posts: list[bytes], envelope: str = "alice@example.org  Mon Oct  7 14:00:00 2019"
         ) -> bytes:
    """An mboxrd: a `From ` line before each post, body `From ` lines escaped."""
    out = bytearray()
    for one in posts:
        out += f"From {envelope}\n".encode("ascii")
        for line in one.splitlines(keepends=True):
            if line.lstrip(b">").startswith(b"From "):
                line = b">" + line
            out += line
        out += b"\n" if one.endswith(b"\n") else b"\n\n"
    return bytes(out)


def write_pipermail(folder: Path, months: dict[str, list[bytes]]) -> list[Path]:
    """Monthly `2019-October.txt.gz` volumes, as Mailman 2 writes them."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for month, posts in months.items():
        path = folder / f"{month}.txt.gz"
        path.write_bytes(gzip.compress(mbox(posts, "alice at example.org  Mon Oct  7 14:00:00 "
                                                   "2019")))
        paths.append(path)
    return paths


def pipermail_post(message_id: str, sender: str = "bob at example.org (Bob Builder)",
                   subject: str = "[EMM] Resources", body: str = "We need a budget #wp3.",
                   date: str = "Tue, 8 Oct 2019 09:00:00 +0200") -> bytes:
    """A post as pipermail's text archive keeps it: the sender's address obfuscated."""
    return raw_post(f"""
From: {sender}
Date: {date}
Subject: {subject}
Message-ID: <{message_id}>
""", body.encode("utf-8"))
