"""Integration fixtures: real databases, a real Synapse homeserver, a local Slack stand-in."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest

from bot.storage import Storage
from tests.conftest import fresh_storage
from tests.support.matrix_fixtures import login, make_user, synapse  # noqa: F401

POSTGRES_URL = os.environ.get("PLENARY_TEST_DATABASE_URL")
BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(autouse=True)
def _no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loopback traffic must not go through a proxy (slack_sdk ignores NO_PROXY)."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                 "all_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(params=BACKENDS)
async def any_storage(request: pytest.FixtureRequest, tmp_path: object) -> AsyncIterator[Storage]:
    """A fresh, empty schema on SQLite and, when `PLENARY_TEST_DATABASE_URL` is set, PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path}/store.db"
    else:
        if not POSTGRES_URL:
            pytest.skip("PLENARY_TEST_DATABASE_URL is not set")
        url = POSTGRES_URL
    async with fresh_storage(url) as store:
        yield store
