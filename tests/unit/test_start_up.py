"""Start-up tunes the process for ingest: the heap it built is frozen out of the garbage
collector's full passes before any event is served, and an SQLite engine shortens the
interpreter's switch interval for the driver's thread."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import app
from bot.adapters import Dispatch
from bot.ports import Chat, StaffDirectory
from bot.storage import make_engine
from bot.storage.database import SQLITE_SWITCH_INTERVAL
from bot.workplan import WorkPlan
from tests.conftest import make_settings
from tests.fakes import FakeChat


class _ServesOnce:
    """An adapter whose `serve` notes that serving began, then returns (input ended)."""

    platform = "console"

    def __init__(self, order: list[str]) -> None:
        self._order = order
        self._chat = FakeChat()

    @property
    def chat(self) -> Chat:
        return self._chat

    def staff_directory(self) -> StaffDirectory | None:
        return None

    async def serve(self, dispatch: Dispatch) -> None:
        self._order.append("serving")


async def test_the_start_up_heap_is_frozen_before_events_are_served(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, plan: WorkPlan) -> None:
    order: list[str] = []
    monkeypatch.setattr(app, "freeze_start_up_heap", lambda: order.append("frozen"))
    settings = make_settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/start.db")
    await app.run(settings, plan, adapters=[_ServesOnce(order)])
    assert order == ["frozen", "serving"]


def test_freezing_takes_the_live_heap_out_of_full_collections() -> None:
    kept = [object() for _ in range(10)]  # alive at start-up
    try:
        app.freeze_start_up_heap()
        assert gc.get_freeze_count() >= len(kept)
    finally:
        gc.unfreeze()


@pytest.fixture
def default_switch_interval() -> Iterator[None]:
    before = sys.getswitchinterval()
    sys.setswitchinterval(0.005)  # Python's default
    yield
    sys.setswitchinterval(before)


async def test_an_sqlite_engine_shortens_the_switch_interval(
        default_switch_interval: None) -> None:
    engine = make_engine("sqlite+aiosqlite://")
    await engine.dispose()
    assert sys.getswitchinterval() == pytest.approx(SQLITE_SWITCH_INTERVAL)
