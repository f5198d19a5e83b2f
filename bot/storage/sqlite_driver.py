"""The `aiosqlite` connection under an SQLAlchemy one, for the few statements that go straight
to the driver (bulk inserts, per-member look-ups, raw reads of exports): SQLAlchemy's
per-parameter and per-row processing costs more than SQLite's own work there."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection

T = TypeVar("T")
Work = Callable[[sqlite3.Connection], T]


async def driver_of(conn: AsyncConnection) -> Any:
    """`conn`'s `aiosqlite.Connection` (SQLite connections only)."""
    driver = (await conn.get_raw_connection()).driver_connection
    assert driver is not None
    return driver


async def on_driver_thread(conn: AsyncConnection, work: Work[T]) -> T:
    """Run `work` on the `sqlite3` connection under `conn`, on the driver's own thread, in one
    hand-off however many statements it runs.

    Each `aiosqlite` call is a trip to that thread and back through the event loop, and while
    the loop is busy (parsing the next burst) the trip waits: a burst's six statements, each a
    trip, kept the writer idle while the loop parsed and the loop idle while the writer wrote
    (bench/bench_foundation.py). `_execute` is aiosqlite's own queue of calls, the one all its
    methods use (present in 0.20 to 0.22, the versions pyproject allows; tests cover it)."""
    driver = await driver_of(conn)
    connection: sqlite3.Connection = driver._conn
    result: T = await driver._execute(work, connection)
    return result
