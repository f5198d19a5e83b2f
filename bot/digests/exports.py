"""Digest exports (Markdown, JSON, CSV), streamed: memory does not grow with the input count."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.dates import format_short
from bot.digests.build import kind_order
from bot.digests.chat_text import describe_figures, describe_period, render_entry
from bot.digests.model import DigestEntry, DigestFilters, IssueFigures
from bot.i18n import Translator
from bot.lookup import kind_title
from bot.storage import Storage
from bot.text import bold, plain
from bot.workplan import Issue, WorkPlan

Write = Callable[[str], Awaitable[None]]

CSV_COLUMNS = ("issue", "issue_title", "kinds", "posted_at", "author", "author_id", "platform",
               "channel", "message_id", "permalink", "text")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class Exporter:
    def __init__(self, storage: Storage, plan: WorkPlan, tr: Translator, zone: ZoneInfo) -> None:
        self._storage = storage
        self._plan = plan
        self._tr = tr
        self._zone = zone

    async def write(self, fmt: str, filters: DigestFilters, now: datetime, out: Write) -> None:
        writer = {"md": self.markdown, "json": self.json, "csv": self.csv}[fmt]
        await writer(filters, now, out)

    def _chosen(self, filters: DigestFilters) -> list[Issue]:
        return [issue for issue in self._plan.issues
                if not filters.issues or issue.number in filters.issues]

    async def _figures(self, filters: DigestFilters) -> dict[int, IssueFigures]:
        return {f.issue: f for f in await self._storage.figures(filters)}

    async def markdown(self, filters: DigestFilters, now: datetime, out: Write) -> None:
        tr, plan = self._tr, self._plan
        figures = await self._figures(filters)
        total = sum(f.inputs for f in figures.values())
        await out(f"# {plain(tr('digest.title', title=plan.title.get(tr.locale)))}\n\n")
        await out(tr("digest.overview", count=total, issues=len(figures),
                     period=describe_period(filters, tr, self._zone)) + "\n")
        await out(tr("digest.generated", at=format_short(now, self._zone)) + "\n")
        kinds = [k for k in kind_order(plan) if not filters.kinds or k in filters.kinds]
        for issue in self._chosen(filters):
            counted = figures.get(issue.number, IssueFigures(issue.number, 0, 0))
            await out(f"\n## {plain(issue.label(tr.locale))}\n\n")
            if not counted.inputs:
                await out(tr("digest.no_input") + "\n")
                continue
            await out(describe_figures(counted.inputs, counted.contributors, tr) + "\n")
            for kind in kinds:
                narrowed = DigestFilters((issue.number,), filters.since, filters.until,
                                         filters.channel, (kind,), filters.author)
                heading_written = False
                async for entry in self._storage.stream_entries(narrowed):
                    if not heading_written:
                        await out(f"\n### {plain(kind_title(plan, tr, kind))}\n\n")
                        heading_written = True
                    await out(f"- {render_entry(entry, tr, self._zone)}\n")
        await out("\n" + bold(tr("digest.end")) + "\n")

    async def json(self, filters: DigestFilters, now: datetime, out: Write) -> None:
        """The documented shape (docs/digest-json.md), written issue by issue."""
        figures = await self._figures(filters)
        head = {"generated_at": now.isoformat(), "filters": _filters_json(filters)}
        await out(json.dumps(head, ensure_ascii=False)[:-1] + ', "issues": [')
        entries = self._storage.stream_entries(filters).__aiter__()
        pending: DigestEntry | None = await anext(entries, None)
        for index, issue in enumerate(self._chosen(filters)):
            counted = figures.get(issue.number, IssueFigures(issue.number, 0, 0))
            section = {"number": issue.number, "title": issue.title.get(self._tr.locale),
                       "responsible": issue.responsible, "resources": issue.resources,
                       "timeline": issue.timeline, "count": counted.inputs,
                       "contributors": counted.contributors}
            await out(("," if index else "") + json.dumps(section, ensure_ascii=False)[:-1]
                      + ', "entries": [')
            first = True
            while pending is not None and pending.issue == issue.number:
                await out(("" if first else ",") + json.dumps(_entry_json(pending),
                                                              ensure_ascii=False))
                first = False
                pending = await anext(entries, None)
            await out("]}")
        await out("]}\n")

    async def csv(self, filters: DigestFilters, now: datetime, out: Write) -> None:
        """RFC 4180, one row per input and issue; formula-looking cells made inert."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        titles = {issue.number: issue.title.get(self._tr.locale) for issue in self._plan.issues}
        async for entry in self._storage.stream_entries(filters):
            writer.writerow([inert_cell(str(value)) for value in (
                entry.issue, titles.get(entry.issue, ""), " ".join(entry.kinds),
                entry.posted_at.isoformat(), entry.author, entry.sender_id, entry.ref.platform,
                entry.channel, entry.ref.message_id, entry.permalink or "", entry.text)])
            if buffer.tell() > 64 * 1024:
                await out(buffer.getvalue())
                buffer.seek(0)
                buffer.truncate()
        await out(buffer.getvalue())


def inert_cell(value: str) -> str:
    """A spreadsheet must not run a cell as a formula (OWASP CSV injection)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _filters_json(filters: DigestFilters) -> dict[str, Any]:
    return {"issues": list(filters.issues),
            "since": filters.since.isoformat() if filters.since else None,
            "until": filters.until.isoformat() if filters.until else None,
            "channel": filters.channel, "kinds": list(filters.kinds), "author": filters.author}


def _entry_json(entry: DigestEntry) -> dict[str, Any]:
    return {"platform": entry.ref.platform, "channel": entry.channel,
            "message_id": entry.ref.message_id, "author": entry.author, "text": entry.text,
            "kinds": list(entry.kinds), "posted_at": entry.posted_at.isoformat(),
            "permalink": entry.permalink}
