"""The digest as neutral text for chat: a summary per issue first, then the newest entries
by issue and kind, cut to fit the platform's message size."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.dates import format_short
from bot.digest_values import PLAN_COLUMNS, DigestEntry, IssueFigures, PlanColumns
from bot.digests.build import Digest, IssueSection
from bot.digests.escaping import visible
from bot.i18n import Translator
from bot.lookup import kind_title
from bot.text import bold, excerpt, isolated, link, plain
from bot.workplan import WorkPlan

# Characters of neutral text per message. Slack renders a section block of at most 3,000
# characters (escaping makes the text grow a little); a Matrix event may hold 64 KiB with
# its HTML twin; the console takes anything but a reader does not.
CHAT_LIMITS = {"slack": 2800, "matrix": 12000}
DEFAULT_LIMIT = 4000
EXCERPT = 200
FULL_TEXT = 4000  # an export quotes whole messages, within reason


@dataclass(frozen=True, slots=True)
class ChatDigest:
    text: str
    complete: bool  # False: entries were left out, the full digest should go as a file


def chat_limit(platform: str) -> int:
    return CHAT_LIMITS.get(platform, DEFAULT_LIMIT)


def render_digest(digest: Digest, plan: WorkPlan, tr: Translator, zone: ZoneInfo,
                  limit: int = DEFAULT_LIMIT) -> ChatDigest:
    """Header and summary always; then sections while they fit in `limit` characters."""
    lines = [bold(tr("digest.title", title=plain(plan.title.get(tr.locale)))),
             overview(digest, tr), "", bold(tr("digest.summary"))]
    lines += [f"- {summary_line(section, shows_new(digest), tr)}" for section in digest.sections]
    complete = all(section.figures.inputs <= section.shown for section in digest.sections)
    cut_note = tr("digest.cut")
    used = sum(len(line) + 1 for line in lines) + len(cut_note) + 1
    for section in digest.sections:
        if not section.figures.inputs:
            continue
        block = ["", *section_lines(section, plan, tr, zone)]
        size = sum(len(line) + 1 for line in block)
        if used + size > limit:
            complete = False
            break
        lines += block
        used += size
    if not complete:
        lines += ["", cut_note]
    return ChatDigest("\n".join(lines), complete)


def shows_new(digest: Digest) -> bool:
    """"New since last time" says something only when the period is not that already."""
    scope = digest.scope
    return scope.new_since is not None and scope.filters.tagged_since != scope.new_since


def overview(digest: Digest, tr: Translator) -> str:
    return tr("digest.overview", count=digest.inputs, issues=digest.with_input,
              period=digest.scope.period)


def summary_line(section: IssueSection, with_new: bool, tr: Translator) -> str:
    head = bold(plain(section.issue.label(tr.locale)))
    if not section.figures.inputs:
        return f"{head} — {tr('digest.no_input_flag')}"
    return f"{head} — {describe_figures(section.figures, with_new, tr)}"


def describe_figures(figures: IssueFigures, with_new: bool, tr: Translator) -> str:
    parts = [tr("digest.inputs", count=figures.inputs),
             tr("digest.people", count=figures.contributors),
             tr("digest.channels", count=figures.channels)]
    if with_new:
        parts.append(tr("digest.new", count=figures.new))
    return " · ".join(parts)


def describe_columns(columns: PlanColumns, tr: Translator) -> str:
    blank = tr("workplan.blank")
    return " · ".join(f"{tr('workplan.' + name)}: {plain(columns.get(name)) or blank}"
                      for name in PLAN_COLUMNS)


def section_lines(section: IssueSection, plan: WorkPlan, tr: Translator, zone: ZoneInfo
                  ) -> list[str]:
    lines = [bold(plain(section.issue.label(tr.locale))), describe_columns(section.columns, tr)]
    for group in section.groups:
        lines.append(f"{kind_title(plan, tr, group.kind)}:")
        lines.extend(f"- {render_entry(entry, tr, zone)}" for entry in group.entries)
    if section.figures.inputs > section.shown:
        lines.append(tr("digest.more", count=section.figures.inputs - section.shown))
    return lines


def render_entry(entry: DigestEntry, tr: Translator, zone: ZoneInfo, limit: int = EXCERPT,
                 *, isolate: bool = True) -> str:
    """`isolate`: the quote, author and channel each in its own direction (`isolated`), for
    chat, where an Arabic entry in an English digest (or the reverse) must keep its order;
    files leave them out (their format marks direction itself)."""
    mark = isolated if isolate else _as_is
    quoted = mark(plain(quote(entry.text, limit)))
    author = plain(entry.author) + (f" ({plain(entry.group)})" if entry.group else "")
    where = tr("digest.entry_where", author=mark(author),
               channel=mark(plain(entry.channel)), at=format_short(entry.posted_at, zone))
    source = f" {link(tr('digest.source'), entry.permalink)}" if entry.permalink else ""
    return f"{where}: “{quoted}”{source}"


def _as_is(neutral: str) -> str:
    return neutral


def quote(user_text: str, limit: int = EXCERPT) -> str:
    """A bounded, one-line excerpt of user text without invisible controls (not escaped)."""
    return excerpt(visible(user_text), limit)
