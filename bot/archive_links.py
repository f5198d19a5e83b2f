"""Links into the list's archive, from `PLENARY_LIST_ARCHIVE_URL`.

The template may use `{message_id}` (URL-quoted, without brackets: mail-archive.com, a
search), `{message_id_hash}` (HyperKitty's `message/<hash>/` path), `{list}` and `{month}`
(pipermail's volume, `2019-October`, whose `thread.html` lists the post).
"""

from __future__ import annotations

import base64
import hashlib
import string
from datetime import datetime
from urllib.parse import quote

FIELDS = frozenset({"message_id", "message_id_hash", "list", "month"})


def check_template(template: str) -> str:
    """The template, or ValueError naming an unknown `{field}`."""
    for _, field, spec, _ in string.Formatter().parse(template):
        if field is not None and (field not in FIELDS or spec):
            raise ValueError(f"{{{field}}} is not a field of the archive link; use "
                             + ", ".join(f"{{{name}}}" for name in sorted(FIELDS)))
    return template


def hyperkitty_hash(message_id: str) -> str:
    """HyperKitty's `message_id_hash`: base32 of the SHA-1 of the id without brackets."""
    digest = hashlib.sha1(message_id.strip("<>").encode("utf-8")).digest()  # noqa: S324
    return base64.b32encode(digest).decode("ascii")


def archive_link(template: str | None, list_name: str, message_id: str, sent_at: datetime,
                 month: str | None = None) -> str | None:
    """The post's link. A template naming no Message-ID (pipermail's month page) gets the id
    as a fragment: the page still opens, and each post's link is its own, as `hide <link>`
    needs to find the one post."""
    if not template:
        return None
    link = template.format(message_id=quote(message_id, safe="@"),
                           message_id_hash=hyperkitty_hash(message_id),
                           list=quote(list_name, safe=""),
                           month=month or f"{sent_at:%Y}-{sent_at:%B}")
    named = {field for _, field, _, _ in string.Formatter().parse(template) if field}
    if not named & {"message_id", "message_id_hash"} and "#" not in template:
        link += "#" + quote(message_id, safe="@")
    return link
