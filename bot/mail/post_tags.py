"""A post's tags: the subject's `[WP3]` / `[Issue 3]` tags and the plan's hashtags, in the
subject and in the post's own words (a hashtag it only quotes is someone else's)."""

from __future__ import annotations

import re

from bot.tags import TagSet, read_hashtags
from bot.workplan import WorkPlan

_BRACKETS = re.compile(r"\[([^\[\]]{1,60})\]")
# "[Issue 3]", "[WP 3]", "[Work plan #3]" and the plan's languages' words for an issue.
_NUMBERED = re.compile(r"^(?:issue|wp|work ?plan|item|question|point|tema|sujet|punto"
                       r"|вопрос|пункт|مسألة|بند|议题|问题)\s*#?\s*(\d{1,2})$", re.IGNORECASE)
_WORDS = re.compile(r"[,;/\s]+")
_NONE = TagSet()


def _hashtags(text: str, plan: WorkPlan) -> TagSet:
    """Most posts have no hashtag: a look for the mark is cheaper than the scan."""
    return read_hashtags(text, plan) if "#" in text or "＃" in text else _NONE


def subject_tags(subject: str, plan: WorkPlan) -> TagSet:
    if "[" not in subject:
        return _NONE
    issues: dict[int, None] = {}
    kind: str | None = None
    for found in _BRACKETS.findall(subject):
        numbered = _NUMBERED.match(found.strip())
        if numbered:
            issue = plan.issue_by_number(int(numbered.group(1)))
            if issue is not None:
                issues.setdefault(issue.number, None)
            continue
        for word in filter(None, _WORDS.split(found)):
            named = plan.find_issue(word)
            if named is not None:
                issues.setdefault(named.number, None)
            elif kind is None and (known := plan.find_kind(word)) is not None:
                kind = known.key
    return TagSet(tuple(issues), () if kind is None else (kind,))


def post_tags(subject: str, own_words: str, plan: WorkPlan) -> TagSet:
    """The union of the subject's and the words' issues; the first kind named counts."""
    parts = (subject_tags(subject, plan), _hashtags(subject, plan), _hashtags(own_words, plan))
    issues = dict.fromkeys(number for part in parts for number in part.issues)
    kinds = next((part.kinds for part in parts if part.kinds), ())
    return TagSet(tuple(issues), kinds)
