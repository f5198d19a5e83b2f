"""`workplan`: the plan's table with each issue's columns and its tagged-input count."""

from __future__ import annotations

from bot.messages import IncomingMessage
from bot.router import Args
from bot.services import Services
from bot.text import bold, code, plain


async def show_workplan(msg: IncomingMessage, args: Args, svc: Services) -> str:
    tr = svc.tr
    counts = await svc.storage.input_counts()
    lines = [bold(plain(svc.plan.title.get(tr.locale)))]
    blank = tr("workplan.blank")
    for issue in svc.plan.issues:
        inputs = tr("workplan.inputs", count=counts.get(issue.number, 0))
        lines.append(f"- {bold(plain(issue.label(tr.locale)))} ({code('#' + issue.hashtags[0])}"
                     f" {issue.emoji}) — {inputs}")
        lines.append(f"  {tr('workplan.responsible')}: {plain(issue.responsible) or blank} · "
                     f"{tr('workplan.resources')}: {plain(issue.resources) or blank} · "
                     f"{tr('workplan.timeline')}: {plain(issue.timeline) or blank}")
    kinds = ", ".join(code("#" + kind.hashtags[0] if kind.hashtags else kind.key)
                      for kind in svc.plan.kinds)
    lines.append(tr("workplan.kinds", kinds=kinds))
    return "\n".join(lines)
