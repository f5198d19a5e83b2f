"""The digest by email, like a list digest: Markdown as the plain-text body, the HTML page
as its alternative; sent over SMTP with STARTTLS or TLS."""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from bot.settings import Settings

TIMEOUT_SECONDS = 30


def mail_configured(settings: Settings) -> bool:
    return bool(settings.smtp_host and settings.smtp_from and settings.digest_to)


def build_message(settings: Settings, subject: str, markdown: str, html: str | None,
                  at: datetime) -> EmailMessage:
    assert settings.smtp_from is not None
    message = EmailMessage()
    message["Subject"] = " ".join(subject.split())  # no header injection by a newline
    message["From"] = settings.smtp_from
    message["To"] = ", ".join(settings.digest_to)
    message["Date"] = format_datetime(at)
    message["Message-ID"] = make_msgid(domain=settings.smtp_from.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"  # no vacation replies to a digest
    message.set_content(markdown, subtype="plain", cte="quoted-printable")
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
