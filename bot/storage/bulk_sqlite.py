"""Multi-row inserts straight through the SQLite driver, for bursts of new messages.

SQLAlchemy's per-parameter processing costs more than SQLite's own work for these narrow
rows; writing `INSERT … VALUES (…), (…) … RETURNING` ourselves keeps a burst of messages
near the raw driver's speed (see bench/bench_foundation.py). Values are bound, never
interpolated; table and column names come from our models only.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.sqlite_driver import on_driver_thread

# SQLite's default limit on bound variables per statement (since 3.32).
MAX_VARIABLES = 32766


def sqlite_datetime(value: datetime) -> str:
    """The text SQLAlchemy's SQLite DATETIME writes (naive UTC), so that reads agree."""
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    # The offset sliced off rather than `replace(tzinfo=None)` first: a quarter faster, and
    # this runs for every message ingested. An aware UTC time always ends in "+00:00".
    return value.isoformat(" ", "microseconds")[:26]


def padded_size(count: int, most: int) -> int:
    """How many rows a statement for `count` rows (at most `most`) takes: the next power of
    two, or `most` itself.

    The `sqlite3` driver keeps each connection's last 128 prepared statements, and a
    statement of N rows is a text of its own: bursts of every size (a list import's tags,
    sync batches) would fill that cache with statements of thousands of variables each
    (37 MB after 60,000 imported posts, and growing to the cap). In powers of two a table
    has a dozen shapes at most. The rows are padded with repeats of the last one rather than
    split into a statement per set bit of the count: a burst of 500 took six statements
    each for its messages, tags and kinds, and ingest lost a tenth of its speed to them."""
    return min(most, 1 << max(0, count - 1).bit_length())


async def insert_values(conn: AsyncConnection, table: Table, columns: Sequence[str],
                        rows: Sequence[Sequence[object]], *, on_conflict: str,
                        returning: Sequence[str] = ()) -> list[tuple[Any, ...]]:
    """`insert_rows` in one trip to the driver's thread."""
    if not rows:
        return []
    return await on_driver_thread(conn, partial(
        insert_rows, table=table, columns=columns, rows=rows, on_conflict=on_conflict,
        returning=returning))


def insert_rows(connection: sqlite3.Connection, *, table: Table, columns: Sequence[str],
                rows: Sequence[Sequence[object]], on_conflict: str,
                returning: Sequence[str] = ()) -> list[tuple[Any, ...]]:
    """Insert `rows` (values in `columns` order, instants already as `sqlite_datetime` text);
    returns the `returning` columns of the rows written. `on_conflict` is the statement's
    conflict clause, e.g. `ON CONFLICT DO NOTHING`: it must leave a row written twice in one
    statement as written once (skip it, or OR in the same bits), since a statement's rows are
    padded with repeats of its last (`padded_size`). Runs on the driver's thread."""
    if not rows:
        return []
    for column in (*columns, *returning):
        table.c[column]  # noqa: B018 — a KeyError here is a caller's typo, never user data
    one_row = "(" + ", ".join("?" * len(columns)) + ")"
    per_statement = max(1, MAX_VARIABLES // len(columns))
    tail = f" RETURNING {', '.join(returning)}" if returning else ""
    written: list[tuple[Any, ...]] = []
    for start in range(0, len(rows), per_statement):
        part = list(rows[start:start + per_statement])
        size = padded_size(len(part), per_statement)
        part += [part[-1]] * (size - len(part))  # repeats: the conflict clause skips them
        sql = (f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES "
               f"{', '.join([one_row] * size)} {on_conflict}{tail}")
        cursor = connection.execute(sql, [value for row in part for value in row])
        written.extend(tuple(row) for row in cursor.fetchall())
        cursor.close()
    return written
