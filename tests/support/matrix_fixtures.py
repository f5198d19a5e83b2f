"""Pytest fixtures for tests against a real Synapse; import them from a conftest or test module."""

from __future__ import annotations

import asyncio
import inspect
import os
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

import nio
import pytest

from tests.support.synapse import SynapseServer, synapse_python, unique_localpart

REQUIRE_ENV = "PLENARY_REQUIRE_INTEGRATION"
NIO_CONFIG = nio.AsyncClientConfig(
    max_limit_exceeded=0,  # a 429 fails the test at once instead of a silent multi-minute retry
    max_timeouts=0,  # a timed-out or refused request raises instead of being retried
    request_timeout=10,
)


@dataclass(frozen=True, slots=True)
class MatrixUser:
    user_id: str
    password: str


class MakeUser(Protocol):
    def __call__(self, prefix: str = "user", *, admin: bool = False) -> MatrixUser: ...


Login = Callable[[SynapseServer, str, str], Awaitable[nio.AsyncClient]]


@pytest.fixture(scope="session")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SynapseServer]:
    """One homeserver for the whole session; skipped (or failed in CI) when not installed."""
    python = synapse_python()
    if python is None:
        reason = (
            "Synapse is not installed: run scripts/install-synapse, or set SYNAPSE_PYTHON "
            "to an interpreter that can import synapse"
        )
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{reason} ({REQUIRE_ENV}=1 forbids skipping)", pytrace=False)
        pytest.skip(reason)
    server = SynapseServer(tmp_path_factory.mktemp("synapse"), python=python)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def make_user(synapse: SynapseServer) -> MakeUser:
    """Factory: ``make_user("alice")`` registers a fresh ``@alice-N:localhost``."""

    def make(prefix: str = "user", *, admin: bool = False) -> MatrixUser:
        password = secrets.token_hex(8)
        user_id = synapse.register(unique_localpart(prefix), password, admin=admin)
        return MatrixUser(user_id, password)

    return make


@pytest.fixture
async def login() -> AsyncIterator[Login]:
    """``await login(server, user_id, password)`` -> a logged-in nio client, closed on teardown."""
    clients: list[nio.AsyncClient] = []

    async def log_in(server: SynapseServer, user_id: str, password: str) -> nio.AsyncClient:
        client = nio.AsyncClient(server.url, user_id, config=NIO_CONFIG)
        clients.append(client)
        resp = await client.login(password, device_name="plenary-tests")
        if not isinstance(resp, nio.LoginResponse):
            raise AssertionError(f"login of {user_id} at {server.url} failed: {resp}")
        return client

    try:
        yield log_in
    finally:
        for client in clients:
            await client.close()


async def wait_until(
    predicate: Callable[[], bool | Awaitable[bool]],
    timeout: float = 10.0,  # noqa: ASYNC109 - a deadline for polling, not an I/O timeout
    message: str | None = None,
) -> None:
    """Poll ``predicate`` (sync or async) every 10 ms until it is truthy.

    Raises AssertionError after ``timeout`` seconds, so a test never hangs.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = predicate()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return
        if loop.time() >= deadline:
            what = message or getattr(predicate, "__qualname__", repr(predicate))
            raise AssertionError(f"timed out after {timeout:g} s waiting for: {what}")
        await asyncio.sleep(0.01)
