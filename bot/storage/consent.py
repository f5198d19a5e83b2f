"""Consent notices: each member is told once what plenary keeps of them.

The claim is taken in the transaction that stores the member's message (one statement per
burst, no look-up first): the primary key makes two replicas, two concurrent first messages
or a redelivery claim a member once. The notice is sent after the commit and then marked
told; a claim never marked told (the process died, the send failed) is taken again by the
member's next message once `LEASE` has passed, so a lost notice is retried, never doubled.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import and_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.tables import CONSENT_NOTICES

LEASE = timedelta(minutes=10)
_CHUNK = 500  # rows per statement: well within both backends' bound-parameter limits

Member = tuple[str, str]  # (platform, user id)


async def claim(conn: AsyncConnection, members: Collection[Member], at: datetime
                ) -> set[Member]:
    """The members among `members` whose notice is now due: never claimed, or claimed
    more than `LEASE` ago and never told."""
    table = CONSENT_NOTICES
    claimed: set[Member] = set()
    rows = [{"platform": platform, "user_id": user_id, "claimed_at": at, "told_at": None}
            for platform, user_id in sorted(members)]
    for start in range(0, len(rows), _CHUNK):
        insert = (postgresql.insert(table) if conn.dialect.name == "postgresql"
                  else sqlite.insert(table)).values(rows[start:start + _CHUNK])
        statement = insert.on_conflict_do_update(
            index_elements=["platform", "user_id"],
            set_={"claimed_at": insert.excluded.claimed_at},
            where=and_(table.c.told_at.is_(None), table.c.claimed_at < at - LEASE),
        ).returning(table.c.platform, table.c.user_id)
        claimed.update((str(row[0]), str(row[1])) for row in await conn.execute(statement))
    return claimed


async def mark_told(conn: AsyncConnection, members: Collection[Member], at: datetime) -> None:
    for platform, user_id in members:
        await conn.execute(CONSENT_NOTICES.update().where(
            CONSENT_NOTICES.c.platform == platform, CONSENT_NOTICES.c.user_id == user_id
        ).values(told_at=at))


async def forget(conn: AsyncConnection, member: Member) -> None:
    """`forget-me`: a member who comes back after erasing everything is told again."""
    platform, user_id = member
    await conn.execute(CONSENT_NOTICES.delete().where(
        CONSENT_NOTICES.c.platform == platform, CONSENT_NOTICES.c.user_id == user_id))
