"""The lens in words: the gaps of each issue in one line for a digest, the full breakdown for
`gaps`, and the nudge a silent channel gets."""

from __future__ import annotations

from babel import Locale

from bot.i18n import Translator
from bot.lens_values import UNDECLARED, UNDETERMINED, Gaps, IssueLens, Tally
from bot.text import bold, plain
from bot.workplan import WorkPlan


def language_label(code: str, tr: Translator) -> str:
    """`ar` in the reader's language (`arabe`, `árabe`); `und` as "language unknown"."""
    if code == UNDETERMINED:
        return tr("lens.undetermined")
    try:
        return Locale.parse(code).get_display_name(tr.locale) or code
    except (ValueError, LookupError):
        return code


def group_label(group: str, tr: Translator) -> str:
    return tr("lens.undeclared") if group == UNDECLARED else group


def describe_gaps(gaps: Gaps, tr: Translator, silent_days: int) -> list[str]:
    """Each gap of one issue as a short phrase; empty when there is none."""
    if gaps.never_spoken:
        return [tr("lens.never")]
    parts = []
    if gaps.few_groups is not None:
        parts.append(tr("lens.few_groups", count=len(gaps.few_groups),
                        groups=", ".join(gaps.few_groups)) if gaps.few_groups
                     else tr("lens.no_group"))
    if gaps.silent_since is not None:
        parts.append(tr("lens.silent", count=silent_days))
    if gaps.missing_languages:
        parts.append(tr("lens.missing_languages", languages=", ".join(
            language_label(code, tr) for code in gaps.missing_languages)))
    return parts


def compact_lines(gaps: list[Gaps], plan: WorkPlan, tr: Translator, silent_days: int
                  ) -> list[str]:
    """The digest's lens: a heading, then one line per issue with a gap."""
    lines = []
    for found in gaps:
        issue = plan.issue_by_number(found.issue)
        parts = describe_gaps(found, tr, silent_days)
        if issue is not None and parts:
            lines.append(f"- {bold(plain(issue.label(tr.locale)))} — {' · '.join(parts)}")
    return [bold(tr("lens.title")), *(lines or [tr("lens.none")])]


def _tallies(table: dict[str, Tally], label: object, tr: Translator) -> str:
    assert callable(label)
    ordered = sorted(table.items(), key=lambda item: (-item[1].inputs, item[0]))
    return " · ".join(f"{plain(label(value, tr))}: {tr('digest.inputs', count=t.inputs)}, "
                      f"{tr('digest.people', count=t.contributors)}" for value, t in ordered)


def full_lines(lens: IssueLens, gaps: Gaps, plan: WorkPlan, tr: Translator,
               silent_days: int) -> list[str]:
    """`gaps` for one issue: the breakdown by group, language and platform, then the gaps."""
    issue = plan.issue_by_number(lens.issue)
    head = bold(plain(issue.label(tr.locale))) if issue else str(lens.issue)
    lines = [head]
    if lens.inputs:
        lines += [tr("lens.by_group", counts=_tallies(lens.by_group, group_label, tr)),
                  tr("lens.by_language", counts=_tallies(lens.by_language, language_label, tr)),
                  tr("lens.by_platform", counts=_tallies(
                      lens.by_platform, lambda value, _tr: value, tr))]
    parts = describe_gaps(gaps, tr, silent_days)
    lines.append(tr("lens.gaps", gaps=" · ".join(parts)) if parts else tr("lens.no_gap"))
    return lines
