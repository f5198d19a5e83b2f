"""The lens in the HTML export: two heat-map tables (issues by stakeholder group, issues by
language) whose shade grows with the inputs and whose empty cells stand out, and the gaps of
each issue. Plain HTML and CSS: a screen reader reads them as the tables they are, and a
right-to-left page lays them out from the right."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from bot.i18n import Translator
from bot.lens.text import describe_gaps, group_label, language_label
from bot.lens_values import UNDECLARED, UNDETERMINED, Gaps, IssueLens, Tally
from bot.workplan import WorkPlan

LENS_STYLE = """
table.lens td.n{text-align:center;font-variant-numeric:tabular-nums;min-width:2.6rem}
table.lens td.zero{background:#fff1d6;color:#8a4b00;font-weight:600}
table.lens td.gaps{color:#8a4b00;font-size:.9rem}
table.lens th.col{font-size:.85rem;font-weight:600}
"""


def _shade(count: int, top: int) -> str:
    """Blue whose strength says how much input (Okabe-Ito blue, printable)."""
    alpha = 0.12 + 0.78 * count / top
    ink = "#fff" if alpha > 0.55 else "#1b1b1b"
    return (f' style="background:rgba(0,114,178,{alpha:.2f});color:{ink};'
            '-webkit-print-color-adjust:exact;print-color-adjust:exact"')


def _table(caption: str, columns: list[tuple[str, str]], lenses: list[IssueLens],
           cells: Callable[[IssueLens], dict[str, Tally]], gaps: dict[int, str],
           plan: WorkPlan, tr: Translator) -> str:
    top = max((tally.inputs for lens in lenses for tally in cells(lens).values()), default=0)
    heads = "".join(f'<th scope="col" class="col">{escape(label)}</th>' for _, label in columns)
    rows = []
    for lens in lenses:
        issue = plan.issue_by_number(lens.issue)
        label = escape(issue.label(tr.locale) if issue else str(lens.issue))
        found = cells(lens)
        row = [f'<th scope="row">{label}</th>']
        for key, name in columns:
            tally = found.get(key)
            if tally is None or not tally.inputs:
                row.append(f'<td class="n zero" title="{escape(name)}: 0">0</td>')
            else:
                people = tr("digest.people", count=tally.contributors)
                row.append(f'<td class="n"{_shade(tally.inputs, top or 1)} '
                           f'title="{escape(name)}: {tally.inputs} ({escape(people)})">'
                           f"{tally.inputs}</td>")
        row.append(f'<td class="gaps">{escape(gaps.get(lens.issue, ""))}</td>')
        rows.append("<tr>" + "".join(row) + "</tr>")
    return (f'<table class="lens"><caption>{escape(caption)}</caption><thead><tr>'
            f'<th scope="col">{escape(tr("lens.issue_column"))}</th>{heads}'
            f'<th scope="col">{escape(tr("lens.gaps_column"))}</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")


def lens_section(found: list[tuple[IssueLens, Gaps]], plan: WorkPlan, tr: Translator,
                 silent_days: int) -> str:
    lenses = [lens for lens, _ in found]
    gaps = {lens.issue: " · ".join(describe_gaps(g, tr, silent_days)) for lens, g in found}
    groups = list(plan.groups)
    groups += sorted({g for lens in lenses for g in lens.by_group if g not in groups})
    languages = list(plan.languages)
    languages += sorted({code for lens in lenses for code in lens.by_language
                         if code not in languages})
    group_columns = [(g, group_label(g, tr)) for g in groups if g != UNDECLARED]
    if any(UNDECLARED in lens.by_group for lens in lenses):
        group_columns.append((UNDECLARED, group_label(UNDECLARED, tr)))
    language_columns = [(c, language_label(c, tr)) for c in languages if c != UNDETERMINED]
    if any(UNDETERMINED in lens.by_language for lens in lenses):
        language_columns.append((UNDETERMINED, language_label(UNDETERMINED, tr)))
    return (f'<section id="lens"><h2>{escape(tr("lens.heading"))}</h2>'
            + _table(tr("lens.groups_chart"), group_columns, lenses, lambda x: x.by_group,
                     gaps, plan, tr)
            + _table(tr("lens.languages_chart"), language_columns, lenses,
                     lambda x: x.by_language, {}, plan, tr)
            + "</section>\n")
