"""`help`: the commands the asker may run where they ask, generated from the routes."""

from __future__ import annotations

from bot.commands import Args, Route
from bot.messages import IncomingMessage
from bot.services import Services
from bot.text import bold


async def show_help(msg: IncomingMessage, args: Args, svc: Services) -> str:
    from bot.handlers import ROUTES  # the registry imports this module

    prefix = svc.settings.command_prefix
    is_staff = await svc.staff.is_staff(msg.where.platform, msg.sender_id)
    lines = [bold(svc.tr("help.title"))]
    for route in ROUTES:
        if runnable(route, msg, svc, is_staff):
            # Staff see which of their commands members don't have.
            staff = f" {svc.tr('help.staff_only')}" if route.staff_only else ""
            lines.append(f"- {svc.tr(route.usage_key, p=prefix)}{staff}")
    lines.append(svc.tr("help.tagging", example="#wp3 #solution"))
    if is_staff and svc.rooms is not None and svc.manages_rooms(msg.where.platform):
        # Never lost silently: staff learn of messages the bot was sent but cannot read.
        count = await svc.rooms.unreadable(msg.where.platform)
        if count:
            lines.append(svc.tr("encryption.unreadable", count=count))
    return "\n".join(lines)


def runnable(route: Route, msg: IncomingMessage, svc: Services, is_staff: bool) -> bool:
    """Whether the asker could run `route` here: a member is not shown staff commands, and
    nobody is shown room commands on a platform without them (Slack, the console)."""
    if route.staff_only and not is_staff:
        return False
    return not route.needs_room_control or svc.manages_rooms(msg.where.platform)
