"""The digest as one self-contained HTML page: readable on screen and printable, with the
work-plan table, a weekly chart and the entries. All user text is escaped."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing
from datetime import datetime
from typing import Generic, TypeVar

from babel import Locale

from bot.dates import format_short
from bot.digest_values import PLAN_COLUMNS
from bot.digests.build import DigestScope, chosen_issues, kind_order
from bot.digests.chart import legend, weekly_chart
from bot.digests.chat_text import FULL_TEXT
from bot.digests.escaping import html_attribute
from bot.digests.export_head import ExportSource, Head, Write
from bot.digests.html_entries import Entries, LocalMinutes
from bot.lens.html import LENS_STYLE, lens_section
from bot.lookup import kind_title
from bot.workplan import Issue

_T = TypeVar("_T")

STYLE = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1b;
max-width:60rem;margin:2rem auto;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2rem;border-bottom:2px solid #ddd}
h3{font-size:1rem;margin:1.2rem 0 .4rem;color:#444}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.count{text-align:right;font-variant-numeric:tabular-nums}
tr.empty td{color:#8a4b00;background:#fff6e5}
.meta{color:#555}.chart text.axis{font-size:11px;fill:#555}
.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.3rem 1rem;font-size:.9rem}
.swatch{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;vertical-align:-1px;
-webkit-print-color-adjust:exact;print-color-adjust:exact}
ol.entries{padding-left:1.2rem}ol.entries li{margin:.35rem 0}
.text{white-space:pre-wrap;overflow-wrap:anywhere}
.who{color:#555;font-size:.9rem}
.kind{display:inline-block;margin-left:.4rem;padding:0 .35rem;border:1px solid #bbb;
border-radius:.6rem;font-size:.75rem;color:#333}
@media print{body{margin:0;max-width:none;font-size:11pt}a{color:inherit}
a[href]::after{content:" <" attr(href) ">";font-size:8pt;color:#555;word-break:break-all}
thead{display:table-header-group}tr,li,svg{break-inside:avoid}h2,h3{break-after:avoid}}
@page{margin:1.5cm}
"""


async def write_html(source: ExportSource, scope: DigestScope, now: datetime, out: Write
                     ) -> None:
    # The entries are most of the work: their first rows are read while the figures and the
    # chart above them are counted.
    async with aclosing(_Started(_entry_chunks(source, scope))) as entries:
        await _page(source, await source.head(scope, now), entries, out)


def html_language(locale: str) -> str:
    """`lang` (BCP 47: `zh-Hans`) and, for a right-to-left language, `dir` of the page; each
    entry then takes its own direction from its text (`dir="auto"`), as people mix them."""
    rtl = Locale.parse(locale).character_order == "right-to-left"
    return f'lang="{locale.replace("_", "-")}"' + (' dir="rtl"' if rtl else "")


async def _page(source: ExportSource, head: Head, entries: AsyncIterator[tuple[int, str]],
                out: Write) -> None:
    tr, plan, zone = source.tr, source.plan, source.zone
    locale = tr.locale
    title = tr("digest.title", title=plan.title.get(locale))
    await out(f'<!DOCTYPE html>\n<html {html_language(locale)}><head><meta charset="utf-8">'
              f'<meta name="viewport" content="width=device-width,initial-scale=1">'
              f"<title>{html_attribute(title)}</title><style>{STYLE}{LENS_STYLE}</style></head><body>\n")
    overview = tr("digest.overview", count=head.total, issues=head.with_input,
                  period=head.scope.period)
    generated = tr("digest.generated", at=format_short(head.now, zone))
    await out(f'<header><h1>{html_attribute(title)}</h1><p class="meta">'
              f"{html_attribute(overview)}<br>{html_attribute(generated)}</p></header>\n")
    await _workplan_table(source, head, out)
    weeks = await source.storage.digests.weekly_counts(head.scope.filters)
    chart_title = tr("digest.chart_title")
    await out(f'<section id="chart"><h2>{html_attribute(chart_title)}</h2>')
    if weeks:
        await out(weekly_chart(weeks, list(head.issues), locale, chart_title))
        await out(legend(list(head.issues), locale))
    else:
        await out(f"<p>{html_attribute(tr('digest.chart_empty'))}</p>")
    await out("</section>\n")
    await out(lens_section(await source.lens(head), plan, tr, source.silent_days))
    await out(f'<section id="entries"><h2>{html_attribute(tr("digest.entries"))}</h2>')
    shown = [issue for issue in head.issues if head.figures_of(issue).inputs]
    await _articles(shown, entries, locale, out)
    await out("</section>\n")
    await out(f'<footer><p class="meta">{html_attribute(tr("digest.end"))}</p></footer>'
              "</body></html>\n")


