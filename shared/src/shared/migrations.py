"""Alembic, run from code: every service keeps its own migrations folder and calls these helpers.

A service's ``migrations/env.py`` is two lines (``from shared.migrations import run_env; run_env()``),
and ``python -m <service> migrate`` upgrades its database to head. Every service's database has
the platform's tables, created by its own migrations through :func:`create_messaging_tables`
(the outbox with its NOTIFY trigger, and the inbox) and :func:`create_idempotency_table`.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command, context, op
from alembic.config import Config
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from shared.database import IDEMPOTENCY_DDL
from shared.outbox.schema import MESSAGING_DDL

__all__ = [
    "alembic_config",
    "create_idempotency_table",
    "create_messaging_tables",
    "drop_idempotency_table",
    "drop_messaging_tables",
    "run_env",
    "upgrade",
]


def alembic_config(migrations_dir: Path, database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    # Percent signs in passwords would otherwise be read as interpolation by configparser.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(migrations_dir: Path, database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(migrations_dir, database_url), revision)


def run_env() -> None:
    """The body of every service's ``env.py``: online migrations on an async engine."""
    url = context.config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("sqlalchemy.url is not set; use shared.migrations.upgrade()")

    def migrate(connection: Connection) -> None:
        context.configure(connection=connection, target_metadata=None)
        with context.begin_transaction():
            context.run_migrations()

    async def run() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool, hide_parameters=True)
        async with engine.connect() as connection:
            await connection.run_sync(migrate)
        await engine.dispose()

    asyncio.run(run())


def create_messaging_tables() -> None:
    """In a migration's ``upgrade()``: the outbox (and the trigger that wakes the relay at
    commit) and the inbox."""
    for statement in MESSAGING_DDL:
        op.execute(statement)


def drop_messaging_tables() -> None:
    op.execute("DROP TABLE IF EXISTS inbox")
    op.execute("DROP TABLE IF EXISTS outbox")
    op.execute("DROP FUNCTION IF EXISTS outbox_notify()")


def create_idempotency_table() -> None:
    """In a migration's ``upgrade()``: the Idempotency-Key store of ``shared.http``."""
    for statement in IDEMPOTENCY_DDL:
        op.execute(statement)


def drop_idempotency_table() -> None:
    op.execute("DROP TABLE IF EXISTS idempotency_key")
