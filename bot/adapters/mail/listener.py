"""The SMTP or LMTP server in the bot's own event loop, handing each message's bytes to
the core (`bot.mail.ingest`) and its answer back to the MTA as the reply to DATA."""

from __future__ import annotations

import asyncio
import logging
import secrets
import socket
from collections.abc import Awaitable, Callable
from typing import Any

from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP

log = logging.getLogger(__name__)

Receive = Callable[[bytes, str], Awaitable[str]]


class _Handler:
    def __init__(self, receive: Receive, max_bytes: int) -> None:
        self._receive = receive
        self._max_bytes = max_bytes

    async def handle_DATA(self, server: SMTP, session: Any, envelope: Any) -> str:
        content = envelope.original_content or envelope.content
        raw = content if isinstance(content, bytes) else str(content).encode("utf-8")
        if len(raw) > self._max_bytes:  # aiosmtpd's own limit catches most before this
            status = (f"552 5.3.4 Message too big for plenary (limit {self._max_bytes} "
                      "bytes)")
        else:
            try:
                status = await self._receive(raw, envelope.mail_from or "")
            except Exception:  # the core never raises here; a bug must not cost the mail
                ref = secrets.token_hex(3)
                log.exception("mail delivery failed (ref %s)", ref)
                status = f"451 4.3.0 Could not take this message now (ref {ref}); try later"
        if isinstance(server, LMTP):
            # LMTP answers DATA once per recipient; the message is one post for all of them.
            return "\r\n".join([status] * max(1, len(envelope.rcpt_tos)))
        return status


class MailListener:
    """`serve()` runs until cancelled; once `listening` is set, `address` says where
    (port 0 picks a free one: tests)."""

    platform = "email"

    def __init__(self, host: str, port: int, receive: Receive, *, protocol: str = "smtp",
                 max_bytes: int = 10 * 1024 * 1024) -> None:
        self._host, self._port = host, port
        self._handler = _Handler(receive, max_bytes)
        self._protocol = LMTP if protocol == "lmtp" else SMTP
        self._max_bytes = max_bytes
        # Once: aiosmtpd would otherwise look up the FQDN (DNS, blocking) per connection.
        self._hostname = socket.gethostname()
        self.listening = asyncio.Event()
        self.address: tuple[str, int] | None = None

    def _session(self) -> SMTP:
        return self._protocol(self._handler, data_size_limit=self._max_bytes,
                              enable_SMTPUTF8=True, ident="plenary", hostname=self._hostname,
                              # MTAs wait minutes for our reply to DATA; storing takes less
                              timeout=300)

    async def serve(self) -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(self._session, self._host, self._port)
        bound = server.sockets[0].getsockname()
        self.address = (bound[0], bound[1])
        log.info("mail listener (%s) on %s:%s", self._protocol.__name__, *self.address)
        self.listening.set()
        async with server:
            await server.serve_forever()
