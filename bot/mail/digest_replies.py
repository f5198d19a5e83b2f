"""A reply to a digest mail: which issue's section it answers.

The reply quotes the digest; the last issue heading quoted before the reply's own words is
the section those words answer (people answer under what they quote). Hashtags in the reply
count as anywhere. When neither says, the reply is kept as a comment on the digest.
"""

from __future__ import annotations

import re

from bot.hashtags import fold
from bot.mail.digest_ids import digest_period_end
from bot.mail.excerpt import quoted_lines
from bot.mail.parse import MailPost
from bot.tags import TagSet
from bot.workplan import WorkPlan

_HEADING = re.compile(r"^[#*\s]*(\d{1,2})\.\s+(.+?)[*\s]*$")


def replied_digest(post: MailPost) -> str | None:
    """The digest's Message-ID when `post` answers a plenary digest (its In-Reply-To, or
    a client that only kept References)."""
    for candidate in (post.in_reply_to, *reversed(post.references)):
        if candidate and digest_period_end(candidate) is not None:
            return candidate
    return None


def answered_issues(post: MailPost, plan: WorkPlan) -> TagSet:
    titles = {issue.number: {fold(t) for t in (issue.title.en, *issue.title.translations.values())}
              for issue in plan.issues}
    answered: dict[int, None] = {}
    heading: int | None = None
    for quoted, line in quoted_lines(post.body):
        if quoted:
            found = _HEADING.match(line)
            if found and fold(found.group(2)) in titles.get(int(found.group(1)), set()):
                heading = int(found.group(1))
        elif line and heading is not None:
            answered.setdefault(heading, None)
            heading = None
    return TagSet(tuple(answered))
