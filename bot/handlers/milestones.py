"""`milestones`: what is coming, with dates in the consultation's timezone and a countdown."""

from __future__ import annotations

from bot.dates import format_instant, format_span
from bot.messages import IncomingMessage
from bot.router import Args
from bot.services import Services
from bot.text import bold, link, plain


async def list_upcoming(msg: IncomingMessage, args: Args, svc: Services) -> str:
    tr, now = svc.tr, svc.clock.now()
    upcoming = sorted((m.starts_at(svc.plan.zone), m) for m in svc.plan.milestones
                      if m.starts_at(svc.plan.zone) >= now)
    if not upcoming:
        return tr("milestones.none")
    lines = [bold(tr("milestones.title"))]
    for starts_at, milestone in upcoming:
        when = format_instant(starts_at, svc.zone, tr.locale)
        if milestone.week_of is not None:
            when = tr("milestones.week_of", day=when.split(",")[0])
        title = plain(milestone.title.get(tr.locale))
        if milestone.link:
            title = link(title, milestone.link)
        lines.append(f"- {bold(title)} — {when} "
                     f"({tr('milestones.in', span=format_span(starts_at - now, tr.locale))})")
    return "\n".join(lines)
