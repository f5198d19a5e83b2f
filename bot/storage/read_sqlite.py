"""Streaming a large read straight through the SQLite driver (digest exports).

SQLAlchemy's per-row result processing costs more than SQLite's own work when an export
reads a million rows; the statement is still built and compiled by SQLAlchemy (one source of
truth, values bound, never interpolated), only the rows skip its result layer."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Dialect, Select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.bulk_sqlite import sqlite_datetime
from bot.storage.sqlite_driver import driver_of


def _bound(value: object) -> object:
    return sqlite_datetime(value) if isinstance(value, datetime) else value


def read_datetime(text: str) -> datetime:
    """The naive UTC text SQLAlchemy writes in SQLite, as an aware datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def for_driver(query: Select[Any], dialect: Dialect) -> tuple[str, tuple[Any, ...]]:
    """The statement's SQL and its values in order, as the `sqlite3` driver takes them."""
    sql, bound = driver_statement(query, dialect)
    return sql, bound(None)


def driver_statement(query: Select[Any], dialect: Dialect
                     ) -> tuple[str, Callable[[dict[str, Any] | None], tuple[Any, ...]]]:
    """The statement's SQL, compiled once, and a function giving its values in order for
    values of its `bindparam`s by name (a statement run for many ranges). An `IN` list of
    the statement's own values is rendered in place, the same for every run."""
    compiled = query.compile(dialect=dialect)
    sql = compiled.construct_expanded_state(escape_names=False).statement

    def bound(values: dict[str, Any] | None) -> tuple[Any, ...]:
        state = compiled.construct_expanded_state(values, escape_names=False)
        return tuple(_bound(value) for value in state.positional_parameters)

    return sql, bound


async def stream_rows(conn: AsyncConnection, query: Select[Any], batch: int
                      ) -> AsyncIterator[Sequence[tuple[Any, ...]]]:
    """The query's rows as raw tuples (datetimes as SQLite's text), `batch` at a time."""
    sql, values = for_driver(query, conn.dialect)
    driver = await driver_of(conn)
    cursor = await driver.execute(sql, values)
    try:
        while rows := await cursor.fetchmany(batch):
            yield rows
    finally:
        await cursor.close()


async def first_value(conn: AsyncConnection, sql: str, values: tuple[Any, ...]) -> Any:
    """The first column of the statement's first row (as the driver reads it), or None."""
    driver = await driver_of(conn)
    async with driver.execute(sql, values) as cursor:
        row = await cursor.fetchone()
    return None if row is None else row[0]
