"""Engines and transactions: SQLite tuned for one careful writer, PostgreSQL with a checked pool."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from bot.storage.schema import Base
from bot.storage.sqlite_driver import Work, on_driver_thread

T = TypeVar("T")

_IMMEDIATE = "plenary_sqlite_immediate"


def make_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    if url.startswith("sqlite"):
        # No rollback when a connection goes back to the pool: every transaction here ends
        # in `async with conn.begin()`, which commits or rolls back itself, and the extra
        # round trip to the driver's thread would be paid by each burst of events.
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30},
                                     pool_reset_on_return=None)
        _tune_sqlite(engine)
        return engine
    return create_async_engine(url, echo=echo, pool_pre_ping=True, pool_size=5,
                               max_overflow=5, pool_timeout=10)


# The interpreter's switch interval while an SQLite engine exists; see `_tune_sqlite`.
SQLITE_SWITCH_INTERVAL = 0.0001


def _tune_sqlite(engine: AsyncEngine) -> None:
    # The driver runs each connection on a thread of its own, which takes the interpreter's
    # lock back after every statement; while the event loop holds it (parsing the next burst)
    # each take waits for the switch interval. At Python's 5 ms a burst's write waited about
    # as long as it ran. bench_foundation's bursts, against raw executemany in the same run:
    # 0.75-0.81x at 1 ms, 0.85-0.98x at 0.1 ms, no better below (2026-12-07). A lower
    # interval costs nothing where one thread runs alone: it only shortens the waits.
    sys.setswitchinterval(min(sys.getswitchinterval(), SQLITE_SWITCH_INTERVAL))

    # WAL lets readers run beside the writer; FULL makes a commit durable before we
    # acknowledge an event (group commit pays the fsync once per batch); the busy timeout
    # and BEGIN IMMEDIATE avoid the instant "database is locked" of a deferred lock upgrade.
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "busy_timeout=30000",
                       "foreign_keys=ON"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(_IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _in_transaction(work: Work[T], connection: sqlite3.Connection) -> T:
    connection.execute("BEGIN IMMEDIATE")  # as `_on_begin` does for a write
    try:
        result = work(connection)
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
    return result


def is_outage(exc: BaseException) -> bool:
    """The database failed (down, unreachable, timed out, locked), as opposed to one bad
    write. The SQLite driver's own error counts too: bursts of new messages go to it
    straight (`bulk_sqlite`), past SQLAlchemy's wrapping."""
    return isinstance(exc, OperationalError | InterfaceError | OSError | TimeoutError
                      | sqlite3.OperationalError)


class Database:
    """Transactions for the repository: many readers, and writes serialised in-process."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        # SQLite has one writer per file; queueing here is cheaper than busy-waiting there.
        self._write_lock = asyncio.Lock() if self.dialect == "sqlite" else None

    @property
    def sqlite_file(self) -> str | None:
        """The SQLite database's file, which other processes can open; None for PostgreSQL
        and for in-memory or URI-named databases."""
        url = self.engine.url
        if self.dialect != "sqlite" or not url.database or url.database == ":memory:" \
                or url.query.get("uri") or not os.path.isfile(url.database):
            return None
        return os.path.abspath(url.database)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        async with self.engine.connect() as conn, conn.begin():
            yield conn

    @asynccontextmanager
    async def write(self, after_commit: Callable[[], None] | None = None
                    ) -> AsyncIterator[AsyncConnection]:
        """A write transaction. `after_commit` runs as soon as it is committed, before the
        connection goes back to the pool (a round trip a waiting caller need not pay)."""
        if self._write_lock is None:
            async with self.engine.connect() as conn:
                async with conn.begin():
                    yield conn
                if after_commit is not None:
                    after_commit()
            return
        async with self._write_lock, self.engine.connect() as conn:
            conn = await conn.execution_options(**{_IMMEDIATE: True})
            async with conn.begin():
                yield conn
            if after_commit is not None:
                after_commit()

    async def write_on_driver(self, work: Work[T]) -> T:
        """SQLite: a write transaction run whole on the driver's thread, from BEGIN to COMMIT
        in one hand-off (see `sqlite_driver.on_driver_thread`), so that the event loop parses
        the next burst while this one is written and synced."""
        assert self._write_lock is not None, "the SQLite driver's thread: SQLite only"
        async with self._write_lock, self.engine.connect() as conn:
            return await on_driver_thread(conn, partial(_in_transaction, work))

    async def create_schema(self) -> None:
        """Create every table straight from the models (tests); deployments use migrations."""
        async with self.engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)

    async def dispose(self) -> None:
        await self.engine.dispose()
