"""Alembic migrations build exactly the schema the models describe, on both backends."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Connection

from bot.storage import make_engine
from bot.storage.migrate import is_current, upgrade
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


async def test_upgrade_creates_the_models_schema_and_is_idempotent(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.drop_all)
            await conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
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
