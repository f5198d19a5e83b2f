"""What a message is tagged with: work-plan issues and kinds of input, and where each came from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntFlag

from bot.hashtags import cjk_prefixes, find_hashtags
from bot.text import bold
from bot.workplan import WorkPlan

COMMENT = "comment"  # the kind of input that named none of the plan's kinds


class TagSource(IntFlag):
    """How a tag was given. A tag row keeps every source, so removing one keeps the others."""

    HASHTAG = 1
    REACTION = 2
    COMMAND = 4
    SHORTCUT = 8


@dataclass(frozen=True, slots=True)
class TagSet:
    issues: tuple[int, ...] = ()
    kinds: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.issues or self.kinds)


def read_hashtags(text: str, plan: WorkPlan) -> TagSet:
    """The issues and the kind the hashtags of `text` name (a message is one kind of input:
    the first kind hashtag counts); unknown hashtags are ordinary words."""
    issues: dict[int, None] = {}
    kind_key: str | None = None
    issue_by_hashtag, kind_by_hashtag = plan.issue_by_hashtag, plan.kind_by_hashtag
    for found in find_hashtags(text):  # already folded
        word = _known(found, issue_by_hashtag, kind_by_hashtag)
        issue = issue_by_hashtag.get(word)
        if issue is not None:
            issues.setdefault(issue.number, None)
            continue
        kind = kind_by_hashtag.get(word)
        if kind is not None and kind_key is None:
            kind_key = kind.key
    return TagSet(tuple(issues), () if kind_key is None else (kind_key,))


def _known(word: str, *tables: Mapping[str, object]) -> str:
    """`word`, or its longest CJK prefix that is a hashtag of the plan."""
    if any(word in table for table in tables):
        return word
    for prefix in cjk_prefixes(word):
        if any(prefix in table for table in tables):
            return prefix
    return word


def describe_tags(tags: TagSet, plan: WorkPlan, locale: str) -> str:
    """What a confirmation names: `**3. Efficient use of resources**, #solution`."""
    parts = []
    for number in tags.issues:
        issue = plan.issue_by_number(number)
        if issue is not None:
            parts.append(bold(issue.label(locale)))
    parts.extend(f"#{kind}" for kind in tags.kinds)
    return ", ".join(parts)
