"""Streaming a large read straight through the SQLite driver (digest exports).

SQLAlchemy's per-row result processing costs more than SQLite's own work when an export
reads a million rows; the statement is still built and compiled by SQLAlchemy (one source of
truth, values bound, never interpolated), only the rows skip its result layer."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.bulk_sqlite import sqlite_datetime


def _bound(value: object) -> object:
    return sqlite_datetime(value) if isinstance(value, datetime) else value


def read_datetime(text: str) -> datetime:
    """The naive UTC text SQLAlchemy writes in SQLite, as an aware datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


async def stream_rows(conn: AsyncConnection, query: Select[Any], batch: int
                      ) -> AsyncIterator[Sequence[tuple[Any, ...]]]:
    """The query's rows as raw tuples (datetimes as SQLite's text), `batch` at a time."""
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    values = [_bound(params[name]) for name in compiled.positiontup or ()]
    driver = (await conn.get_raw_connection()).driver_connection
    assert driver is not None
    cursor = await driver.execute(str(compiled), values)
    try:
        while rows := await cursor.fetchmany(batch):
            yield rows
    finally:
        await cursor.close()
