"""`forget-me`: erase everything stored of the asker, and say how much."""

from __future__ import annotations

from bot.messages import IncomingMessage
from bot.router import Args
from bot.services import Services


async def forget_me(msg: IncomingMessage, args: Args, svc: Services) -> str:
    count = await svc.storage.forget_sender(msg.where.platform, msg.sender_id, svc.clock.now())
    return svc.tr("forget.done", count=count)
