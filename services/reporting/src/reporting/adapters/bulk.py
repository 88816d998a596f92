"""Bulk writes of a rebuild into a fresh generation: COPY, not statements (the tables are new
and only the rebuild writes them until the swap).

The rows travel in COPY's text format, encoded here: asyncpg's binary COPY encodes every
NUMERIC from its text through a Decimal (measured: 19 us a ledger row, most of the rebuild's
writing), while text is a join of what the rows already hold; PostgreSQL parses it on its own
core. Exact both ways (decimals as their text, times with their offset).
"""

# SQL here is assembled only from the constant column lists of rows.py; every value is a bound
# parameter. Hence S608 does not apply.
# ruff: noqa: S608

from __future__ import annotations

import io
from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import datetime
from typing import Any, Final
from uuid import UUID

import asyncpg
from shared.database import Sql

from reporting.adapters.generations import bind_generation
from reporting.adapters.rows import (
    MOVEMENT_COLUMNS,
    VIEW_COLUMNS,
    VIEW_SELECT,
    movement_values,
    view_from_row,
    view_values,
)
from reporting.adapters.schema import schema_name
from reporting.domain import BatchView, Movement

__all__ = ["copy_movements", "copy_text", "copy_views", "take_back_views"]

_VIEWS: Final = Sql(
    f"SELECT {VIEW_SELECT} FROM batch_view WHERE batch_id = ANY(CAST(:ids AS uuid[]))"
)
_DELETE_VIEWS: Final = Sql("DELETE FROM batch_view WHERE batch_id = ANY(CAST(:ids AS uuid[]))")

_ESCAPES: Final = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


_MEMO_KEPT: Final = 100_000


def _escaped(value: str) -> str:
    # The check is a tenth of the cost of translate; text rarely holds these characters.
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_ESCAPES)
    return value


def _boolean(value: bool) -> str:
    return "t" if value else "f"


def _memoized(write: Callable[[Any], str]) -> Callable[[Any], str]:
    """``write`` with a bounded memo: a batch's ids and times recur in each of its rows, and
    formatting one (1 to 2 us) costs twenty times a lookup."""
    memo: dict[Any, str] = {}

    def written(value: Any) -> str:
        text = memo.get(value)
        if text is None:
            if len(memo) >= _MEMO_KEPT:
                memo.clear()
            text = memo[value] = write(value)
        return text

    return written


_FORMATS: Final[dict[type, Callable[[Any], str]]] = {
    str: _escaped,
    datetime: _memoized(datetime.isoformat),
    UUID: _memoized(str),
    bool: _boolean,
}
"""How a value is written; any other type (int, Decimal) as its ``str``."""


def copy_text(rows: Iterable[Sequence[Any]]) -> bytes:
    """Rows in COPY's text format (tab-separated, ``\\N`` for null, special characters
    escaped)."""
    formats = _FORMATS
    return "".join(
        "\t".join([r"\N" if v is None else formats.get(type(v), str)(v) for v in row]) + "\n"
        for row in rows
    ).encode()


async def _copy(
    conn: asyncpg.Connection, generation: int, table: str, columns: Sequence[str], data: bytes
) -> None:
    await conn.copy_to_table(
        table,
        schema_name=schema_name(generation),
        columns=columns,
        source=io.BytesIO(data),
        format="text",
    )


async def copy_views(conn: asyncpg.Connection, generation: int, views: Sequence[BatchView]) -> None:
    if views:
        data = copy_text(view_values(v) for v in views)
        await _copy(conn, generation, "batch_view", VIEW_COLUMNS, data)


async def copy_movements(
    conn: asyncpg.Connection, generation: int, movements: Sequence[Movement]
) -> None:
    if movements:
        data = copy_text(movement_values(m) for m in movements)
        await _copy(conn, generation, "movement", MOVEMENT_COLUMNS, data)


async def take_back_views(
    conn: asyncpg.Connection, generation: int, batch_ids: Collection[UUID]
) -> list[BatchView]:
    """The views of ``batch_ids`` written to ``generation`` before, deleted from it (the
    rebuild holds them in memory again and writes them once more later)."""
    if not batch_ids:
        return []
    await bind_generation(conn, generation)
    ids = {"ids": list(batch_ids)}
    rows = await conn.fetch(_VIEWS.text, *_VIEWS.args(ids))
    if rows:
        await conn.execute(_DELETE_VIEWS.text, *_DELETE_VIEWS.args(ids))
    return [view_from_row(row) for row in rows]
