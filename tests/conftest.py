"""Fixtures shared by every test: settings, the shipped plan, real storage, the harness."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import event, make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.settings import Settings
from bot.storage import Database, Storage, make_engine
from bot.storage.schema import Base
from bot.workplan import WorkPlan, load_workplan
from tests.fakes import Harness

# Tests run many bots, some at once: none serves the operations endpoints on the default
# port unless its test asks for a port (bots started as subprocesses inherit this too).
os.environ.setdefault("PLENARY_OPS_PORT", "")

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_PLAN = ROOT / "config" / "workplan.yaml"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Iterator[None]:
    """In CI (`PLENARY_REQUIRE_INTEGRATION=1`) a skipped test is a failed test."""
    outcome = yield
    _fail_if_skipped(outcome.get_result())  # type: ignore[attr-defined]


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Iterator[None]:
    """And so is a module skipped whole while collected (`allow_module_level`, `importorskip`)."""
    outcome = yield
    _fail_if_skipped(outcome.get_result())  # type: ignore[attr-defined]


@pytest.hookimpl(optionalhook=True)  # only xdist calls it; `-p no:xdist` still runs
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Every integration test in one worker, one after the other, as without xdist: they
    share the run's PostgreSQL database and the session's Synapse, so two at once would drop
    each other's tables. Unit tests spread over both. (Grouped here by path: pytest 9.2
    ignores the node ids that xdist's own `--dist loadgroup` rewrites to group tests.)"""
    if config.getvalue("dist") != "load":
        return None  # a `--dist` chosen on the command line
    from xdist.scheduler import LoadScopeScheduling

    class IntegrationTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return "integration" if nodeid.startswith("tests/integration/") else nodeid

    return IntegrationTogether(config, log)


def _fail_if_skipped(report: pytest.TestReport | pytest.CollectReport) -> None:
    if report.skipped and os.environ.get("PLENARY_REQUIRE_INTEGRATION") == "1":
        report.outcome = "failed"
        report.longrepr = f"skipped while PLENARY_REQUIRE_INTEGRATION=1: {report.longrepr}"


@pytest.fixture(scope="session")
def plan() -> WorkPlan:
    return load_workplan(SHIPPED_PLAN)


def make_settings(**values: Any) -> Settings:
    # The consent notice is off unless a test is about it (tests/unit/test_consent.py and the
    # end-to-end ones turn it on): other tests count the answers they get.
    defaults: dict[str, Any] = {"staff": ("carol",), "workplan": SHIPPED_PLAN,
                                "consent_notice": False}
    return Settings(_env_file=None, **{**defaults, **values})  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def _default_settings() -> Settings:
    return make_settings()


@pytest.fixture(scope="session")
def _unit_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The one file every unit test's storage lives in, one test after the other."""
    return tmp_path_factory.mktemp("unit") / "plenary.db"


@pytest.fixture
def settings(_default_settings: Settings, _unit_database: Path) -> Settings:
    # A copy: reading and validating the settings takes 5 ms, and they differ only in the
    # database (a URL of the very form the validator accepts).
    return _default_settings.model_copy(
        update={"database_url": f"sqlite+aiosqlite:///{_unit_database}"})


@pytest.fixture
def database_url(settings: Settings) -> str:
    """Where the `storage` fixture's database is, for a test that makes its own settings."""
    return settings.database_url


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


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def schema_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty schema made from the models once per run. Each test's storage is a copy of
    this file: copying takes a millisecond, creating every table took tens for each test (with
    `_unit_engine`, the unit tests' summed set-up went from 9.0 s to 0.5 s)."""
    path = tmp_path_factory.mktemp("schema") / "template.db"
    async with fresh_storage(f"sqlite+aiosqlite:///{path}"):
        pass
    # Closing the last connection checkpointed the write-ahead log into the file.
    assert not path.with_name(path.name + "-wal").exists()
    return path


@pytest.fixture(scope="session")
def _unit_engine(_unit_database: Path) -> AsyncEngine:
    """One engine for every unit test: its pool is emptied after each test, but its compiled
    statements stay, which each test's new engine compiled again. Nothing else carries over:
    each test gets a new copy of the empty schema, and the engine's pool is emptied after it.

    Tuned as the bot's, but for commits that do not wait for the disk: a test's file is
    thrown away, so it needs no durability against a power cut, and the 1,800 `fdatasync`
    of the unit tests took 3 s (1.7 ms each on this machine's disk, more when it is busy).
    What a process sees of its own commits is the same; the bot's own tuning is checked
    in tests/integration/test_storage.py."""
    engine = make_engine(f"sqlite+aiosqlite:///{_unit_database}")

    @event.listens_for(engine.sync_engine, "connect")
    def _commit_without_fsync(dbapi_connection: Any, _record: Any) -> None:
        # Runs after make_engine's own listener, which set `synchronous=FULL`.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.close()

    return engine


@pytest.fixture
def _empty_unit_database(_unit_database: Path, schema_template: Path) -> Path:
    for leftover in ("-wal", "-shm"):
        _unit_database.with_name(_unit_database.name + leftover).unlink(missing_ok=True)
    shutil.copyfile(schema_template, _unit_database)
    return _unit_database


@pytest.fixture
async def storage(settings: Settings, _empty_unit_database: Path, _unit_engine: AsyncEngine
                  ) -> AsyncIterator[Storage]:
    assert make_url(settings.database_url).database == str(_empty_unit_database)
    store = Storage(Database(_unit_engine))
    try:
        yield store
    finally:
        await store.close()
        await _unit_engine.dispose()  # every connection closed: the next copy starts clean


@pytest.fixture
def harness(settings: Settings, plan: WorkPlan, storage: Storage) -> Harness:
    return Harness(settings, plan, storage)

