"""The values of the inclusion lens: who has spoken on each issue, by group, language and
platform, and the gaps that shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

UNDETERMINED = "und"  # BCP 47's "undetermined": a message no one could tell the language of
UNDECLARED = ""  # a contributor who has not said which stakeholder group they belong to


class Dimension(Enum):
    GROUP = "group"
    LANGUAGE = "language"
    PLATFORM = "platform"


@dataclass(frozen=True, slots=True)
class Tally:
    inputs: int
    contributors: int


@dataclass(frozen=True, slots=True)
class LensCount:
    """One row of the lens as storage reads it: an issue's inputs with one value of one
    dimension (`GNSO`, `ar`, `slack`)."""

    issue: int
    dimension: Dimension
    value: str
    inputs: int
    contributors: int


@dataclass(frozen=True, slots=True)
class IssueLens:
    issue: int
    inputs: int
    contributors: int
    last_input_at: datetime | None
    by_group: dict[str, Tally] = field(default_factory=dict)
    by_language: dict[str, Tally] = field(default_factory=dict)
    by_platform: dict[str, Tally] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Spoken:
    """What an issue's gaps are read from, without the counts: the groups and languages its
    input came in (the keys of `IssueLens.by_group` and `by_language`) and its newest."""

    issue: int
    groups: frozenset[str]
    languages: frozenset[str]
    last_input_at: datetime | None

    @property
    def inputs(self) -> bool:
        return bool(self.groups)

    @classmethod
    def of(cls, lens: IssueLens) -> Spoken:
        return cls(lens.issue, frozenset(lens.by_group), frozenset(lens.by_language),
                   lens.last_input_at)


@dataclass(frozen=True, slots=True)
class Gaps:
    """What an issue's lens flags: `few_groups`, the groups that have spoken when fewer than
    the threshold have (None when enough have; empty when only members without a group have);
    `silent_since`, the newest input when it is older than the silence threshold;
    `never_spoken` for an issue without input; the consultation's languages with none."""

    issue: int
    few_groups: tuple[str, ...] | None
    silent_since: datetime | None
    never_spoken: bool
    missing_languages: tuple[str, ...]
