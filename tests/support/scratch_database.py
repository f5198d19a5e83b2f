"""A PostgreSQL database of its own for one test, made beside `PLENARY_TEST_DATABASE_URL`'s."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from sqlalchemy.engine import URL, make_url


def libpq_url(url: URL) -> str:
    """The URL without SQLAlchemy's driver name, as asyncpg, psql and pg_dump take it."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@asynccontextmanager
async def scratch_database(base_url: str, prefix: str = "plenary_scratch") -> AsyncIterator[URL]:
    """A new, empty database on the server of `base_url`; dropped afterwards."""
    base = make_url(base_url)
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(libpq_url(base))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield base.set(database=name)
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()
