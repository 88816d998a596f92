"""Fixtures of compliance's integration tests on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from shared.testing.plugin import MigratedDatabase

MIGRATIONS = Path(__file__).resolve().parents[2] / "src" / "compliance" / "migrations"


@pytest.fixture
async def database_url(migrated_database: MigratedDatabase) -> str:
    """Here the test's database is compliance's: fresh and migrated to head (a copy of the run's
    template, see shared.testing.plugin), so a module's own ``upgrade`` finds nothing to do."""
    return await migrated_database(MIGRATIONS)
