"""Streaming a large read straight through the SQLite driver (digest exports).

SQLAlchemy's per-row result processing costs more than SQLite's own work when an export
reads a million rows; the statement is still built and compiled by SQLAlchemy (one source of
truth, values bound, never interpolated), only the rows skip its result layer."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Dialect, Select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.bulk_sqlite import sqlite_datetime


def _bound(value: object) -> object:
    return sqlite_datetime(value) if isinstance(value, datetime) else value


def read_datetime(text: str) -> datetime:
    """The naive UTC text SQLAlchemy writes in SQLite, as an aware datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def for_driver(query: Select[Any], dialect: Dialect) -> tuple[str, tuple[Any, ...]]:
    """The statement's SQL and its values in order, as the `sqlite3` driver takes them."""
    compiled = query.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    return str(compiled), tuple(_bound(params[name]) for name in compiled.positiontup or ())


async def stream_rows(conn: AsyncConnection, query: Select[Any], batch: int
                      ) -> AsyncIterator[Sequence[tuple[Any, ...]]]:
    """The query's rows as raw tuples (datetimes as SQLite's text), `batch` at a time."""
    sql, values = for_driver(query, conn.dialect)
    driver = (await conn.get_raw_connection()).driver_connection
    assert driver is not None
    cursor = await driver.execute(sql, values)
    try:
        while rows := await cursor.fetchmany(batch):
            yield rows
    finally:
        await cursor.close()
