"""Consent notices: each member is told once what plenary keeps of them.

The claim is taken in the transaction that stores the member's message (one statement per
burst, no look-up first): the primary key makes two replicas, two concurrent first messages
or a redelivery claim a member once. The notice is sent after the commit and then marked
told; a claim never marked told (the process died, the send failed) is taken again by the
member's next message once `LEASE` has passed, so a lost notice is retried, never doubled.

`Seen` keeps the members a process already found claimed, for `LEASE`, so that a burst of
their messages runs no claim at all (a statement per burst cost ingest a third of its speed).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import and_, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.tables import CONSENT_NOTICES

LEASE = timedelta(minutes=10)
_CHUNK = 500  # rows per statement: well within both backends' bound-parameter limits

Member = tuple[str, str]  # (platform, user id)


class Seen:
    """Members found claimed (by this process or another) in the last `LEASE`: their next
    messages skip the claim. Entries expire, so that a notice that was lost is retried, and a
    member erased on another replica is told again, both within `LEASE` of their next message."""

    def __init__(self) -> None:
        self._until: dict[Member, datetime] = {}

    def unseen(self, members: Collection[Member], at: datetime) -> set[Member]:
        until = self._until
        return {member for member in members if member not in until or until[member] <= at}

    def remember(self, members: Collection[Member], at: datetime) -> None:
        if len(self._until) > 100_000:  # bounded: drop the expired ones
            self._until = {m: t for m, t in self._until.items() if t > at}
        expiry = at + LEASE
        for member in members:
            self._until[member] = expiry

    def forget(self, member: Member) -> None:
        self._until.pop(member, None)


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
    table, ordered = CONSENT_NOTICES, sorted(members)
    for start in range(0, len(ordered), _CHUNK):
        await conn.execute(table.update().where(tuple_(table.c.platform, table.c.user_id).in_(
            ordered[start:start + _CHUNK])).values(told_at=at))


async def forget(conn: AsyncConnection, member: Member) -> None:
    """`forget-me`: a member who comes back after erasing everything is told again."""
    platform, user_id = member
    await conn.execute(CONSENT_NOTICES.delete().where(
        CONSENT_NOTICES.c.platform == platform, CONSENT_NOTICES.c.user_id == user_id))
