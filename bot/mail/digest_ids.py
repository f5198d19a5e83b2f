"""The Message-ID of a digest mail: one per period, stable, so that a resent digest is the
same message to every reader's client and a reply's `In-Reply-To` names its period."""

from __future__ import annotations

import re
from datetime import UTC, datetime

_DIGEST = re.compile(r"^plenary-digest\.(\d{8}T\d{4})Z(?:\.[\w-]+)?@")


def digest_message_id(period_end: datetime, domain: str) -> str:
    """`<plenary-digest.20191014T1300Z@lists.example.org>` (the period's end, in UTC)."""
    return f"<plenary-digest.{period_end.astimezone(UTC):%Y%m%dT%H%M}Z@{domain}>"


def digest_period_end(message_id: str) -> datetime | None:
    """The period a digest's Message-ID (without brackets) stands for; None for any other."""
    found = _DIGEST.match(message_id.strip("<>"))
    if found is None:
        return None
    return datetime.strptime(found.group(1), "%Y%m%dT%H%M").replace(tzinfo=UTC)
