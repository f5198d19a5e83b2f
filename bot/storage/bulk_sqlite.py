"""Multi-row inserts straight through the SQLite driver, for bursts of new messages.

SQLAlchemy's per-parameter processing costs more than SQLite's own work for these narrow
rows; writing `INSERT … VALUES (…), (…) … RETURNING` ourselves keeps a burst of messages
near the raw driver's speed (see bench/bench_foundation.py). Values are bound, never
interpolated; table and column names come from our models only.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection

# SQLite's default limit on bound variables per statement (since 3.32).
MAX_VARIABLES = 32766


def sqlite_datetime(value: datetime) -> str:
    """The text SQLAlchemy's SQLite DATETIME writes (naive UTC), so that reads agree."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def statement_sizes(count: int, most: int) -> list[int]:
    """How many rows each statement takes: powers of two (at most `most`), largest first.

    The `sqlite3` driver keeps each connection's last 128 prepared statements, and a
    statement of N rows is a text of its own: bursts of every size (a list import's tags,
    sync batches) would fill that cache with statements of thousands of variables each
    (37 MB after 60,000 imported posts, and growing to the cap). In powers of two a table
    has a dozen shapes at most; the price is a statement per set bit of the count."""
    sizes: list[int] = []
    while count >= most:
        sizes.append(most)
        count -= most
    bit = 1 << max(0, count.bit_length() - 1)
    while count:
        if count & bit:
            sizes.append(bit)
            count -= bit
        bit >>= 1
    return sizes


async def insert_values(conn: AsyncConnection, table: Table, columns: Sequence[str],
                        rows: Sequence[Sequence[object]], *, on_conflict: str,
                        returning: Sequence[str] = ()) -> list[tuple[Any, ...]]:
    """Insert `rows` (values in `columns` order, instants already as `sqlite_datetime` text);
    returns the `returning` columns of the rows written. `on_conflict` is the statement's
    conflict clause, e.g. `ON CONFLICT DO NOTHING`."""
    if not rows:
        return []
    for column in (*columns, *returning):
        table.c[column]  # noqa: B018 — a KeyError here is a caller's typo, never user data
    one_row = "(" + ", ".join("?" * len(columns)) + ")"
    driver = (await conn.get_raw_connection()).driver_connection
    assert driver is not None
    if not returning:
        # Nothing to read back: one `executemany`, one trip to the driver's thread and one
        # statement shape, whatever the count (a sync batch's tags are a statement per set
        # bit of their count otherwise).
        await driver.executemany(f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES "
                                 f"{one_row} {on_conflict}", rows)
        return []
    per_statement = max(1, MAX_VARIABLES // len(columns))
    tail = f" RETURNING {', '.join(returning)}"
    written: list[tuple[Any, ...]] = []
    start = 0
    for size in statement_sizes(len(rows), per_statement):
        part = rows[start:start + size]
        start += size
        sql = (f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES "
               f"{', '.join([one_row] * len(part))} {on_conflict}{tail}")
        # One trip to the driver's thread per statement (execute, fetch and close together):
        # each trip costs a thread hand-off, more than a small burst's SQL itself.
        rows_back = await driver.execute_fetchall(sql, [value for row in part for value in row])
        written.extend(tuple(row) for row in rows_back)
    return written
