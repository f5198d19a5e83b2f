"""An inline SVG chart of tagged input per issue per week: stacked bars, one colour per issue."""

from __future__ import annotations

from datetime import date, timedelta
from html import escape

from bot.digest_values import WeekCount
from bot.workplan import Issue

# Colour-blind-safe (Okabe-Ito, then Tol's muted) so that issues stay apart in print too.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000", "#882255", "#44AA99", "#999933", "#AA4499")
_HEIGHT = 220
_LEFT, _BOTTOM, _TOP = 44, 40, 12
_MAX_WIDTH = 960


def issue_colour(position: int) -> str:
    return PALETTE[position % len(PALETTE)]


def all_weeks(counts: list[WeekCount]) -> list[str]:
    """Every Monday from the first week with input to the last, gaps included."""
    if not counts:
        return []
    first = min(date.fromisoformat(c.week) for c in counts)
    last = max(date.fromisoformat(c.week) for c in counts)
    return [(first + timedelta(weeks=n)).isoformat() for n in range((last - first).days // 7 + 1)]


def weekly_chart(counts: list[WeekCount], issues: list[Issue], locale: str, title: str
                 ) -> str:
    """The SVG element (no XML prolog): it is meant to sit inside an HTML page."""
    weeks = all_weeks(counts)
    colours = {issue.number: issue_colour(n) for n, issue in enumerate(issues)}
    labels = {issue.number: issue.label(locale) for issue in issues}
    stacks: dict[str, list[WeekCount]] = {week: [] for week in weeks}
    for count in counts:
        if count.issue in colours:
            stacks[count.week].append(count)
    top = max((sum(c.inputs for c in stack) for stack in stacks.values()), default=0) or 1
    step = max(4.0, min(40.0, (_MAX_WIDTH - _LEFT) / max(len(weeks), 1)))
    width = int(_LEFT + step * len(weeks) + 8)
    plot = _HEIGHT - _BOTTOM - _TOP
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
             f'width="{max(width, 320)}" height="{_HEIGHT}" '
             f'viewBox="0 0 {max(width, 320)} {_HEIGHT}" aria-labelledby="chart-title">',
             f'<title id="chart-title">{escape(title)}</title>',
             f'<line x1="{_LEFT}" y1="{_TOP + plot}" x2="{width}" y2="{_TOP + plot}" '
             'stroke="#555"/>',
             f'<text x="{_LEFT - 6}" y="{_TOP + 4}" text-anchor="end" class="axis">{top}</text>',
             f'<text x="{_LEFT - 6}" y="{_TOP + plot}" text-anchor="end" class="axis">0</text>']
    every = max(1, len(weeks) // 12)  # at most a dozen week labels
    for position, week in enumerate(weeks):
        x = _LEFT + position * step
        y = float(_TOP + plot)
        for count in sorted(stacks[week], key=lambda c: c.issue):
            height = plot * count.inputs / top
            y -= height
            parts.append(
                f'<rect x="{x + 1:.1f}" y="{y:.1f}" width="{step - 2:.1f}" height="{height:.1f}"'
                f' fill="{colours[count.issue]}" data-issue="{count.issue}" data-week="{week}"'
                f' data-count="{count.inputs}"><title>{escape(week)} · '
                f'{escape(labels[count.issue])}: {count.inputs}</title></rect>')
        if position % every == 0:
            parts.append(f'<text x="{x + step / 2:.1f}" y="{_TOP + plot + 16}" '
                         f'text-anchor="middle" class="axis">{week[5:]}</text>')
    parts.append("</svg>")
    return "".join(parts)


def legend(issues: list[Issue], locale: str) -> str:
    items = "".join(f'<li><span class="swatch" style="background:{issue_colour(n)}"></span>'
                    f"{escape(issue.label(locale))}</li>" for n, issue in enumerate(issues))
    return f'<ul class="legend">{items}</ul>'
