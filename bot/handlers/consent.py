"""The consent notice: the first time a member's message is stored, plenary tells them once,
privately and in their language, what it keeps, who sees it, and how to get or erase it.

Storage claims the notice in the transaction that stores the message (`bot.storage.consent`),
so a redelivery, a second replica or two first messages at once never tell anyone twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from bot.i18n import Translator
from bot.messages import IncomingMessage
from bot.services import Services
from bot.settings import Settings
from bot.storage import SaveOutcome

log = logging.getLogger(__name__)


def notice_text(settings: Settings, tr: Translator) -> str:
    """The notice in `tr`'s language, naming the commands as that language writes them."""
    prefix = settings.command_prefix
    # Scheduled digests mailed out reach the mailing list too: the notice says so.
    mailed = bool(settings.digest_to)
    return tr("consent.notice_mailed" if mailed else "consent.notice",
              my_data=f"{prefix}{tr('command.my-data')}",
              forget=f"{prefix}{tr('command.forget-me')}")


async def tell_new_members(stored: Sequence[tuple[IncomingMessage, SaveOutcome]],
                           svc: Services) -> None:
    """Send the notices claimed with these messages (concurrently: a sync batch can bring many
    new members), then record the ones that went out. A notice that failed is claimed again
    by the member's next message once its claim is stale."""
    due = [msg for msg, outcome in stored if outcome is SaveOutcome.NEW_MEMBER]
    if not due:
        return
    try:
        chosen = await svc.storage.member_languages(
            [(msg.where.platform, msg.sender_id) for msg in due])
    except Exception:
        log.exception("could not read the languages of %d new members", len(due))
        return  # their claims go stale and are taken again with their next messages
    sent = await asyncio.gather(*(
        _tell(msg, svc.in_language(svc.member_locale(
            msg.where, chosen.get((msg.where.platform, msg.sender_id))))) for msg in due))
    told = [(msg.where.platform, msg.sender_id) for msg, ok in zip(due, sent, strict=True) if ok]
    if told:
        svc.storage.notices_told(told, svc.clock.now())  # joins the next write


async def _tell(msg: IncomingMessage, theirs: Services) -> bool:
    """`theirs`: the services in the member's language."""
    try:
        await theirs.chat.send_private(msg.where, msg.sender_id,
                                       notice_text(theirs.settings, theirs.tr),
                                       reply_to=msg.message_id)
    except Exception:
        log.exception("could not send the consent notice for %s", msg.ref)
        return False
    return True
