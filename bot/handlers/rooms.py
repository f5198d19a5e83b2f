"""`leave`, `backfill` and invites: staff manage the rooms the bot follows (platforms that have
rooms)."""

from __future__ import annotations

import logging

from bot.commands import Args
from bot.dates import format_day, parse_day
from bot.errors import UsageError, UserError
from bot.messages import IncomingMessage, InvitedToRoom
from bot.room_control import RoomControl
from bot.services import Services

log = logging.getLogger(__name__)

DEFAULT_BACKFILL = "30d"


def _control(msg: IncomingMessage, svc: Services) -> RoomControl:
    if svc.rooms is None or not svc.manages_rooms(msg.where.platform):
        raise UserError(svc.tr("rooms.unsupported"))
    return svc.rooms


async def leave_room(msg: IncomingMessage, args: Args, svc: Services) -> None:
    """Say goodbye and leave; nothing is answered after, the bot is gone."""
    await _control(msg, svc).leave(msg.where, svc.tr("rooms.farewell"))


async def backfill_room(msg: IncomingMessage, args: Args, svc: Services) -> str:
    control = _control(msg, svc)
    words = [w for w in args.words if w.lower() != "since"]
    if len(words) > 1:
        raise UsageError(svc.tr("rooms.bad_date", word=" ".join(words)))
    word = words[0] if words else DEFAULT_BACKFILL
    since = parse_day(word, svc.clock.now(), svc.zone)
    if since is None:
        raise UsageError(svc.tr("rooms.bad_date", word=word))
    count = await control.backfill(msg.where, since)
    return svc.tr("rooms.backfill_done", count=count,
                  since=format_day(since, svc.zone, svc.locale))


async def answer_invite(invite: InvitedToRoom, svc: Services) -> None:
    """Accept an invite from staff (and follow the room, unless it is a direct chat); decline
    anyone else's, with a reason their client shows."""
    if svc.rooms is None or not svc.manages_rooms(invite.where.platform):
        return
    try:
        if await svc.staff.is_staff(invite.where.platform, invite.inviter_id):
            await svc.rooms.accept_invite(invite.where, follow=not invite.direct)
        else:
            await svc.rooms.decline_invite(invite.where, svc.tr("matrix.invite_declined"))
    except Exception:  # the invite stays pending, answered again later: the batch goes on
        log.exception("could not answer the invite of %s to %s", invite.inviter_id,
                      invite.where)
