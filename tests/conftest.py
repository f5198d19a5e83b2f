"""Fixtures shared by every test: settings, the shipped plan, real storage, the harness."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from bot.settings import Settings
from bot.storage import Database, Storage, make_engine
from bot.storage.schema import Base
from bot.workplan import WorkPlan, load_workplan
from tests.fakes import Harness

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_PLAN = ROOT / "config" / "workplan.yaml"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Iterator[None]:
    """In CI (`PLENARY_REQUIRE_INTEGRATION=1`) a skipped test is a failed test."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.skipped and os.environ.get("PLENARY_REQUIRE_INTEGRATION") == "1":
        report.outcome = "failed"
        report.longrepr = f"skipped while PLENARY_REQUIRE_INTEGRATION=1: {report.longrepr}"


@pytest.fixture(scope="session")
def plan() -> WorkPlan:
    return load_workplan(SHIPPED_PLAN)


def make_settings(**values: Any) -> Settings:
    defaults: dict[str, Any] = {"staff": ("carol",), "workplan": SHIPPED_PLAN}
    return Settings(_env_file=None, **{**defaults, **values})  # type: ignore[call-arg]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'plenary.db'}")


@asynccontextmanager
async def fresh_storage(url: str) -> AsyncIterator[Storage]:
    """Storage on an empty schema made from the models (whatever the database held before)."""
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.drop_all)
            await conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        database = Database(engine)
        await database.create_schema()
        store = Storage(database)
        try:
            yield store
        finally:
            await store.close()
    finally:
        await engine.dispose()


@pytest.fixture
async def storage(settings: Settings) -> AsyncIterator[Storage]:
    async with fresh_storage(settings.database_url) as store:
        yield store


@pytest.fixture
def harness(settings: Settings, plan: WorkPlan, storage: Storage) -> Harness:
    return Harness(settings, plan, storage)
