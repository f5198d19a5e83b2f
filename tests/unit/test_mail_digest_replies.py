"""Which digest section a reply answers: the last issue heading quoted before its words."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.mail.digest_replies import answered_issues, replied_digest
from bot.mail.parse import MailPost
from bot.tags import TagSet
from bot.workplan import WorkPlan

DIGEST = "plenary-digest.20191007T1300Z@example.org"


def reply(body: str, in_reply_to: str | None = DIGEST, references: tuple[str, ...] = ()
          ) -> MailPost:
    return MailPost("r@x", "dan@example.org", None, "Re: Digest",
                    datetime(2019, 10, 8, tzinfo=UTC), body, in_reply_to, references, None,
                    False)


@pytest.mark.parametrize(("body", "issues"), [
    ("> ## 3. Efficient use of resources\n> - Pool it\nAgreed, with a steward.", (3,)),
    ("> **3. Efficient use of resources**\n> - Pool it\n\nAgreed.", (3,)),  # the chat text
    ("> ## 3. Utilisation efficace des ressources\n> - Mutualiser\nD'accord.", (3,)),
    ("> ## 1. Prioritization of work\n> x\nFirst.\n> ## 5. Representation and inclusivity\n"
     "> y\nSecond.", (1, 5)),
    ("Thanks for the digest!\n> ## 3. Efficient use of resources\n> - Pool it", ()),
    ("> ## 3. Not the issue's title\n> x\nWords.", ()),
])
def test_the_section_answered(body: str, issues: tuple[int, ...], plan: WorkPlan) -> None:
    assert answered_issues(reply(body), plan) == TagSet(issues)


def test_a_digest_reply_is_known_by_in_reply_to_or_references() -> None:
    assert replied_digest(reply("x")) == DIGEST
    assert replied_digest(reply("x", in_reply_to=None, references=("a@b", DIGEST))) == DIGEST
    assert replied_digest(reply("x", in_reply_to="someone@else")) is None
