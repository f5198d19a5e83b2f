"""The inclusion lens: who has spoken on each issue, by stakeholder group, language and
platform, and what is missing (too few groups, a long silence, a language with no input)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.lens_values import (
    UNDECLARED,
    Dimension,
    Gaps,
    IssueLens,
    LensCount,
    Spoken,
    Tally,
)
from bot.storage import Storage
from bot.workplan import WorkPlan


def build_lens(counts: Sequence[LensCount], newest: dict[int, datetime],
               issues: Sequence[int]) -> list[IssueLens]:
    """One lens per issue in `issues` order, zero for an issue without input. Its total
    inputs are the platform rows' sum (each input has one platform); its contributors are
    the groups' sum (each contributor has one group)."""
    by: dict[int, dict[Dimension, dict[str, Tally]]] = {
        issue: {dimension: {} for dimension in Dimension} for issue in issues}
    for count in counts:
        if count.issue in by:
            by[count.issue][count.dimension][count.value] = Tally(count.inputs,
                                                                  count.contributors)
    lenses = []
    for issue in issues:
        tables = by[issue]
        lenses.append(IssueLens(
            issue, sum(t.inputs for t in tables[Dimension.PLATFORM].values()),
            sum(t.contributors for t in tables[Dimension.GROUP].values()), newest.get(issue),
            by_group=tables[Dimension.GROUP], by_language=tables[Dimension.LANGUAGE],
            by_platform=tables[Dimension.PLATFORM]))
    return lenses


def find_gaps(lens: IssueLens | Spoken, plan: WorkPlan, min_groups: int, silent_days: int,
              now: datetime) -> Gaps:
    spoken = lens if isinstance(lens, Spoken) else Spoken.of(lens)
    if not spoken.inputs:
        return Gaps(lens.issue, None, None, True, ())
    groups = tuple(group for group in plan.groups if group in spoken.groups)
    groups += tuple(sorted(g for g in spoken.groups if g != UNDECLARED and g not in groups))
    few = groups if len(groups) < min_groups else None
    last = spoken.last_input_at
    silent = last if last is not None and now - last >= timedelta(days=silent_days) else None
    missing = tuple(code for code in plan.languages if code not in spoken.languages)
    return Gaps(lens.issue, few, silent, False, missing)


async def read_lens(storage: Storage, plan: WorkPlan, issues: Sequence[int] = ()
                    ) -> list[IssueLens]:
    chosen = list(issues) or list(plan.issue_numbers())
    counts, newest = await storage.inclusion.lens_counts(chosen)
    return build_lens(counts, newest, chosen)


async def read_spoken(storage: Storage, plan: WorkPlan, issues: Sequence[int] = ()
                      ) -> list[Spoken]:
    """What `find_gaps` needs of each chosen issue, in `issues` order: a lighter read than
    `read_lens` (no counts), for the digests' compact lens."""
    chosen = list(issues) or list(plan.issue_numbers())
    found, newest = await storage.inclusion.spoken(chosen)
    groups: dict[int, set[str]] = {issue: set() for issue in chosen}
    languages: dict[int, set[str]] = {issue: set() for issue in chosen}
    for issue, group, language in found:
        if issue in groups:
            groups[issue].add(group)
            languages[issue].add(language)
    return [Spoken(issue, frozenset(groups[issue]), frozenset(languages[issue]),
                   newest.get(issue)) for issue in chosen]
