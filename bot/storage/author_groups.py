"""Authors' stakeholder groups as the writes of tags copy them (`TagRow.group_key`).

A tag takes its author's group when it is written, and `iam` rewrites the author's tags. On
PostgreSQL two replicas could cross: a burst reads no group, `iam` rewrites the tags it can
see, the burst commits its tags without the group. So a write of tags reads the groups under
a shared lock held till its commit, and `iam`, once the group is stored, waits for every
such write in flight (`wait_for_tag_writers`) before rewriting the tags: a write that began
after the group was stored has read it. The wait holds no other lock, so it cannot close a
cycle with the writers it waits for. SQLite has one writer at a time already.
"""

from __future__ import annotations

import json
from collections.abc import Collection

from sqlalchemy import func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.database import Database
from bot.storage.models_inclusion import MEMBER_GROUPS

# The advisory lock's key: any constant no other lock of this database uses ("plen").
_LOCK = 0x706C656E
_BOUNDED = 500  # bounded IN lists on every backend


async def wait_for_tag_writers(db: Database) -> None:
    """Return once every write of tags that read a group before now has committed: on a
    transaction of its own, holding nothing else (not a group-commit batch's)."""
    if db.dialect == "postgresql":
        async with db.write() as conn:
            await conn.execute(select(func.pg_advisory_xact_lock(_LOCK)))


async def groups_of(conn: AsyncConnection, members: Collection[tuple[str, str]]
                    ) -> dict[tuple[str, str], str]:
    """The group of each of these (platform, user id) that declared one, read in the
    caller's write transaction (see the module's docstring)."""
    if not members:
        return {}
    if conn.dialect.name == "sqlite":
        return await _sqlite_groups_of(conn, members)
    await conn.execute(select(func.pg_advisory_xact_lock_shared(_LOCK)))
    found: dict[tuple[str, str], str] = {}
    wanted = list(members)
    for start in range(0, len(wanted), _BOUNDED):
        rows = await conn.execute(
            select(MEMBER_GROUPS.c.platform, MEMBER_GROUPS.c.user_id, MEMBER_GROUPS.c.group_key)
            .where(tuple_(MEMBER_GROUPS.c.platform, MEMBER_GROUPS.c.user_id)
                   .in_(wanted[start:start + _BOUNDED])))
        found.update({(platform, user): group for platform, user, group in rows})
    return found


# One statement text whatever the count: the ids go in as one JSON array, each probing the
# primary key. Through SQLAlchemy, an `IN` of a burst's few hundred authors cost 1.6 ms a
# burst (6% of the ingest rate); straight to the driver, one trip to its thread.
_SQLITE_GROUPS = ("SELECT user_id, group_key FROM member_groups WHERE platform = ? "
                  "AND user_id IN (SELECT value FROM json_each(?))")


async def _sqlite_groups_of(conn: AsyncConnection, members: Collection[tuple[str, str]]
                            ) -> dict[tuple[str, str], str]:
    by_platform: dict[str, list[str]] = {}
    for platform, user in members:
        by_platform.setdefault(platform, []).append(user)
    driver = (await conn.get_raw_connection()).driver_connection
    assert driver is not None
    found: dict[tuple[str, str], str] = {}
    for platform, users in by_platform.items():
        rows = await driver.execute_fetchall(_SQLITE_GROUPS, (platform, json.dumps(users)))
        found.update({(platform, user): group for user, group in rows})
    return found
