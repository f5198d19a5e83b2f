"""The digest as one self-contained HTML page: readable on screen and printable, with the
work-plan table, a weekly chart and the entries. All user text is escaped."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing
from datetime import datetime, timedelta
from html import escape
from typing import TYPE_CHECKING, Generic, TypeVar
from zoneinfo import ZoneInfo

from bot.dates import format_short
from bot.digests.build import DigestScope, chosen_issues, kind_order
from bot.digests.chart import legend, weekly_chart
from bot.digests.chat_text import FULL_TEXT, INVISIBLE, visible
from bot.digests.model import PLAN_COLUMNS, DigestEntry
from bot.lookup import kind_title
from bot.storage import render_sqlite
from bot.workplan import Issue

if TYPE_CHECKING:
    from bot.digests.exports import Exporter, Head, Write

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


def _e(text: str) -> str:
    return escape(text, quote=True)


def _safe_url(url: str | None) -> str | None:
    """Only web links become anchors: a `javascript:` permalink must not run."""
    if url and url.lower().startswith(("https://", "http://")):
        return url
    return None


async def write_html(exporter: Exporter, scope: DigestScope, now: datetime, out: Write
                     ) -> None:
    # The entries are most of the work: they start rendering (in worker processes, for a
    # big export) while the figures and the chart above them are counted.
    async with aclosing(_Started(_entry_chunks(exporter, scope))) as entries:
        await _page(exporter, await exporter.head(scope, now), entries, out)


async def _page(exporter: Exporter, head: Head, entries: AsyncIterator[tuple[int, str]],
                out: Write) -> None:
    tr, plan, zone = exporter.tr, exporter.plan, exporter.zone
    locale = tr.locale
    title = tr("digest.title", title=plan.title.get(locale))
    await out(f'<!DOCTYPE html>\n<html lang="{locale}"><head><meta charset="utf-8">'
              f'<meta name="viewport" content="width=device-width,initial-scale=1">'
              f"<title>{_e(title)}</title><style>{STYLE}</style></head><body>\n")
    overview = tr("digest.overview", count=head.total, issues=head.with_input,
                  period=head.scope.period)
    await out(f"<header><h1>{_e(title)}</h1><p class=\"meta\">{_e(overview)}"
              f"<br>{_e(tr('digest.generated', at=format_short(head.now, zone)))}</p></header>\n")
    await _workplan_table(exporter, head, out)
    weeks = await exporter.storage.digests.weekly_counts(head.scope.filters)
    chart_title = tr("digest.chart_title")
    await out(f'<section id="chart"><h2>{_e(chart_title)}</h2>')
    if weeks:
        await out(weekly_chart(weeks, list(head.issues), locale, chart_title))
        await out(legend(list(head.issues), locale))
    else:
        await out(f"<p>{_e(tr('digest.chart_empty'))}</p>")
    await out("</section>\n")
    await out(f'<section id="entries"><h2>{_e(tr("digest.entries"))}</h2>')
    shown = [issue for issue in head.issues if head.figures_of(issue).inputs]
    await _articles(shown, entries, locale, out)
    await out("</section>\n")
    await out(f"<footer><p class=\"meta\">{_e(tr('digest.end'))}</p></footer></body></html>\n")


async def _workplan_table(exporter: Exporter, head: Head, out: Write) -> None:
    tr = exporter.tr
    names = [tr("digest.issue"), *(tr(f"workplan.{c}") for c in PLAN_COLUMNS),
             tr("digest.inputs_column"), tr("digest.people_column"), tr("digest.new_column")]
    await out(f'<section id="workplan"><h2>{_e(tr("digest.workplan_table"))}</h2><table>'
              "<thead><tr>" + "".join(f"<th>{_e(n)}</th>" for n in names) + "</tr></thead><tbody>")
    blank = tr("workplan.blank")
    for issue in head.issues:
        figures, columns = head.figures_of(issue), head.columns[issue.number]
        empty = not figures.inputs
        inputs = f"0 — {tr('digest.no_input_mark')}" if empty else str(figures.inputs)
        cells = "".join(f"<td>{_e(columns.get(c) or blank)}</td>" for c in PLAN_COLUMNS)
        row_class = ' class="empty"' if empty else ""
        await out(f"<tr{row_class}>"
                  f'<td><a href="#issue-{issue.number}">{_e(issue.label(tr.locale))}</a></td>'
                  f'{cells}<td class="count">{_e(inputs)}</td>'
                  f'<td class="count">{figures.contributors}</td>'
                  f'<td class="count">{figures.new}</td></tr>')
    await out("</tbody></table></section>\n")


async def _entry_chunks(exporter: Exporter, scope: DigestScope
                        ) -> AsyncGenerator[tuple[int, str]]:
    """Every chosen issue's entries, newest first, as (issue, text) chunks."""
    tr, plan = exporter.tr, exporter.plan
    kinds = {key: _e(kind_title(plan, tr, key)) for key in kind_order(plan)}
    source = _e(tr("digest.source"))
    numbers = [issue.number for issue in chosen_issues(plan, scope.filters)]
    span = await exporter.storage.digests.posted_span(scope.filters, numbers) \
        if exporter.render_in_database else None
    if span is not None:
        entry = render_sqlite.html_entry(render_sqlite.local_minutes(exporter.zone, *span),
                                         source, kinds, INVISIBLE, FULL_TEXT)
        async with aclosing(exporter.storage.digests.stream_rendered(
                scope.filters, numbers, lambda _issue: entry, exporter.parallelism)) as chunks:
            async for chunk in chunks:
                yield chunk
        return
    local = LocalMinutes(exporter.zone)
    for number in numbers:
        async with aclosing(exporter.storage.digests.stream_issue(scope.filters,
                                                                  number)) as batches:
            async for batch in batches:
                yield number, "".join([_entry(entry, local, source, kinds) for entry in batch])


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
            await out(f'<article id="issue-{issue.number}"><h2>{_e(issue.label(locale))}</h2>'
                      '<ol class="entries">')
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


