"""Digest exports (Markdown, CSV, JSON, HTML), streamed: memory does not grow with the input
count. Every export starts with the work-plan table and the period it covers."""

from __future__ import annotations

import json
from contextlib import aclosing
from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.dates import format_short
from bot.digest_values import PLAN_COLUMNS, DigestEntry, DigestFilters
from bot.digests.build import DigestScope, chosen_kinds
from bot.digests.chat_text import FULL_TEXT, describe_figures, render_entry
from bot.digests.csv_export import write_csv
from bot.digests.export_head import ExportSource, Head, Write
from bot.digests.html_export import write_html
from bot.errors import UserError
from bot.lens_values import Gaps, IssueLens, Tally
from bot.lookup import kind_title
from bot.messages import Attachment
from bot.text import bold, plain

# Chat platforms and mail servers refuse big files (Matrix's default upload limit is 50 MB,
# many mail servers stop at 25 MB); beyond this an export is for `plenary digest --output`.
ATTACHMENT_LIMIT = 20 * 2**20
MIME_TYPES = {"md": "text/markdown", "csv": "text/csv", "json": "application/json",
              "html": "text/html"}


class Chunked:
    """Gathers small writes into ~64 KiB chunks: fewer awaits and syscalls per export."""

    def __init__(self, out: Write, size: int = 64 * 1024) -> None:
        self._out = out
        self._size = size
        self._parts: list[str] = []
        self._length = 0

    async def write(self, text: str) -> None:
        self._parts.append(text)
        self._length += len(text)
        if self._length >= self._size:
            await self.flush()

    async def flush(self) -> None:
        if self._parts:
            await self._out("".join(self._parts))
            self._parts.clear()
            self._length = 0


class Exporter(ExportSource):
    """Every export format, written to `out` in chunks."""

    async def write(self, fmt: str, scope: DigestScope, now: datetime, out: Write) -> None:
        chunked = Chunked(out)
        if fmt == "html":
            await write_html(self, scope, now, chunked.write)
        elif fmt == "csv":  # rows only: no table of figures to count first
            await write_csv(self, await self.head(scope, now, figures=False), chunked.write)
        else:
            writer = {"md": self.markdown, "json": self.json}[fmt]
            await writer(await self.head(scope, now), chunked.write)
        await chunked.flush()

    async def markdown(self, head: Head, out: Write) -> None:
        tr, plan = self.tr, self.plan
        await out(f"# {plain(tr('digest.title', title=plan.title.get(tr.locale)))}\n\n")
        await out(tr("digest.overview", count=head.total, issues=head.with_input,
                     period=head.scope.period) + "\n")
        await out(tr("digest.generated", at=format_short(head.now, self.zone)) + "\n\n")
        await out(f"## {tr('digest.workplan_table')}\n\n")
        titles = [tr("digest.issue"), *(tr(f"workplan.{c}") for c in PLAN_COLUMNS),
                  tr("digest.inputs_column"), tr("digest.new_column")]
        await out(_md_row(titles) + _md_row(["---"] * len(titles)))
        for issue in head.issues:
            figures, columns = head.figures_of(issue), head.columns[issue.number]
            await out(_md_row([plain(issue.label(tr.locale)),
                               *(plain(columns.get(c)) for c in PLAN_COLUMNS),
                               str(figures.inputs) if figures.inputs
                               else f"0 {tr('digest.no_input_mark')}", str(figures.new)]))
        kinds = chosen_kinds(plan, head.scope.filters)
        for issue in head.issues:
            await out(f"\n## {plain(issue.label(tr.locale))}\n\n")
            figures = head.figures_of(issue)
            if not figures.inputs:
                await out(tr("digest.no_input_flag") + "\n")
                continue
            await out(describe_figures(figures, head.scope.new_since is not None, tr) + "\n")
            for kind in kinds:
                heading = f"\n### {plain(kind_title(plan, tr, kind))}\n\n"
                by_kind = replace(head.scope.filters, kinds=(kind,))
                async with aclosing(self.storage.digests.stream_issue(
                        by_kind, issue.number)) as batches:
                    async for batch in batches:
                        lines = ["- " + render_entry(entry, tr, self.zone, FULL_TEXT,
                                                     isolate=False) + "\n" for entry in batch]
                        if lines:
                            await out(heading + "".join(lines))
                            heading = ""
        await out("\n" + bold(tr("digest.end")) + "\n")

    async def json(self, head: Head, out: Write) -> None:
        """The documented shape (docs/digest-json.md), written issue by issue."""
        filters = head.scope.filters
        top = {"generated_at": head.now.isoformat(), "period": head.scope.period,
               "filters": _filters_json(filters)}
        await out(json.dumps(top, ensure_ascii=False)[:-1] + ', "issues": [')
        lenses = {lens.issue: (lens, gaps) for lens, gaps in await self.lens(head)}
        for index, issue in enumerate(head.issues):
            counted, columns = head.figures_of(issue), head.columns[issue.number]
            section = {"number": issue.number, "title": issue.title.get(self.tr.locale),
                       **{c: columns.get(c) for c in PLAN_COLUMNS}, "count": counted.inputs,
                       "contributors": counted.contributors, "channels": counted.channels,
                       "new": counted.new, "lens": lens_json(*lenses[issue.number])}
            await out(("," if index else "") + json.dumps(section, ensure_ascii=False)[:-1]
                      + ', "entries": [')
            separator = ""
            async with aclosing(self.storage.digests.stream_issue(filters,
                                                                  issue.number)) as batches:
                async for batch in batches:
                    if batch:
                        await out(separator + ",".join(json.dumps(_entry_json(entry),
                                                                  ensure_ascii=False)
                                                       for entry in batch))
                        separator = ","
            await out("]}")
        await out("]}\n")


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(" ".join(c.replace("|", "\\|").split()) for c in cells) + " |\n"


