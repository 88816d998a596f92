"""Bulk writes of a rebuild into a fresh generation: COPY, not statements (the tables are new
and only the rebuild writes them until the swap)."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from reporting.adapters.rows import MOVEMENT_COLUMNS, VIEW_COLUMNS, movement_values, view_values
from reporting.adapters.schema import schema_name
from reporting.domain import BatchView, Movement

__all__ = ["copy_movements", "copy_views"]


async def copy_views(conn: asyncpg.Connection, generation: int, views: Sequence[BatchView]) -> None:
    if views:
        await conn.copy_records_to_table(
            "batch_view", schema_name=schema_name(generation), columns=VIEW_COLUMNS,
            records=[view_values(v) for v in views],
        )  # fmt: skip


async def copy_movements(
    conn: asyncpg.Connection, generation: int, movements: Sequence[Movement]
) -> None:
    if movements:
        await conn.copy_records_to_table(
            "movement", schema_name=schema_name(generation), columns=MOVEMENT_COLUMNS,
            records=[movement_values(m) for m in movements],
        )  # fmt: skip
