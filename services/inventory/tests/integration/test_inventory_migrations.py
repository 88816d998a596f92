"""The inventory migrations: the batch's total-cost check ends validated, 0012 goes down to 0011
and up again cleanly, and runs again to the end after its autocommit part failed."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
from alembic import command
from shared.migrations import alembic_config

MIGRATIONS = Path(__file__).resolve().parents[2] / "src" / "inventory" / "migrations"


async def _cogs_total_check(dsn: str) -> tuple[bool, bool] | None:
    """(column present, check validated), or None when neither exists."""
    conn = await asyncpg.connect(dsn)
    try:
        column = await conn.fetchval(
            "SELECT count(*) FROM information_schema.columns"
            " WHERE table_name = 'batch' AND column_name = 'cogs_total'"
        )
        validated = await conn.fetchval(
            "SELECT convalidated FROM pg_constraint WHERE conname = 'batch_cogs_total'"
        )
    finally:
        await conn.close()
    if not column and validated is None:
        return None
    return bool(column), bool(validated)


async def test_the_total_cost_check_is_validated_after_the_migration_and_after_down_and_up(
    inventory_db: str,
) -> None:
    assert await _cogs_total_check(inventory_db) == (True, True)
    config = alembic_config(
        MIGRATIONS, inventory_db.replace("postgresql://", "postgresql+asyncpg://", 1)
    )
    await asyncio.to_thread(command.downgrade, config, "0011")
    assert await _cogs_total_check(inventory_db) is None
    await asyncio.to_thread(command.upgrade, config, "head")
    assert await _cogs_total_check(inventory_db) == (True, True)


async def test_0012_runs_again_to_the_end_after_its_validation_failed(inventory_db: str) -> None:
    config = alembic_config(
        MIGRATIONS, inventory_db.replace("postgresql://", "postgresql+asyncpg://", 1)
    )
    await asyncio.to_thread(command.downgrade, config, "0012")
    # The autocommit block commits what came before it; the version row is written only once
    # upgrade() returns. So after a failed VALIDATE the database holds 0012's column, index and
    # (not valid) check under the version 0011: 0012 then runs again from its start.
    await asyncio.to_thread(command.stamp, config, "0011")
    await asyncio.to_thread(command.upgrade, config, "head")
    assert await _cogs_total_check(inventory_db) == (True, True)
