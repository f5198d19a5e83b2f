"""The `aiosqlite` connection under an SQLAlchemy one, for the few statements that go straight
to the driver (bulk inserts, per-member look-ups, raw reads of exports): SQLAlchemy's
per-parameter and per-row processing costs more than SQLite's own work there."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection


async def driver_of(conn: AsyncConnection) -> Any:
    """`conn`'s `aiosqlite.Connection` (SQLite connections only)."""
    driver = (await conn.get_raw_connection()).driver_connection
    assert driver is not None
    return driver
