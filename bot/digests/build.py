"""Building a digest: per-issue figures from SQL, and the newest entries of each kind."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.digests.model import DigestEntry, DigestFilters, IssueFigures
from bot.storage import Storage
from bot.tags import COMMENT
from bot.workplan import Issue, WorkPlan


@dataclass(frozen=True, slots=True)
class KindGroup:
    kind: str
    entries: tuple[DigestEntry, ...]


@dataclass(frozen=True, slots=True)
class IssueSection:
    issue: Issue
    figures: IssueFigures
    groups: tuple[KindGroup, ...]

    @property
    def shown(self) -> int:
        return sum(len(group.entries) for group in self.groups)


@dataclass(frozen=True, slots=True)
class Digest:
    generated_at: datetime
    filters: DigestFilters
    sections: tuple[IssueSection, ...]

    @property
    def inputs(self) -> int:
        return sum(section.figures.inputs for section in self.sections)


def kind_order(plan: WorkPlan) -> tuple[str, ...]:
    return (*(kind.key for kind in plan.kinds), COMMENT)


async def build_digest(storage: Storage, plan: WorkPlan, filters: DigestFilters,
                       now: datetime, per_kind: int = 3) -> Digest:
    """Figures for every chosen issue (zero included) and the newest `per_kind` entries of
    each kind; a message of two kinds is listed under both."""
    counted = {figures.issue: figures for figures in await storage.figures(filters)}
    chosen = [issue for issue in plan.issues
              if not filters.issues or issue.number in filters.issues]
    kinds = [kind for kind in kind_order(plan) if not filters.kinds or kind in filters.kinds]
    sections = []
    for issue in chosen:
        figures = counted.get(issue.number, IssueFigures(issue.number, 0, 0))
        groups: list[KindGroup] = []
        if figures.inputs and per_kind:
            for kind in kinds:
                narrowed = DigestFilters(filters.issues, filters.since, filters.until,
                                         filters.channel, (kind,), filters.author)
                entries = await storage.latest_entries(narrowed, issue.number, per_kind)
                if entries:
                    groups.append(KindGroup(kind, tuple(entries)))
        sections.append(IssueSection(issue, figures, tuple(groups)))
    return Digest(now, filters, tuple(sections))
