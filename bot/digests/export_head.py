"""What every export format starts from: where to read, how to word it, and its head (the
chosen issues, their work-plan columns and figures). Below the formats, so that none of
them imports another."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.digest_values import IssueFigures, PlanColumns
from bot.digests.build import DigestScope, chosen_issues, empty_figures, figures_by_issue
from bot.i18n import Translator
from bot.lens.build import find_gaps, read_lens
from bot.lens_values import Gaps, IssueLens
from bot.storage import Storage
from bot.workplan import Issue, WorkPlan

Write = Callable[[str], Awaitable[None]]


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
        counted = await figures_by_issue(self.storage, scope) if figures else {}
        return Head(scope, now, tuple(chosen_issues(self.plan, scope.filters)),
                    await self.storage.digests.plan_columns(self.plan), counted)
