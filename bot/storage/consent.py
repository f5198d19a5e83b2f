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

import sqlite3
from collections.abc import Collection
from datetime import datetime, timedelta
from functools import cache, partial

from sqlalchemy import and_, bindparam, literal_column
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.dml import ReturningInsert

from bot.storage import bulk_sqlite
from bot.storage.sqlite_driver import driver_of, on_driver_thread
from bot.storage.tables import CONSENT_NOTICES

LEASE = timedelta(minutes=10)

Member = tuple[str, str]  # (platform, user id)


class Seen:
    """Members found claimed (by this process or another) in the last `LEASE`: their next
    messages skip the claim. Entries expire, so that a notice that was lost is retried, and a
    member erased on another replica is told again, both within `LEASE` of their next message."""

    def __init__(self) -> None:
        self._until: dict[Member, datetime] = {}
        # The members just claimed, with the language each had chosen (None: none), read in
        # the claim's own transaction: their notice needs no read of its own (a read
        # transaction per burst of new members cost ingest 4%). Taken once, by the notice.
        self._chosen: dict[Member, str | None] = {}

    def note_chosen(self, claimed: Collection[Member], chosen: dict[Member, str]) -> None:
        if len(self._chosen) > 100_000:  # notices that were never written: read again
            self._chosen.clear()
        for member in claimed:
            self._chosen[member] = chosen.get(member)

    def take_chosen(self, members: Collection[Member]
                    ) -> tuple[dict[Member, str], list[Member]]:
        """The chosen languages noted for these members, and the members none was noted for."""
        found: dict[Member, str] = {}
        missing: list[Member] = []
        for member in members:
            if member not in self._chosen:
                missing.append(member)
            elif (locale := self._chosen.pop(member)) is not None:
                found[member] = locale
        return found, missing

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
    if conn.dialect.name == "sqlite":
        return await on_driver_thread(conn, partial(claim_sqlite, members=members, at=at))
    # One statement, compiled once and cached, run for many rows (insertmanyvalues): a
    # multi-row `.values(rows)` is compiled afresh every time, which cost ingest of new
    # members three quarters of its speed.
    result = await conn.execute(_reclaim_statement(), [
        {"platform": platform, "user_id": user_id, "claimed_at": at}
        for platform, user_id in sorted(members)])
    written = [tuple(row) for row in result]
    return {(str(platform), str(user_id)) for platform, user_id in written}


def claim_sqlite(connection: sqlite3.Connection, *, members: Collection[Member], at: datetime
                 ) -> set[Member]:
    """`claim` on the driver's thread, in the caller's transaction."""
    stamp = bulk_sqlite.sqlite_datetime(at)
    written = bulk_sqlite.insert_rows(
        connection, table=CONSENT_NOTICES, columns=("platform", "user_id", "claimed_at"),
        rows=[(platform, user_id, stamp) for platform, user_id in sorted(members)],
        on_conflict=_SQLITE_RECLAIM, returning=("platform", "user_id"))
    return {(str(platform), str(user_id)) for platform, user_id in written}


# A claim older than `LEASE` and never told is taken again; the cut-off is reckoned from the
# new claim's own time (`excluded.claimed_at`), so the statement binds row values only.
_LEASE_SECONDS = int(LEASE.total_seconds())
_SQLITE_RECLAIM = (
    "ON CONFLICT (platform, user_id) DO UPDATE SET claimed_at = excluded.claimed_at "
    "WHERE consent_notices.told_at IS NULL AND julianday(consent_notices.claimed_at) "
    f"< julianday(excluded.claimed_at) - {_LEASE_SECONDS} / 86400.0")


@cache
def _reclaim_statement() -> ReturningInsert[tuple[str, str]]:
    table = CONSENT_NOTICES
    insert = postgresql.insert(table)
    return insert.on_conflict_do_update(
        index_elements=["platform", "user_id"],
        set_={"claimed_at": insert.excluded.claimed_at},
        where=and_(table.c.told_at.is_(None), table.c.claimed_at
                   < insert.excluded.claimed_at - literal_column(
                       f"interval '{_LEASE_SECONDS} seconds'")),
    ).returning(table.c.platform, table.c.user_id)


async def mark_told(conn: AsyncConnection, members: Collection[Member], at: datetime) -> None:
    """One statement run for many rows, through the SQLite driver itself there (SQLAlchemy's
    per-row processing cost 30 µs a member); an `IN` list of pairs was compiled every time."""
    if not members:
        return
    ordered = sorted(members)
    if conn.dialect.name == "sqlite":
        stamp = bulk_sqlite.sqlite_datetime(at)
        driver = await driver_of(conn)
        await driver.executemany(
            "UPDATE consent_notices SET told_at = ? WHERE platform = ? AND user_id = ?",
            [(stamp, platform, user_id) for platform, user_id in ordered])
        return
    table = CONSENT_NOTICES
    statement = table.update().where(
        table.c.platform == bindparam("member_platform"),
        table.c.user_id == bindparam("member_id")).values(told_at=bindparam("told"))
    await conn.execute(statement, [
        {"member_platform": platform, "member_id": user_id, "told": at}
        for platform, user_id in ordered])


async def forget(conn: AsyncConnection, member: Member) -> None:
    """`forget-me`: a member who comes back after erasing everything is told again."""
    platform, user_id = member
    await conn.execute(CONSENT_NOTICES.delete().where(
        CONSENT_NOTICES.c.platform == platform, CONSENT_NOTICES.c.user_id == user_id))
