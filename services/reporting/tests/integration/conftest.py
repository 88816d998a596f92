"""Fixtures of the reporting integration tests: a fresh database migrated with Alembic per test
(copied from a template migrated once per run), and units of work on it (one asyncpg
connection, one transaction, bound to a generation)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import asyncpg
import pytest
from reporting.adapters.generations import bind_generation, bind_live_generation
from reporting.adapters.read_model import PgReadModel
from shared.testing.plugin import MigratedDatabase

MIGRATIONS = Path(__file__).resolve().parents[2] / "src" / "reporting" / "migrations"

OpenReadModel = Callable[..., AbstractAsyncContextManager[PgReadModel]]


@pytest.fixture
async def database_url(migrated_database: MigratedDatabase) -> str:
    """Here the test's database is reporting's: fresh, migrated to head with Alembic (a copy of
    the run's template, see shared.testing.plugin)."""
    return await migrated_database(MIGRATIONS)


@pytest.fixture
def reporting_dsn(database_url: str) -> str:
    """The test's migrated database (``database_url``) as an asyncpg DSN."""
    return database_url.replace("postgresql+asyncpg://", "postgresql://", 1)


@pytest.fixture
def open_read_model(reporting_dsn: str) -> OpenReadModel:
    """``async with open_read_model() as uow``: one transaction on the live generation (or
    ``generation=n``), committed when the block ends without an error, rolled back otherwise.
    ``isolation="repeatable_read"`` for reports."""

    @asynccontextmanager
    async def open_(
        *, generation: int | None = None, isolation: str = "read_committed", writer: bool = True
    ) -> AsyncIterator[PgReadModel]:
        conn = await asyncpg.connect(reporting_dsn)
        try:
            async with conn.transaction(isolation=isolation, readonly=not writer):
                if generation is None:
                    await bind_live_generation(conn, writer=writer)
                else:
                    await bind_generation(conn, generation)
                yield PgReadModel(conn)
        finally:
            await conn.close()

    return open_
