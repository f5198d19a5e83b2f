"""The consent notice: the first time a member's message is stored, plenary tells them once,
privately and in their language, what it keeps, who sees it, and how to get or erase it.

Storage claims the notice in the transaction that stores the message (`bot.storage.consent`),
so a redelivery, a second replica or two first messages at once never tell anyone twice. The
notice is sent in the background (`Services.background`), after the burst has returned.
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


def tell_new_members(stored: Sequence[tuple[IncomingMessage, SaveOutcome]],
                     svc: Services) -> None:
    """Send the notices claimed with these messages, without holding up their burst: the
    messages are durable already, and the burst's caller acknowledges the platform when it
    returns. A notice that is never sent (its send failed, the process stopped) is claimed
    again by the member's next message once its claim is stale."""
    due = [msg for msg, outcome in stored if outcome is SaveOutcome.NEW_MEMBER]
    if due:
        svc.background.start(_tell_all(due, svc), f"consent notices for {len(due)} members")


async def _tell_all(due: Sequence[IncomingMessage], svc: Services) -> None:
    """Concurrently (a sync batch can bring many new members), each in their language; then
    record, in one write, those that went out."""
    try:
        chosen = await svc.storage.member_languages(
            [(msg.where.platform, msg.sender_id) for msg in due])
    except Exception:
        log.exception("could not read the languages of %d new members", len(due))
        return  # their claims go stale and are taken again with their next messages
    notices = _Notices(svc)
    sent = await asyncio.gather(*(
        _tell(msg, notices.text(svc.member_locale(
            msg.where, chosen.get((msg.where.platform, msg.sender_id)))), svc)
        for msg in due))
    told = [(msg.where.platform, msg.sender_id) for msg, ok in zip(due, sent, strict=True) if ok]
    if told:
        await svc.storage.notices_told(told, svc.clock.now())


class _Notices:
    """The notice in each language, written once per batch of new members, not once each."""

    def __init__(self, svc: Services) -> None:
        self._svc = svc
        self._texts: dict[str, str] = {}

    def text(self, locale: str) -> str:
        text = self._texts.get(locale)
        if text is None:
            theirs = self._svc.in_language(locale)
            text = self._texts[locale] = notice_text(theirs.settings, theirs.tr)
        return text


async def _tell(msg: IncomingMessage, text: str, svc: Services) -> bool:
    try:
        await svc.chat.send_private(msg.where, msg.sender_id, text, reply_to=msg.message_id)
    except Exception:
        log.exception("could not send the consent notice for %s", msg.ref)
        return False
    return True
