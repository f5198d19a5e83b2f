"""`help`: every command with its usage, generated from the routes."""

from __future__ import annotations

from bot.messages import IncomingMessage
from bot.router import Args
from bot.services import Services
from bot.text import bold


async def show_help(msg: IncomingMessage, args: Args, svc: Services) -> str:
    from bot.handlers import ROUTES  # the registry imports this module

    prefix = svc.settings.command_prefix
    lines = [bold(svc.tr("help.title"))]
    for route in ROUTES:
        staff = f" {svc.tr('help.staff_only')}" if route.staff_only else ""
        lines.append(f"- {svc.tr(route.usage_key, p=prefix)}{staff}")
    lines.append(svc.tr("help.tagging", example="#wp3 #solution"))
    return "\n".join(lines)
