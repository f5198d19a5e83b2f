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
table.lens td.zero{background:#fff8ec;color:#b36b00}
table.lens tr.silent td.zero{background:#f3f3f3;color:#888}
table.lens th.col{font-size:.85rem;font-weight:600}
ul.gaps li{margin:.2rem 0}ul.gaps .flag{color:#8a4b00}
"""


def _shade(count: int, top: int) -> str:
    """Blue whose strength says how much input (Okabe-Ito blue, printable)."""
    alpha = 0.12 + 0.78 * count / top
    ink = "#fff" if alpha > 0.55 else "#1b1b1b"
    return (f' style="background:rgba(0,114,178,{alpha:.2f});color:{ink};'
            '-webkit-print-color-adjust:exact;print-color-adjust:exact"')


def _table(caption: str, columns: list[tuple[str, str]], lenses: list[IssueLens],
           cells: Callable[[IssueLens], dict[str, Tally]], plan: WorkPlan,
           tr: Translator) -> str:
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
        # An issue without any input is greyed: its zeros are one gap, not many.
        rows.append(('<tr class="silent">' if not lens.inputs else "<tr>")
                    + "".join(row) + "</tr>")
    return (f'<table class="lens"><caption>{escape(caption)}</caption><thead><tr>'
            f'<th scope="col">{escape(tr("lens.issue_column"))}</th>{heads}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")


def lens_section(found: list[tuple[IssueLens, Gaps]], plan: WorkPlan, tr: Translator,
                 silent_days: int) -> str:
    lenses = [lens for lens, _ in found]
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
            + _gaps_list(found, plan, tr, silent_days)
            + _table(tr("lens.groups_chart"), group_columns, lenses, lambda x: x.by_group,
                     plan, tr)
            + _table(tr("lens.languages_chart"), language_columns, lenses,
                     lambda x: x.by_language, plan, tr)
            + "</section>\n")


def _gaps_list(found: list[tuple[IssueLens, Gaps]], plan: WorkPlan, tr: Translator,
               silent_days: int) -> str:
    """The gaps in words, first: what the tables show, for a reader who reads no table."""
    items = []
    for lens, gaps in found:
        issue = plan.issue_by_number(lens.issue)
        parts = describe_gaps(gaps, tr, silent_days)
        if issue is not None and parts:
            items.append(f"<li><strong>{escape(issue.label(tr.locale))}</strong> — "
                         f'<span class="flag">{escape(" · ".join(parts))}</span></li>')
    if not items:
        return f"<p>{escape(tr('lens.none'))}</p>"
    return f'<h3>{escape(tr("lens.gaps_column"))}</h3><ul class="gaps">{"".join(items)}</ul>'

