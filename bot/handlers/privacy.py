"""`forget-me`: erase everything stored of the asker (their linked list posts too), and say
how much."""

from __future__ import annotations

from bot.commands import Args
from bot.messages import IncomingMessage
from bot.services import Services


async def forget_me(msg: IncomingMessage, args: Args, svc: Services) -> str:
    """Chat messages, and the list posts of every mail address the member linked (and
    confirmed: a claim alone erases nothing of anyone else's)."""
    now = svc.clock.now()
    count = await svc.storage.forget_sender(msg.where.platform, msg.sender_id, now)
    count += await svc.storage.mail.forget_member(msg.where.platform, msg.sender_id, now)
    return svc.tr("forget.done", count=count)
