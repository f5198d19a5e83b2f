"""The unit tests' storage (tests/conftest.py): the bot's SQLite tuning, except that a commit
does not wait for the disk."""

from __future__ import annotations

from bot.storage import Storage


async def test_unit_storage_is_tuned_as_the_bot_but_commits_without_fsync(
        storage: Storage) -> None:
    async with storage.db.read() as conn:
        pragmas = {name: (await conn.exec_driver_sql(f"PRAGMA {name}")).scalar_one()
                   for name in ("journal_mode", "busy_timeout", "foreign_keys", "synchronous")}
    assert pragmas == {"journal_mode": "wal", "busy_timeout": 30000, "foreign_keys": 1,
                       "synchronous": 0}
