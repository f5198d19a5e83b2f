"""Replicas: which one runs a once-only task (the Matrix sync), and one replica on SQLite.

PostgreSQL: a session advisory lock, held on a connection of its own for as long as the
replica leads. Chosen over a lease row because the server drops it the moment the holder's
session ends, and a SIGKILLed replica's session ends at once (its kernel closes the socket):
a standby takes over within one poll, with no expiry to tune against pauses under load and
no clocks to compare. Two sessions can never hold it. The leader checks its connection every
poll and stops leading when it is gone (the server restarted and forgot the lock, or the
network is cut), so that two replicas never sync at once.

SQLite serves one replica: `plenary run` holds an exclusive lock on a file beside the
database for its lifetime, and a second one is told so in one line. That replica leads.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.errors import ConfigError
from bot.storage.database import Database

log = logging.getLogger(__name__)

T = TypeVar("T")


class Lease:
    """Held while the `lead` block runs; `lost` is set if it goes away underneath."""

    def __init__(self) -> None:
        self.lost = asyncio.Event()

    async def keep_running(self, work: Awaitable[T]) -> T | None:
        """Run `work` while the lease holds: cancelled (and None returned) once it is lost."""
        task = asyncio.ensure_future(work)
        lost = asyncio.ensure_future(self.lost.wait())
        try:
            await asyncio.wait({task, lost}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            lost.cancel()
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if task.cancelled():
            return None
        return task.result()


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for `name` (PostgreSQL's advisory locks take a bigint)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@contextlib.asynccontextmanager
async def lead(db: Database, name: str, *, poll_seconds: float = 5.0) -> AsyncIterator[Lease]:
    """Wait until this replica holds `name`, then hold it for the block."""
    if db.dialect != "postgresql":
        yield Lease()  # one replica (`single_replica`): it leads
        return
    key = lock_key(name)
    conn = await _acquire(db, name, key, poll_seconds)
    lease = Lease()
    watch = asyncio.create_task(_watch(conn, lease, poll_seconds), name=f"lease {name}")
    try:
        yield lease
    finally:
        watch.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watch
        await _release(conn, key, name)


async def _acquire(db: Database, name: str, key: int, poll_seconds: float) -> AsyncConnection:
    waiting_said = False
    while True:
        conn: AsyncConnection | None = None
        try:
            conn = await db.engine.connect()
            held = (await conn.execute(text("SELECT pg_try_advisory_lock(:key)"),
                                       {"key": key})).scalar()
            await conn.commit()  # the lock belongs to the session, not the transaction
            if held:
                log.info("leading %s", name)
                return conn
            if not waiting_said:
                log.info("standing by: another replica leads %s", name)
                waiting_said = True
        except asyncio.CancelledError:
            if conn is not None:
                await _discard(conn)
            raise
        except Exception as exc:  # the database is down: keep trying, it is not ours to fix
            log.warning("cannot ask for %s (%s); retrying", name, type(exc).__name__)
        if conn is not None:
            await conn.close()
        await asyncio.sleep(poll_seconds)


async def _watch(conn: AsyncConnection, lease: Lease, poll_seconds: float) -> None:
    while True:
        await asyncio.sleep(poll_seconds)
        try:
            await conn.execute(text("SELECT 1"))
            await conn.commit()
        except Exception as exc:
            log.error("lost the database session that holds our lead (%s)", type(exc).__name__)
            lease.lost.set()
            return


async def _release(conn: AsyncConnection, key: int, name: str) -> None:
    try:
        await conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
        await conn.commit()
    except Exception:
        # A connection that may still hold the lock must never go back to the pool.
        await _discard(conn)
        return
    await conn.close()
    log.info("handed over %s", name)


async def _discard(conn: AsyncConnection) -> None:
    with contextlib.suppress(Exception):
        await conn.invalidate()
    with contextlib.suppress(Exception):
        await conn.close()


@contextlib.contextmanager
def single_replica(db: Database) -> Iterator[None]:
    """On a SQLite file, refuse to be a second `plenary run`: SQLite has one writer, and two
    bots would answer every command twice. Free on PostgreSQL."""
    path = db.sqlite_file
    if path is None:
        yield
        return
    lock_path = Path(f"{path}.run-lock")
    handle: Any = open(lock_path, "a+")  # noqa: SIM115 - held for the block, closed below
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ConfigError(
                f"PLENARY_DATABASE_URL: another plenary is already running on {path}; SQLite "
                "serves one replica (use PostgreSQL to run several)") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield
    finally:
        handle.close()  # closing the file releases the lock, also when the process dies
