"""`link-email` and `forget-address`: a member's list address, proven by a mailed code, so
that `forget-me` erases mail like chat; staff erase an address's posts themselves."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from bot.commands import Args
from bot.digests.mail import send_message
from bot.errors import UsageError
from bot.mail.confirmation import confirmation_message, new_code, normal_address
from bot.messages import IncomingMessage, Reply
from bot.services import Services

log = logging.getLogger(__name__)

CODE_LIFETIME = timedelta(hours=24)
# One code mail per member per pause: the bot must not become a way to mail anyone, often.
PAUSE = timedelta(minutes=10)


async def link_email(msg: IncomingMessage, args: Args, svc: Services) -> Reply:
    """Private answers: an address is personal. Asking again sends a new code."""
    p = svc.settings.command_prefix
    if not args.words:
        linked = await svc.storage.mail.linked_addresses(msg.where.platform, msg.sender_id)
        if not linked:
            return Reply(svc.tr("mail.none_linked", p=p), private=True)
        return Reply(svc.tr("mail.linked_list", addresses=", ".join(linked)), private=True)
    if args.words[0].lower() == "confirm" and len(args.words) == 2:
        now = svc.clock.now()
        address = await svc.storage.mail.confirm_link(
            msg.where.platform, msg.sender_id, args.words[1].strip(), now, now - CODE_LIFETIME)
        if address is None:
            raise UsageError(svc.tr("mail.bad_code", p=p))
        return Reply(svc.tr("mail.linked", address=address, p=p), private=True)
    address = normal_address(args.words[0])
    if address is None or len(args.words) != 1:
        raise UsageError(svc.tr("mail.not_an_address", word=args.raw.strip()))
    settings = svc.settings
    if not (settings.smtp_host and settings.smtp_from):
        return Reply(svc.tr("mail.cannot_send", p=p), private=True)
    code, now = new_code(), svc.clock.now()
    last = await svc.storage.mail.last_request_at(msg.where.platform, msg.sender_id)
    if last is not None and now - last < PAUSE:
        return Reply(svc.tr("mail.wait", minutes=int(PAUSE.total_seconds() // 60)),
                     private=True)
    await svc.storage.mail.request_link(msg.where.platform, msg.sender_id, address, code, now)
    message = confirmation_message(settings.smtp_from, address,
                                   svc.tr("mail.code_subject", code=code),
                                   svc.tr("mail.code_body", code=code, p=p), now)
    try:
        await send_message(settings, message)
    except (OSError, TimeoutError) as exc:  # smtplib's errors are OSErrors
        ref = secrets.token_hex(3)
        log.warning("could not mail a link code (ref %s): %s", ref, exc)
        return Reply(svc.tr("mail.send_failed", ref=ref), private=True)
    return Reply(svc.tr("mail.code_sent", address=address, p=p), private=True)


async def forget_address(msg: IncomingMessage, args: Args, svc: Services) -> str:
    """Staff: erase an address's list posts (a member who cannot link it, a request by
    mail). Idempotent: a second run erases nothing more."""
    address = normal_address(args.words[0]) if len(args.words) == 1 else None
    if address is None:
        raise UsageError(svc.tr("mail.not_an_address", word=args.raw.strip()))
    count = await svc.storage.mail.forget_address(address, svc.clock.now())
    return svc.tr("mail.forgot", count=count, address=address)
