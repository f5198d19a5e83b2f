"""The backup and restore procedures of docs/deploy.md, run as an operator would run them."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.messages import Conversation, IncomingMessage
from bot.storage import Database, Storage, make_engine
from bot.tags import TagSet
from tests.conftest import ROOT, SHIPPED_PLAN
from tests.integration.conftest import POSTGRES_URL
from tests.support.matrix_fixtures import wait_until
from tests.support.scratch_database import libpq_url, scratch_database

pytestmark = pytest.mark.integration

ROOM = Conversation("console", "console")
# CI's PostgreSQL 15 keeps its client tools here; /usr/bin has the same ones on Debian.
PG_BIN = Path("/usr/lib/postgresql/15/bin")


async def plenary(database_url: str, *args: str) -> str:
    """Run `plenary ARGS` on `database_url`; returns its standard output, fails on error."""
    env = {**os.environ, "PLENARY_DATABASE_URL": database_url,
           "PLENARY_WORKPLAN": str(SHIPPED_PLAN)}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, err.decode()[-3000:]
    return out.decode()


async def pg_tool(name: str, *args: str) -> None:
    tool = PG_BIN / name if (PG_BIN / name).exists() else shutil.which(name)
    assert tool is not None, f"{name} is not installed"
    process = await asyncio.create_subprocess_exec(
        str(tool), *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    _, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, err.decode()


@asynccontextmanager
async def open_store(url: str) -> AsyncIterator[Storage]:
    db = Database(make_engine(url))
    storage = Storage(db)
    try:
        yield storage
    finally:
        await storage.close()
        await db.dispose()


def message(n: int) -> IncomingMessage:
    return IncomingMessage(ROOM, f"m{n}", "alice", f"input {n} #wp3",
                           datetime(2026, 1, 1, tzinfo=UTC))


async def count(url: str) -> int:
    async with open_store(url) as storage:
        return await storage.count_messages()


async def test_a_sqlite_backup_taken_while_the_bot_writes_restores(tmp_path: Path) -> None:
    live = tmp_path / "plenary.db"
    url = f"sqlite+aiosqlite:///{live}"
    await plenary(url, "db", "upgrade")
    written: list[int] = []
    stop = asyncio.Event()

    async def writer(storage: Storage) -> None:
        n = 0
        while not stop.is_set():  # as the bot does: one committed message after another
            await storage.save_message(message(n), TagSet((3,)), datetime.now(UTC))
            written.append(n)
            n += 1

    async with open_store(url) as storage:
        task = asyncio.create_task(writer(storage))
        await wait_until(lambda: len(written) >= 50, 30, "writes before the copy")
        before = len(written)
        out = await plenary(url, "db", "backup", str(tmp_path / "backup.db"))
        after = len(written)
        await wait_until(lambda: len(written) >= after + 50, 30, "writes after the copy")
        stop.set()
        await task
    assert f"to {tmp_path / 'backup.db'}" in out
    backup = tmp_path / "backup.db"
    backed_up = await count(f"sqlite+aiosqlite:///{backup}")
    # A snapshot: everything committed before the copy began, nothing half written.
    assert before <= backed_up <= after < len(written)
    # Restore: the bot is stopped; the copy goes back in place of the file and its WAL.
    for stale in (live, live.with_name("plenary.db-wal"), live.with_name("plenary.db-shm")):
        stale.unlink(missing_ok=True)
    shutil.copy(backup, live)
    assert "newest schema" in await plenary(url, "db", "upgrade")
    assert await count(url) == backed_up
    async with open_store(url) as storage:  # the copy is whole: the newest message is there
        newest = await storage.message(message(backed_up - 1).ref)
        assert newest is not None and newest.text == f"input {backed_up - 1} #wp3"


async def test_the_backup_refuses_postgresql_and_its_own_file(tmp_path: Path) -> None:
    from bot.errors import ConfigError
    from bot.storage.backup import backup_sqlite

    with pytest.raises(ConfigError, match="pg_dump"):
        await backup_sqlite("postgresql+asyncpg://u@h/d", tmp_path / "x.db")
    live = tmp_path / "live.db"
    await plenary(f"sqlite+aiosqlite:///{live}", "db", "upgrade")
    with pytest.raises(ConfigError, match="another file"):
        await backup_sqlite(f"sqlite+aiosqlite:///{live}", live)


async def test_a_postgresql_dump_restores_into_a_fresh_database(tmp_path: Path) -> None:
    if not POSTGRES_URL:
        pytest.skip("PLENARY_TEST_DATABASE_URL is not set")
    async with scratch_database(POSTGRES_URL, "plenary_dump") as source, \
            scratch_database(POSTGRES_URL, "plenary_restore") as target:
        source_url = source.render_as_string(hide_password=False)
        target_url = target.render_as_string(hide_password=False)
        await plenary(source_url, "db", "upgrade")
        async with open_store(source_url) as storage:
            for n in range(120):
                await storage.save_message(message(n), TagSet((3,)), datetime.now(UTC))
        dump = tmp_path / "plenary.dump"
        await pg_tool("pg_dump", "-Fc", "--no-owner", "-f", str(dump), libpq_url(source))
        await pg_tool("pg_restore", "--no-owner", "--exit-on-error", "-d", libpq_url(target),
                      str(dump))
        assert "newest schema" in await plenary(target_url, "db", "upgrade")
        assert await count(target_url) == 120
        async with open_store(target_url) as storage:
            assert (await storage.tags_of(message(7).ref)).issues == (3,)
