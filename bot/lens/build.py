"""The inclusion lens: who has spoken on each issue, by stakeholder group, language and
platform, and what is missing (too few groups, a long silence, a language with no input)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.lens_values import UNDECLARED, Dimension, Gaps, IssueLens, LensCount, Tally
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


def find_gaps(lens: IssueLens, plan: WorkPlan, min_groups: int, silent_days: int,
              now: datetime) -> Gaps:
    if not lens.inputs:
        return Gaps(lens.issue, None, None, True, ())
    spoken = tuple(group for group in plan.groups if group in lens.by_group)
    spoken += tuple(sorted(g for g in lens.by_group if g != UNDECLARED and g not in spoken))
    few = spoken if len(spoken) < min_groups else None
    last = lens.last_input_at
    silent = last if last is not None and now - last >= timedelta(days=silent_days) else None
    missing = tuple(code for code in plan.languages if code not in lens.by_language)
    return Gaps(lens.issue, few, silent, False, missing)


async def read_lens(storage: Storage, plan: WorkPlan, issues: Sequence[int] = ()
                    ) -> list[IssueLens]:
    chosen = list(issues) or list(plan.issue_numbers())
    counts, newest = await storage.inclusion.lens_counts(chosen)
    return build_lens(counts, newest, chosen)
