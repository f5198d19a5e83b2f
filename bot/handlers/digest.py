"""`digest`: staff ask for tagged input grouped by issue; the answer reaches only them."""

from __future__ import annotations

from bot.digests.build import build_digest
from bot.digests.chat_text import render_digest
from bot.digests.exports import Exporter
from bot.digests.filters import parse_request
from bot.messages import Attachment, IncomingMessage, Reply
from bot.router import Args
from bot.services import Services

MIME_TYPES = {"md": "text/markdown", "json": "application/json", "csv": "text/csv"}


async def send_digest(msg: IncomingMessage, args: Args, svc: Services) -> Reply:
    now = svc.clock.now()
    request = parse_request(args.words, svc.plan, svc.tr, now, svc.zone)
    if request.format is not None:
        chunks: list[str] = []

        async def collect(text: str) -> None:
            chunks.append(text)

        exporter = Exporter(svc.storage, svc.plan, svc.tr, svc.zone)
        await exporter.write(request.format, request.filters, now, collect)
        filename = f"plenary-digest-{now.astimezone(svc.zone):%Y%m%d-%H%M}.{request.format}"
        attachment = Attachment(filename, "".join(chunks).encode("utf-8"),
                                MIME_TYPES[request.format])
        return Reply(svc.tr("digest.file_caption", format=request.format), private=True,
                     attachment=attachment)
    digest = await build_digest(svc.storage, svc.plan, request.filters, now)
    return Reply(render_digest(digest, svc.plan, svc.tr, svc.zone), private=True)
