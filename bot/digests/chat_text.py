"""The digest as neutral text for chat: a summary line per issue, then the newest entries."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.dates import format_short
from bot.digests.build import Digest, IssueSection
from bot.digests.model import DigestEntry, DigestFilters
from bot.i18n import Translator
from bot.lookup import kind_title
from bot.text import bold, excerpt, link, plain
from bot.workplan import WorkPlan


def describe_period(filters: DigestFilters, tr: Translator, zone: ZoneInfo) -> str:
    if filters.since and filters.until:
        return tr("digest.period_between", since=format_short(filters.since, zone),
                  until=format_short(filters.until, zone))
    if filters.since:
        return tr("digest.period_since", since=format_short(filters.since, zone))
    if filters.until:
        return tr("digest.period_until", until=format_short(filters.until, zone))
    return tr("digest.period_all")


def render_digest(digest: Digest, plan: WorkPlan, tr: Translator, zone: ZoneInfo) -> str:
    with_input = sum(1 for section in digest.sections if section.figures.inputs)
    lines = [bold(tr("digest.title", title=plain(plan.title.get(tr.locale)))),
             tr("digest.overview", count=digest.inputs, issues=with_input,
                period=describe_period(digest.filters, tr, zone))]
    for section in digest.sections:
        lines.append("")
        lines.extend(_section(section, plan, tr, zone))
    return "\n".join(lines)


def _section(section: IssueSection, plan: WorkPlan, tr: Translator, zone: ZoneInfo
             ) -> list[str]:
    issue, figures = section.issue, section.figures
    head = bold(plain(issue.label(tr.locale)))
    if not figures.inputs:
        return [f"{head} — {tr('digest.no_input')}"]
    lines = [f"{head} — {describe_figures(figures.inputs, figures.contributors, tr)}"]
    columns = [(tr("workplan.responsible"), issue.responsible),
               (tr("workplan.resources"), issue.resources),
               (tr("workplan.timeline"), issue.timeline)]
    filled = [f"{name}: {plain(value)}" for name, value in columns if value]
    if filled:
        lines.append(" · ".join(filled))
    for group in section.groups:
        lines.append(f"{kind_title(plan, tr, group.kind)}:")
        lines.extend(f"- {render_entry(entry, tr, zone)}" for entry in group.entries)
    if figures.inputs > section.shown:
        lines.append(tr("digest.more", count=figures.inputs - section.shown))
    return lines


def describe_figures(inputs: int, contributors: int, tr: Translator) -> str:
    return tr("digest.figures", count=inputs, people=tr("digest.people", count=contributors))


def render_entry(entry: DigestEntry, tr: Translator, zone: ZoneInfo) -> str:
    quoted = plain(excerpt(entry.text, 200))
    where = tr("digest.entry_where", author=plain(entry.author), channel=plain(entry.channel),
               at=format_short(entry.posted_at, zone))
    source = f" {link(tr('digest.source'), entry.permalink)}" if entry.permalink else ""
    return f"{where}: “{quoted}”{source}"
