"""`hide`: staff keep an input out of digests, with a reason kept in the audit log."""

from __future__ import annotations

from bot.commands import Args
from bot.errors import NotFound, UsageError
from bot.i18n import quoted
from bot.messages import IncomingMessage, MessageRef
from bot.services import Services
from bot.text import plain

MAX_REASON = 500


async def hide_input(msg: IncomingMessage, args: Args, svc: Services) -> str:
    """`hide <link or id> <reason>`, or `hide <reason>` as a reply. Idempotent."""
    p = svc.settings.command_prefix
    if msg.reply_to_id is not None:
        target = MessageRef(msg.where.platform, msg.where.id, msg.reply_to_id)
        reason = args.raw
        word = msg.reply_to_id
    else:
        parts = args.raw.split(None, 1)
        if not parts:
            raise UsageError(svc.tr("hide.what", p=p))
        word = parts[0].strip("<>")
        reason = parts[1] if len(parts) > 1 else ""
        named = await svc.chat.message_id_named(msg.where, word)
        found = await svc.storage.digests.find_message(named or word, msg.where.platform,
                                                       msg.where.id)
        if found is None:
            raise NotFound(svc.tr("hide.unknown", word=word))
        target = found
    reason = " ".join(reason.split())[:MAX_REASON]
    if not reason:
        raise UsageError(svc.tr("hide.reason_needed", p=p, target=quoted(word)))
    hidden = await svc.storage.digests.hide(target, reason, msg.sender_id, svc.clock.now())
    if hidden is None:
        raise NotFound(svc.tr("hide.unknown", word=word))
    if not hidden:
        return svc.tr("hide.already")
    return svc.tr("hide.done", reason=plain(reason))
