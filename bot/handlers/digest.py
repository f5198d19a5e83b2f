"""`digest`: staff ask for tagged input grouped by issue; the answer reaches only them."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime

from bot.commands import Args
from bot.digests.build import Digest, DigestScope, build_digest
from bot.digests.chat_text import chat_limit, render_digest
from bot.digests.exports import Exporter, TooBig, export_attachment
from bot.digests.filters import parse_request
from bot.digests.period import scope_for_reader
from bot.handlers.gaps import compact_lens
from bot.handlers.language_fill import fill_languages
from bot.messages import IncomingMessage, Reply
from bot.services import Services


async def send_digest(msg: IncomingMessage, args: Args, svc: Services) -> Reply:
    """Since the asker's previous digest unless told otherwise; the full digest comes as a
    file when the chat message cannot hold it."""
    now = svc.clock.now()
    request = parse_request(args.words, svc.plan, svc.tr, now, svc.zone)
    platform = msg.where.platform
    scope, moves_cursor = await scope_for_reader(svc.storage, request, platform, msg.sender_id,
                                                 now, svc.tr, svc.zone)
    await fill_languages(svc)  # entries stored since the job's last tick get theirs first
    exporter = Exporter(svc.storage, svc.plan, svc.tr, svc.zone, svc.settings.lens_min_groups,
                        svc.settings.lens_silent_days)
    if request.format is not None:
        attachment = await export_attachment(exporter, request.format, scope, now)
        reply = Reply(svc.tr("digest.file_caption", format=request.format, period=scope.period),
                      private=True, attachment=attachment)
    else:
        # The lens ends the chat digest, compact: only the issues with a gap. It reads all
        # input so far, the digest its period: two reads, run side by side.
        digest, lens = await asyncio.gather(timed_digest(svc, scope, now),
                                            compact_lens(svc, request.filters.issues))
        chat = render_digest(digest, svc.plan, svc.tr, svc.zone, chat_limit(platform))
        text, full = chat.text + "\n\n" + lens, None
        if not chat.complete:
            try:
                full = await export_attachment(exporter, "md", scope, now)
            except TooBig as exc:
                text = text.replace(svc.tr("digest.cut"), exc.user_text)
        reply = Reply(text, private=True, attachment=full)
    if not moves_cursor:
        return reply

    async def move_cursor() -> None:
        # Only once the digest reached its reader: a lost answer must not skip a period.
        await svc.storage.digests.move_cursor(platform, msg.sender_id, now)
    return replace(reply, after_delivery=move_cursor)


async def timed_digest(svc: Services, scope: DigestScope, now: datetime) -> Digest:
    """`build_digest`, its time kept for the health report."""
    with svc.health.digest_seconds.time():
        return await build_digest(svc.storage, svc.plan, scope, now)
