"""What every export format starts from: where to read, how to word it, and its head (the
chosen issues, their work-plan columns and figures). Below the formats, so that none of
them imports another."""

from __future__ import annotations

import pickle
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from contextlib import aclosing
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.digest_values import DigestFilters, IssueFigures, PlanColumns
from bot.digests import row_workers
from bot.digests.build import DigestScope, chosen_issues, empty_figures, figures_by_issue
from bot.i18n import Translator
from bot.lens.build import find_gaps, read_lens
from bot.lens_values import Gaps, IssueLens
from bot.storage import Storage
from bot.storage.digest_queries import ExportRow
from bot.workplan import Issue, WorkPlan

Write = Callable[[str], Awaitable[None]]
# Formats a batch of an issue's rows; picklable, and its module light (`row_workers`).
Render = Callable[[list[ExportRow]], str]

# Worker processes read and format an export in ranges of this many rows, when it has at
# least `WORKERS_FROM` ranges (below, starting them costs more than they save).
ROWS_PER_RANGE = 10_000
WORKERS_FROM = 4


@dataclass(frozen=True, slots=True)
class Head:
    """What every export starts with: the chosen issues, their columns and figures."""

    scope: DigestScope
    now: datetime
    issues: tuple[Issue, ...]
    columns: dict[int, PlanColumns]
    figures: dict[int, IssueFigures]

    def figures_of(self, issue: Issue) -> IssueFigures:
        return self.figures.get(issue.number, empty_figures(issue.number))

    @property
    def total(self) -> int:
        return sum(self.figures_of(issue).inputs for issue in self.issues)

    @property
    def with_input(self) -> int:
        return sum(1 for issue in self.issues if self.figures_of(issue).inputs)


@dataclass(frozen=True, slots=True)
class ExportSource:
    """The store an export reads, and the language and timezone it is written in."""

    storage: Storage
    plan: WorkPlan
    tr: Translator
    zone: ZoneInfo
    # The lens's thresholds (`PLENARY_LENS_MIN_GROUPS`, `PLENARY_LENS_SILENT_DAYS`).
    min_groups: int = 2
    silent_days: int = 14

    async def lens(self, head: Head) -> list[tuple[IssueLens, Gaps]]:
        """Each chosen issue's lens over all input so far, with its gaps."""
        lenses = await read_lens(self.storage, self.plan,
                                 [issue.number for issue in head.issues])
        return [(lens, find_gaps(lens, self.plan, self.min_groups, self.silent_days, head.now))
                for lens in lenses]

    async def head(self, scope: DigestScope, now: datetime, *, figures: bool = True) -> Head:
        issues = tuple(chosen_issues(self.plan, scope.filters))
        counted = await figures_by_issue(
            self.storage, scope, [issue.number for issue in issues]) if figures else {}
        return Head(scope, now, issues,
                    await self.storage.digests.plan_columns(self.plan), counted)

    async def rendered_rows(self, filters: DigestFilters, parts: Sequence[tuple[int, Render]]
                            ) -> AsyncGenerator[tuple[int, str]]:
        """Each issue's rows (newest first, `stream_export_rows`) formatted by its render, as
        (issue, text), issue after issue. A big export of an SQLite file is read and
        formatted by worker processes, a range each (`row_workers`); the text is the same."""
        workers = row_workers.available_workers()
        reads = (await self.storage.digests.export_reads(
            filters, [issue for issue, _ in parts], ROWS_PER_RANGE) if workers > 1 else None)
        if reads is None or len(reads.statements) < WORKERS_FROM:
            for issue, render in parts:
                async with aclosing(self.storage.digests.stream_export_rows(
                        filters, issue)) as batches:
                    async for rows in batches:
                        yield issue, render(rows)
            return
        renders = {issue: pickle.dumps(render) for issue, render in parts}
        jobs = [row_workers.Job(issue, renders[issue], sql, values, reads.hidden)
                for issue, sql, values in reads.statements]
        async with aclosing(row_workers.in_order(reads.database, jobs, workers)) as results:
            async for issue, text in results:
                yield issue, text
