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

from collections.abc import Collection

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.database import Database
from bot.storage.member_values import member_values
from bot.storage.models_inclusion import MEMBER_GROUPS

# The advisory lock's key: any constant no other lock of this database uses ("plen").
_LOCK = 0x706C656E


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
    if conn.dialect.name == "postgresql":
        await conn.execute(select(func.pg_advisory_xact_lock_shared(_LOCK)))
    return await member_values(conn, MEMBER_GROUPS, "group_key", members)
