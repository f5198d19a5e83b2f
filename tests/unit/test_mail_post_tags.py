"""A post's tags: subject tags, the plan's hashtags in any language, not quoted ones."""

from __future__ import annotations

import pytest

from bot.mail.post_tags import post_tags, subject_tags
from bot.tags import TagSet
from bot.workplan import WorkPlan


@pytest.mark.parametrize(("subject", "expected"), [
    ("[WP3] Budget", TagSet((3,))),
    ("[Issue 3] Budget", TagSet((3,))),
    ("Re: [EMM] [issue #5] [wp2]", TagSet((5, 2))),
    ("[Ressources] budget", TagSet((3,))),
    ("[emm] [2019] nothing of the plan", TagSet()),
    ("[wp3, solution] pool it", TagSet((3,), ("solution",))),
])
def test_subject_tags(subject: str, expected: TagSet, plan: WorkPlan) -> None:
    assert subject_tags(subject, plan) == expected


def test_hashtags_in_subject_and_own_words_in_other_languages(plan: WorkPlan) -> None:
    assert post_tags("Budget #RESSOURCES", "Pool travel #solution", plan) == TagSet(
        (3,), ("solution",))
    assert post_tags("[WP1]", "Nous proposons #ressources", plan).issues == (1, 3)


def test_no_tags_without_any(plan: WorkPlan) -> None:
    assert post_tags("Hello", "Just words", plan) == TagSet()
