"""Alembic migrations, run by `plenary db upgrade` and at start by `plenary run`."""
