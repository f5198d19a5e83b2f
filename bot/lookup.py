"""Turning what people type into issues and kinds, with helpful suggestions when it fails."""

from __future__ import annotations

import difflib

from bot.errors import NotFound
from bot.hashtags import fold
from bot.i18n import Translator
from bot.tags import COMMENT
from bot.workplan import Issue, Kind, WorkPlan


def issue_range(plan: WorkPlan) -> str:
    numbers = plan.issue_numbers()
    return f"{min(numbers)}-{max(numbers)}"


def resolve_issue(plan: WorkPlan, tr: Translator, word: str) -> Issue:
    issue = plan.find_issue(word)
    if issue is not None:
        return issue
    close = difflib.get_close_matches(fold(word.lstrip("#")), plan.issue_keys(), n=3, cutoff=0.6)
    hint = tr("lookup.did_you_mean", words=", ".join(f"#{c}" for c in close)) if close else ""
    raise NotFound(tr("lookup.no_issue", word=word, range=issue_range(plan)) + hint)


def resolve_kind(plan: WorkPlan, tr: Translator, word: str) -> str:
    kind = plan.find_kind(word)
    if kind is not None:
        return kind.key
    if fold(word.lstrip("#")) == COMMENT:
        return COMMENT
    raise NotFound(tr("lookup.no_kind", word=word, kinds=kind_list(plan)))


def kind_list(plan: WorkPlan) -> str:
    return ", ".join([kind.key for kind in plan.kinds] + [COMMENT])


def kind_title(plan: WorkPlan, tr: Translator, key: str) -> str:
    kind: Kind | None = plan.find_kind(key)
    return kind.title.get(tr.locale) if kind is not None else tr("kind.comment")
