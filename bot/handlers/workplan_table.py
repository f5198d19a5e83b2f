"""`workplan`: the plan's table with each issue's columns and its tagged-input count;
`workplan set <issue> responsible|resources|timeline <text>`: staff keep the columns."""

from __future__ import annotations

from bot.commands import Args
from bot.digest_values import PLAN_COLUMNS
from bot.errors import UsageError
from bot.lookup import resolve_issue
from bot.messages import IncomingMessage
from bot.services import Services
from bot.text import bold, code, plain

MAX_VALUE = 500
# What staff may type for each column, in either language.
_COLUMN_WORDS = {"responsible": "responsible", "responsable": "responsible",
                 "resources": "resources", "ressources": "resources",
                 "timeline": "timeline", "calendrier": "timeline"}


async def show_workplan(msg: IncomingMessage, args: Args, svc: Services) -> str:
    if args.words and args.words[0].lower() == "set":
        return await set_column(msg, args, svc)
    tr = svc.tr
    counts = await svc.storage.input_counts()
    columns = await svc.storage.digests.plan_columns(svc.plan)
    lines = [bold(plain(svc.plan.title.get(tr.locale)))]
    blank = tr("workplan.blank")
    for issue in svc.plan.issues:
        inputs = tr("workplan.inputs", count=counts.get(issue.number, 0))
        lines.append(f"- {bold(plain(issue.label(tr.locale)))} ({code('#' + issue.hashtags[0])}"
                     f" {issue.emoji}) — {inputs}")
        kept = columns[issue.number]
        lines.append("  " + " · ".join(f"{tr('workplan.' + name)}: "
                                       f"{plain(kept.get(name)) or blank}"
                                       for name in PLAN_COLUMNS))
    kinds = ", ".join(code("#" + kind.hashtags[0] if kind.hashtags else kind.key)
                      for kind in svc.plan.kinds)
    lines.append(tr("workplan.kinds", kinds=kinds))
    return "\n".join(lines)


async def set_column(msg: IncomingMessage, args: Args, svc: Services) -> str:
    """Staff only; every change is kept with who and when (and in the audit log)."""
    p = svc.settings.command_prefix
    await svc.require_staff(msg.where.platform, msg.sender_id, f"{p}workplan set")
    parts = args.raw.split(None, 3)
    if len(parts) < 4:
        raise UsageError(svc.tr("workplan.set_what", p=p))
    _, issue_word, column_word, value = parts
    issue = resolve_issue(svc.plan, svc.tr, issue_word)
    column = _COLUMN_WORDS.get(column_word.lower())
    if column is None:
        raise UsageError(svc.tr("workplan.bad_column", word=column_word))
    value = " ".join(value.split())[:MAX_VALUE]
    previous = (await svc.storage.digests.plan_columns(svc.plan))[issue.number].get(column)
    label = bold(plain(issue.label(svc.locale)))
    name = svc.tr(f"workplan.{column}")
    if value == previous:
        return svc.tr("workplan.unchanged", issue=label, column=name, value=plain(value))
    await svc.storage.digests.set_plan_column(issue.number, column, value, previous,
                                              msg.where.platform, msg.sender_id,
                                              svc.clock.now())
    return svc.tr("workplan.set_done", issue=label, column=name, value=plain(value),
                  previous=plain(previous) or svc.tr("workplan.blank"))