def _filters_json(filters: DigestFilters) -> dict[str, Any]:
    def moment(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {"issues": list(filters.issues), "since": moment(filters.since),
            "until": moment(filters.until), "tagged_since": moment(filters.tagged_since),
            "tagged_until": moment(filters.tagged_until), "channel": filters.channel,
            "kinds": list(filters.kinds), "author": filters.author}


def _tallies_json(table: dict[str, Tally]) -> dict[str, dict[str, int]]:
    return {value: {"inputs": t.inputs, "contributors": t.contributors}
            for value, t in sorted(table.items())}


def lens_json(lens: IssueLens, gaps: Gaps) -> dict[str, Any]:
    """The issue's lens (docs/digest-json.md): over all input so far, not the period."""
    return {"inputs": lens.inputs, "contributors": lens.contributors,
            "last_input_at": lens.last_input_at.isoformat() if lens.last_input_at else None,
            "by_group": _tallies_json(lens.by_group),
            "by_language": _tallies_json(lens.by_language),
            "by_platform": _tallies_json(lens.by_platform),
            "gaps": {"no_input": gaps.never_spoken,
                     "few_groups": list(gaps.few_groups) if gaps.few_groups is not None
                     else None,
                     "silent_since": gaps.silent_since.isoformat() if gaps.silent_since
                     else None,
                     "missing_languages": list(gaps.missing_languages)}}


def _entry_json(entry: DigestEntry) -> dict[str, Any]:
    return {"platform": entry.ref.platform, "channel": entry.channel,
            "message_id": entry.ref.message_id, "author": entry.author, "text": entry.text,
            "kinds": list(entry.kinds), "posted_at": entry.posted_at.isoformat(),
            "permalink": entry.permalink, "language": entry.language, "group": entry.group}


class TooBig(UserError):
    """An export larger than a chat file or a mail should carry."""


async def export_attachment(exporter: Exporter, fmt: str, scope: DigestScope, now: datetime,
                            limit: int | None = None) -> Attachment:
    """A whole export in memory, for chat or mail. Past `limit` characters it stops (the
    streams close) and raises `TooBig`: a huge period belongs to `plenary digest`."""
    limit = ATTACHMENT_LIMIT if limit is None else limit
    chunks: list[str] = []
    size = 0

    async def collect(text: str) -> None:
        nonlocal size
        size += len(text)
        if size > limit:
            raise TooBig(exporter.tr("digest.too_big", megabytes=limit // 2**20, format=fmt))
        chunks.append(text)

    await exporter.write(fmt, scope, now, collect)
    filename = f"plenary-digest-{now.astimezone(exporter.zone):%Y%m%d-%H%M}.{fmt}"
    return Attachment(filename, "".join(chunks).encode("utf-8"), MIME_TYPES[fmt])