async def _workplan_table(source: ExportSource, head: Head, out: Write) -> None:
    tr = source.tr
    names = [tr("digest.issue"), *(tr(f"workplan.{c}") for c in PLAN_COLUMNS),
             tr("digest.inputs_column"), tr("digest.people_column"), tr("digest.new_column")]
    heads = "".join(f"<th>{html_attribute(name)}</th>" for name in names)
    await out(f'<section id="workplan"><h2>{html_attribute(tr("digest.workplan_table"))}</h2>'
              f"<table><thead><tr>{heads}</tr></thead><tbody>")
    blank = tr("workplan.blank")
    for issue in head.issues:
        figures, columns = head.figures_of(issue), head.columns[issue.number]
        empty = not figures.inputs
        inputs = f"0 — {tr('digest.no_input_mark')}" if empty else str(figures.inputs)
        cells = "".join(f"<td>{html_attribute(columns.get(c) or blank)}</td>"
                        for c in PLAN_COLUMNS)
        row_class = ' class="empty"' if empty else ""
        await out(f"<tr{row_class}>"
                  f'<td><a href="#issue-{issue.number}">'
                  f"{html_attribute(issue.label(tr.locale))}</a></td>"
                  f'{cells}<td class="count">{html_attribute(inputs)}</td>'
                  f'<td class="count">{figures.contributors}</td>'
                  f'<td class="count">{figures.new}</td></tr>')
    await out("</tbody></table></section>\n")


async def _entry_chunks(source: ExportSource, scope: DigestScope
                        ) -> AsyncGenerator[tuple[int, str]]:
    """Every chosen issue's entries, newest first, as (issue, text) chunks."""
    tr, plan = source.tr, source.plan
    titles = {key: html_attribute(kind_title(plan, tr, key)) for key in kind_order(plan)}
    entries = Entries(LocalMinutes(source.zone), html_attribute(tr("digest.source")), titles,
                      FULL_TEXT)
    parts = [(issue.number, entries.render) for issue in chosen_issues(plan, scope.filters)]
    async with aclosing(source.rendered_rows(scope.filters, parts)) as chunks:
        async for chunk in chunks:
            yield chunk


class _Started(Generic[_T]):
    """`items`, already running towards its first item while the caller does other work;
    closing it stops that work too, whether or not anything was read."""

    def __init__(self, items: AsyncGenerator[_T]) -> None:
        self._items = items
        self._first: asyncio.Future[_T] | None = asyncio.ensure_future(anext(items))

    def __aiter__(self) -> _Started[_T]:
        return self

    async def __anext__(self) -> _T:
        if self._first is None:
            return await anext(self._items)
        first, self._first = self._first, None
        return await first

    async def aclose(self) -> None:
        if self._first is not None and not self._first.done():
            self._first.cancel()
            with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                await self._first
        elif self._first is not None and not self._first.cancelled():
            self._first.exception()  # read, so that a failure nobody awaited is not logged
        await self._items.aclose()


async def _articles(shown: list[Issue], entries: AsyncIterator[tuple[int, str]], locale: str,
                    out: Write) -> None:
    """One article per issue shown, around its entries (which come issue after issue; an
    issue whose entries vanished since the figures were counted still gets its article)."""
    pending = iter(shown)
    opened = False

    async def open_through(number: int | None) -> None:
        nonlocal opened
        for issue in pending:
            if opened:
                await out("</ol></article>")
            await out(f'<article id="issue-{issue.number}">'
                      f'<h2>{html_attribute(issue.label(locale))}</h2><ol class="entries">')
            opened = True
            if issue.number == number:
                return

    current: int | None = None
    async for number, text in entries:
        if number != current:
            await open_through(number)
            current = number
        await out(text)
    await open_through(None)
    if opened:
        await out("</ol></article>")