def _entry(entry: DigestEntry, local: LocalMinutes, source: str, kinds: dict[str, str]
           ) -> str:
    url = _safe_url(entry.permalink)
    link = f' <a href="{_e(url)}" rel="noopener">{source}</a>' if url else ""
    labels = "".join([f'<span class="kind">{kinds.get(kind) or _e(kind)}</span>'
                      for kind in entry.kinds])
    return (f'<li><span class="who">{_text(entry.author)} · {_text(entry.channel)} · '
            f"{local.format(entry.posted_at)}{link}</span>{labels}"
            f'<div class="text">{_text(visible(entry.text[:FULL_TEXT]))}</div></li>')


def _text(text: str) -> str:
    """Escaped for an element's content (attributes use `_e`, which also escapes quotes)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class LocalMinutes:
    """`2019-10-02 10:05` in a zone, fast: the zone's offset is looked up once per quarter
    hour of UTC time (every zone changes its offset on a quarter hour). The cache holds one
    entry per quarter hour of the period, not per input (a year is 35,000 small entries)."""

    _MAX_QUARTERS = 200_000  # about five years

    def __init__(self, zone: ZoneInfo) -> None:
        self._zone = zone
        self._offsets: dict[int, timedelta] = {}

    def format(self, instant: datetime) -> str:
        quarter = int(instant.timestamp()) // 900
        offset = self._offsets.get(quarter)
        if offset is None:
            if len(self._offsets) >= self._MAX_QUARTERS:
                self._offsets.clear()
            offset = instant.astimezone(self._zone).utcoffset() or timedelta(0)
            self._offsets[quarter] = offset
        return (instant.replace(tzinfo=None) + offset).isoformat(" ", "minutes")
