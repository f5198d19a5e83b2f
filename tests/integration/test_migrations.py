"""Alembic migrations build exactly the schema the models describe, on both backends."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage import make_engine
from bot.storage.migrate import alembic_config, is_current, upgrade
from bot.storage.schema import Base

pytestmark = pytest.mark.integration


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'migrated.db'}"
    url = os.environ.get("PLENARY_TEST_DATABASE_URL")
    if not url:
        pytest.skip("PLENARY_TEST_DATABASE_URL is not set")
    return url


async def _drop_everything(conn: AsyncConnection) -> None:
    await conn.run_sync(Base.metadata.drop_all)
    await conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


async def test_upgrade_creates_the_models_schema_and_is_idempotent(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        async with engine.begin() as conn:
            await _drop_everything(conn)
        assert not await is_current(engine)
        await upgrade(engine)
        await upgrade(engine)  # a second run changes nothing
        assert await is_current(engine)

        def differences(connection: Connection) -> list[object]:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, Base.metadata))

        async with engine.connect() as conn:
            assert await conn.run_sync(differences) == []
    finally:
        await engine.dispose()


async def test_upgrading_a_store_of_0004_keeps_each_messages_kinds_on_it(database_url: str
                                                                         ) -> None:
    """0005 copies existing kinds onto their messages, in key order, one string each."""
    engine = make_engine(database_url)
    key = "'slack', 'C1', '{0}'"
    try:
        async with engine.begin() as conn:
            await _drop_everything(conn)
            await conn.run_sync(lambda sync: command.upgrade(alembic_config(sync), "0004"))
            for n in (1, 2, 3):
                await conn.execute(text(
                    "INSERT INTO messages (platform, conversation_id, message_id, sender_id, "
                    f"text, posted_at) VALUES ({key.format(n)}, 'U1', 'x', "
                    "'2019-10-01 12:00:00')"))
            for n, kind in ((1, "solution"), (1, "collab"), (1, "quickwin"), (2, "comment")):
                await conn.execute(text(
                    "INSERT INTO message_kinds (platform, conversation_id, message_id, kind, "
                    f"sources) VALUES ({key.format(n)}, '{kind}', 1)"))
        await upgrade(engine)
        async with engine.connect() as conn:
            rows = (await conn.execute(text(
                "SELECT message_id, kinds FROM messages ORDER BY message_id"))).all()
        assert [tuple(row) for row in rows] == [
            ("1", "collab quickwin solution"), ("2", "comment"), ("3", None)]
    finally:
        await engine.dispose()


async def test_downgrading_0005_keeps_messages_tags_and_kinds(database_url: str) -> None:
    """SQLite must not rebuild `messages` to drop the column: foreign keys would cascade."""
    engine = make_engine(database_url)
    try:
        async with engine.begin() as conn:
            await _drop_everything(conn)
        await upgrade(engine)
        key = "'slack', 'C1', '1'"
        async with engine.begin() as conn:
            await conn.execute(text(
                "INSERT INTO messages (platform, conversation_id, message_id, sender_id, text, "
                f"posted_at, kinds) VALUES ({key}, 'U1', 'x', '2019-10-01 12:00:00', 'solution')"))
            await conn.execute(text(
                "INSERT INTO tags (platform, conversation_id, message_id, issue, sources, "
                f"sender_id, posted_at, tagged_by, tagged_at) VALUES ({key}, 3, 1, 'U1', "
                "'2019-10-01 12:00:00', 'U1', '2019-10-01 12:00:00')"))
            await conn.execute(text(
                "INSERT INTO message_kinds (platform, conversation_id, message_id, kind, sources) "
                f"VALUES ({key}, 'solution', 1)"))
        async with engine.begin() as conn:
            await conn.run_sync(lambda sync: command.downgrade(alembic_config(sync), "0004"))
        async with engine.connect() as conn:
            counts = [(await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one()
                      for table in ("messages", "tags", "message_kinds")]
        assert counts == [1, 1, 1]
    finally:
        await engine.dispose()


async def test_0007_adds_languages_groups_and_nudges_and_goes_back(database_url: str) -> None:
    """Messages stored before 0007 wait for their language; downgrading drops what it added."""
    engine = make_engine(database_url)
    try:
        async with engine.begin() as conn:
            await _drop_everything(conn)
            await conn.run_sync(lambda sync: command.upgrade(alembic_config(sync), "0006"))
            await conn.execute(text(
                "INSERT INTO messages (platform, conversation_id, message_id, sender_id, text, "
                "posted_at) VALUES ('slack', 'C1', '1', 'U1', 'hola', '2019-10-01 12:00:00')"))
        await upgrade(engine)
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT language FROM messages"))).all() == [(None,)]
            assert (await conn.execute(text("SELECT count(*) FROM member_groups"))).scalar() == 0
        async with engine.begin() as conn:
            await conn.run_sync(lambda sync: command.downgrade(alembic_config(sync), "0006"))
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT text FROM messages"))).all() == [("hola",)]
            names = await conn.run_sync(
                lambda sync: set(sync.dialect.get_table_names(sync)))
            assert "member_groups" not in names and "nudges_sent" not in names
    finally:
        await engine.dispose()


async def test_0010_copies_languages_and_groups_onto_the_tags_and_goes_back(database_url: str
                                                                            ) -> None:
    """Tags stored before 0010 get their message's language and their author's group."""
    engine = make_engine(database_url)
    rows = [("1", "U1", "ar"), ("2", "U2", None), ("3", "U1", "en")]
    try:
        async with engine.begin() as conn:
            await _drop_everything(conn)
            await conn.run_sync(lambda sync: command.upgrade(alembic_config(sync), "0007"))
            await conn.run_sync(lambda sync: command.upgrade(alembic_config(sync), "0008"))
            for message, sender, language in rows:
                key = f"'slack', 'C1', '{message}'"
                await conn.execute(text(
                    "INSERT INTO messages (platform, conversation_id, message_id, sender_id, "
                    "text, posted_at, language) VALUES "
                    f"({key}, '{sender}', 'x', '2019-10-01 12:00:00', :language)"),
                    {"language": language})
                for issue in (3, 5):
                    await conn.execute(text(
                        "INSERT INTO tags (platform, conversation_id, message_id, issue, "
                        f"sources, sender_id, posted_at, tagged_by, tagged_at) VALUES ({key}, "
                        f"{issue}, 1, '{sender}', '2019-10-01 12:00:00', '{sender}', "
                        "'2019-10-01 12:00:00')"))
            await conn.execute(text(
                "INSERT INTO member_groups (platform, user_id, group_key, set_by, set_at) "
                "VALUES ('slack', 'U1', 'GNSO', 'U1', '2019-10-01 12:00:00')"))
        await upgrade(engine)
        async with engine.connect() as conn:
            tags = (await conn.execute(text(
                "SELECT message_id, issue, language, group_key FROM tags "
                "ORDER BY message_id, issue"))).all()
        assert [tuple(row) for row in tags] == [
            ("1", 3, "ar", "GNSO"), ("1", 5, "ar", "GNSO"), ("2", 3, None, None),
            ("2", 5, None, None), ("3", 3, "en", "GNSO"), ("3", 5, "en", "GNSO")]
        async with engine.begin() as conn:
            await conn.run_sync(lambda sync: command.downgrade(alembic_config(sync), "0008"))
        async with engine.connect() as conn:
            heads = await conn.run_sync(
                lambda sync: set(MigrationContext.configure(sync).get_current_heads()))
            columns = await conn.run_sync(lambda sync: {
                column["name"] for column in sync.dialect.get_columns(sync, "tags")})
            count = (await conn.execute(text("SELECT count(*) FROM tags"))).scalar_one()
        assert heads == {"0007", "0008"}
        assert "language" not in columns and "group_key" not in columns and count == 6
    finally:
        await engine.dispose()
