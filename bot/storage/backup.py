"""`plenary db backup`: a consistent copy of a SQLite database taken while the bot writes."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.errors import ConfigError


async def backup_sqlite(database_url: str, target: Path) -> Path:
    """Copy the database at `database_url` to `target` (replaced if it exists); returns the
    source file. sqlite3's online backup in one step reads one snapshot: in WAL mode the bot
    keeps writing meanwhile, and the copy holds every transaction committed before it began."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise ConfigError("plenary db backup copies a SQLite database; back up PostgreSQL "
                          "with pg_dump -Fc (see docs/deploy.md)")
    return await asyncio.to_thread(_checked_copy, Path(url.database or ""), target)


def _checked_copy(source: Path, target: Path) -> Path:
    if not source.is_file():
        raise ConfigError(f"PLENARY_DATABASE_URL: there is no database file at {source}")
    if target.resolve() == source.resolve():
        raise ConfigError("the backup must go to another file than the database itself")
    if not target.parent.is_dir():
        raise ConfigError(f"the folder {target.parent} does not exist")
    _copy(source, target)
    return source


def _copy(source: Path, target: Path) -> None:
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(source, timeout=30)  # only read; the bot may hold the -shm
    try:
        dest = sqlite3.connect(partial)
        try:
            # pages=-1: one step, so concurrent writes cannot restart the copy forever.
            src.backup(dest, pages=-1)
            checked = dest.execute("PRAGMA integrity_check").fetchone()
            if checked is None or checked[0] != "ok":
                raise ConfigError(f"the copy failed its integrity check: {checked}")
            # A self-contained file: restoring is copying it back, no -wal beside it.
            dest.execute("PRAGMA journal_mode=DELETE")
        finally:
            dest.close()
    finally:
        src.close()
    partial.replace(target)  # atomic: an interrupted backup never leaves a half file at PATH
