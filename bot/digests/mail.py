"""The digest by email, like a list digest: Markdown as the plain-text body (wrapped for
mail readers), the HTML page as its alternative; sent over SMTP with STARTTLS or TLS.

Headers a list takes as an ordinary post: one stable Message-ID per period (a resend is the
same message; replies name it in In-Reply-To and thread under it), `Auto-Submitted:
auto-generated` (RFC 3834: no vacation or out-of-office answers) and Exchange's
`X-Auto-Response-Suppress`. No `Precedence`: it is not a standard, and `Precedence: list`
or `bulk` on a post makes some list servers and filters take it for an automatic answer or
a loop and hold or drop it; the list adds its own once it distributes the digest. No
`List-*` headers either: they are the list's to add, and a post already carrying a List-Id
looks like a loop to it.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

from bot.mail.digest_ids import digest_message_id
from bot.mail.wrap import wrap_for_mail
from bot.settings import Settings

TIMEOUT_SECONDS = 30


def mail_configured(settings: Settings) -> bool:
    return bool(settings.smtp_host and settings.smtp_from and settings.digest_to)


def build_message(settings: Settings, subject: str, markdown: str, html: str | None,
                  at: datetime) -> EmailMessage:
    """The digest of the period ending `at`: its Date and its Message-ID."""
    assert settings.smtp_from is not None
    message = EmailMessage()
    message["Subject"] = " ".join(subject.split())  # no header injection by a newline
    message["From"] = settings.smtp_from
    message["To"] = ", ".join(settings.digest_to)
    message["Date"] = format_datetime(at)
    domain = settings.smtp_from.rpartition("@")[2].strip("<> ") or "plenary.invalid"
    message["Message-ID"] = digest_message_id(at, domain)
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"
    message["Content-Language"] = settings.locale
    message.set_content(wrap_for_mail(markdown), subtype="plain", cte="quoted-printable")
    if html is not None:
        message.add_alternative(html, subtype="html", cte="quoted-printable")
    return message


async def send_message(settings: Settings, message: EmailMessage,
                       context: ssl.SSLContext | None = None) -> None:
    """Deliver through `PLENARY_SMTP_*`; the blocking client runs in a worker thread with a
    timeout on every socket operation. `context` lets tests trust their own certificate."""
    await asyncio.to_thread(_send, settings, message, context or ssl.create_default_context())


def _send(settings: Settings, message: EmailMessage, context: ssl.SSLContext) -> None:
    assert settings.smtp_host is not None
    client: smtplib.SMTP
    if settings.smtp_security == "tls":
        client = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port,
                                  timeout=TIMEOUT_SECONDS, context=context)
    else:
        client = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT_SECONDS)
    with client:
        if settings.smtp_security == "starttls":
            client.starttls(context=context)
        if settings.smtp_user and settings.smtp_password is not None:
            client.login(settings.smtp_user, settings.smtp_password.get_secret_value())
        client.send_message(message)
