"""Building a digest: per-issue figures from SQL, and the newest entries of each kind."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from bot.digest_values import DigestEntry, DigestFilters, IssueFigures, PlanColumns
from bot.messages import MessageRef
from bot.storage import Storage
from bot.tags import COMMENT
from bot.workplan import Issue, WorkPlan


@dataclass(frozen=True, slots=True)
class DigestScope:
    """What a digest covers: its filters, the period in words for its header, and the moment
    from which input counts as "new since last time" (the reader's previous digest)."""

    filters: DigestFilters
    period: str
    new_since: datetime | None = None


@dataclass(frozen=True, slots=True)
class KindGroup:
    kind: str
    entries: tuple[DigestEntry, ...]


@dataclass(frozen=True, slots=True)
class IssueSection:
    issue: Issue
    columns: PlanColumns
    figures: IssueFigures
    groups: tuple[KindGroup, ...]

    @property
    def shown(self) -> int:
        """Inputs listed (each once: under one kind)."""
        return sum(len(group.entries) for group in self.groups)


@dataclass(frozen=True, slots=True)
class Digest:
    generated_at: datetime
    scope: DigestScope
    sections: tuple[IssueSection, ...]

    @property
    def inputs(self) -> int:
        return sum(section.figures.inputs for section in self.sections)

    @property
    def with_input(self) -> int:
        return sum(1 for section in self.sections if section.figures.inputs)


def _listed_once(by_kind: dict[str, list[DigestEntry]]) -> tuple[KindGroup, ...]:
    seen: set[MessageRef] = set()
    groups = []
    for kind, entries in by_kind.items():
        fresh = tuple(entry for entry in entries if entry.ref not in seen)
        seen.update(entry.ref for entry in fresh)
        if fresh:
            groups.append(KindGroup(kind, fresh))
    return tuple(groups)


def kind_order(plan: WorkPlan) -> tuple[str, ...]:
    return (*(kind.key for kind in plan.kinds), COMMENT)


def chosen_issues(plan: WorkPlan, filters: DigestFilters) -> list[Issue]:
    return [issue for issue in plan.issues if not filters.issues or issue.number in filters.issues]


def chosen_kinds(plan: WorkPlan, filters: DigestFilters) -> list[str]:
    return [kind for kind in kind_order(plan) if not filters.kinds or kind in filters.kinds]


async def figures_by_issue(storage: Storage, scope: DigestScope, issues: Sequence[int]
                           ) -> dict[int, IssueFigures]:
    """The figures of `issues` (the chosen ones), read in two halves at once, each on its own
    connection: the aggregate over every tag is most of a digest's time, and two connections
    let the database run the halves on two cores (each half a range of the tags' index)."""
    half = len(issues) // 2
    parts = [part for part in (issues[:half], issues[half:]) if part]
    found = await asyncio.gather(*(
        storage.digests.figures(replace(scope.filters, issues=tuple(part)), scope.new_since)
        for part in parts))
    return {figures.issue: figures for part in found for figures in part}


def empty_figures(issue: int) -> IssueFigures:
    return IssueFigures(issue, 0, 0)


async def build_digest(storage: Storage, plan: WorkPlan, scope: DigestScope, now: datetime,
                       per_kind: int = 3) -> Digest:
    """Figures for every chosen issue (zero included) and the newest `per_kind` entries of
    each kind. A message is listed once per issue: one stored before a message became one
    kind of input may have two, and goes under the first in the plan's order."""
    filters = scope.filters
    issues, kinds = chosen_issues(plan, filters), chosen_kinds(plan, filters)
    # Three independent reads at once, each on its own connection (they were separate
    # transactions already): the entries' statements are built and run while the database
    # aggregates the figures, which take most of a digest's time. So entries are asked for
    # every chosen issue, not only those the figures show input for, and kept for those:
    # reading an issue without input is an empty index range.
    numbers = [issue.number for issue in issues]
    counted, columns, latest = await asyncio.gather(
        figures_by_issue(storage, scope, numbers), storage.digests.plan_columns(plan),
        storage.latest_by_kind(filters, numbers if per_kind else [], kinds, per_kind))
    sections = []
    for issue in issues:
        figures = counted.get(issue.number, empty_figures(issue.number))
        groups = _listed_once(latest.get(issue.number, {}) if issue.number in counted
                              else {})
        sections.append(IssueSection(issue, columns[issue.number], figures, tuple(groups)))
    return Digest(now, scope, tuple(sections))
