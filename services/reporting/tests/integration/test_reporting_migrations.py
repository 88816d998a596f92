"""The read-model migration: generation 1 live with every table; down and up again cleanly."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
from alembic import command
from reporting.adapters.schema import read_models
from shared.migrations import alembic_config

MIGRATIONS = Path(__file__).resolve().parents[2] / "src" / "reporting" / "migrations"


async def _state(dsn: str) -> tuple[list[tuple[object, ...]], set[str]]:
    conn = await asyncpg.connect(dsn)
    try:
        exists = await conn.fetchval("SELECT to_regclass('public.read_model_generation')")
        generations = (
            [
                tuple(r)
                for r in await conn.fetch(
                    "SELECT generation, schema_name, state FROM read_model_generation"
                )
            ]
            if exists
            else []
        )
        tables = {
            row["table_name"]
            for row in await conn.fetch(
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema LIKE 'read_model_%'"
            )
        }
    finally:
        await conn.close()
    return generations, tables


async def test_the_migration_creates_generation_one_live_with_every_read_model_table(
    reporting_dsn: str,
) -> None:
    generations, tables = await _state(reporting_dsn)
    assert generations == [(1, "read_model_1", "live")]
    assert tables == set(read_models.tables)


async def test_the_migration_goes_down_to_the_messaging_tables_and_up_again(
    reporting_dsn: str, database_url: str
) -> None:
    config = alembic_config(MIGRATIONS, database_url)
    await asyncio.to_thread(command.downgrade, config, "0001")
    assert await _state(reporting_dsn) == ([], set())
    await asyncio.to_thread(command.upgrade, config, "head")
    generations, tables = await _state(reporting_dsn)
    assert generations == [(1, "read_model_1", "live")]
    assert tables == set(read_models.tables)
