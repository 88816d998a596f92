"""Read-model generations on PostgreSQL: which schema a transaction works on, and the rebuild's
create / swap / drop (see ``reporting.service_layer.rebuild``).

``public.read_model_generation`` lists the generations; exactly one is ``live``. A transaction
binds itself to a generation by setting its ``search_path`` for the rest of the transaction
(``set_config(..., true)``, i.e. SET LOCAL), so the adapters' unqualified table names resolve to
that generation's schema (``public`` stays on the path for the inbox). PostgreSQL re-plans a
prepared statement whose search path changed, so cached statements follow a swap.

Locks: a consumer binds to the live generation with FOR SHARE on its registry row, a swap
takes FOR UPDATE on it. So a swap waits for the consumers' transactions in flight and the next
ones wait for the swap, then write to the new generation. Readers take no lock: a report that
started before a swap finishes on the old generation, which stays until it is dropped.
"""

# SQL here is assembled only from this module's constants, and schema names come from the
# registry (read_model_<n>, quoted as identifiers); every value is a bound parameter. Hence
# S608 does not apply.
# ruff: noqa: S608

from __future__ import annotations

from typing import Final

import asyncpg
from shared.database import Sql

from reporting.adapters.rows import position_from_row
from reporting.adapters.schema import generation_ddl, schema_name
from reporting.domain import PartitionPosition

__all__ = ["GenerationNotFoundError", "PgGenerations", "bind_generation", "bind_live_generation"]

_SET_PATH = "set_config('search_path', quote_ident(schema_name) || ', public', true)"
_BIND_LIVE_WRITER: Final = Sql(
    f"SELECT generation, {_SET_PATH} FROM read_model_generation WHERE state = 'live' FOR SHARE"
)
_BIND_LIVE_READER: Final = Sql(
    f"SELECT generation, {_SET_PATH} FROM read_model_generation WHERE state = 'live'"
)
_BIND: Final = Sql(
    f"SELECT generation, {_SET_PATH} FROM read_model_generation"
    " WHERE generation = :generation AND state IN ('building', 'live')"
)
_LOCK_LIVE: Final = Sql(
    "SELECT generation FROM read_model_generation WHERE state = 'live' FOR UPDATE"
)
_NEXT: Final = Sql(
    "INSERT INTO read_model_generation (generation, schema_name, state, created_at)"
    " SELECT n, :prefix || n, 'building', now()"
    " FROM (SELECT coalesce(max(generation), 0) + 1 AS n FROM read_model_generation) AS next"
    " RETURNING generation"
)
_SCHEMA_OF: Final = Sql(
    "SELECT schema_name FROM read_model_generation WHERE generation = :generation"
    " AND state IN ('building', 'live', 'retired')"
)
_RETIRE_LIVE: Final = Sql(
    "UPDATE read_model_generation SET state = 'retired', retired_at = now() WHERE state = 'live'"
)
_ACTIVATE: Final = Sql(
    "UPDATE read_model_generation SET state = 'live', activated_at = now()"
    " WHERE generation = :generation AND state = 'building'"
)
_RETIRED: Final = Sql(
    "SELECT generation, schema_name FROM read_model_generation WHERE state = 'retired'"
    " ORDER BY generation FOR UPDATE"
)
_MARK_DROPPED: Final = Sql(
    "UPDATE read_model_generation SET state = 'dropped' WHERE generation = ANY(CAST(:gs AS int[]))"
)


class GenerationNotFoundError(LookupError):
    """No such generation to work on (or none live: the database is not migrated)."""


def _require_transaction(conn: asyncpg.Connection) -> None:
    if not conn.is_in_transaction():
        raise RuntimeError("bind a generation inside a transaction (its search_path is local)")


async def bind_live_generation(conn: asyncpg.Connection, *, writer: bool) -> int:
    """Work on the live generation for the rest of the caller's transaction; a ``writer``
    holds off a swap until it commits."""
    _require_transaction(conn)
    statement = _BIND_LIVE_WRITER if writer else _BIND_LIVE_READER
    row = await conn.fetchrow(statement.text)
    if row is None and writer:
        # A writer that waited for a swap finds the row it waited for no longer live, and the
        # new live row was not in its statement's snapshot: the next statement's snapshot has it.
        row = await conn.fetchrow(statement.text)
    if row is None:
        raise GenerationNotFoundError("no live read-model generation (run the migrations)")
    return int(row["generation"])


async def bind_generation(conn: asyncpg.Connection, generation: int) -> None:
    """Work on ``generation`` (live or being rebuilt) for the rest of the caller's transaction."""
    _require_transaction(conn)
    row = await conn.fetchrow(_BIND.text, *_BIND.args({"generation": generation}))
    if row is None:
        raise GenerationNotFoundError(f"no read-model generation {generation} to work on")


class PgGenerations:
    """The ``Generations`` port: run each call in the caller's transaction."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def lock_live(self) -> int:
        _require_transaction(self._conn)
        row = await self._conn.fetchrow(_LOCK_LIVE.text)
        if row is None:
            raise GenerationNotFoundError("no live read-model generation (run the migrations)")
        return int(row["generation"])

    async def create(self) -> int:
        _require_transaction(self._conn)
        generation = int(
            await self._conn.fetchval(_NEXT.text, *_NEXT.args({"prefix": schema_name(0)[:-1]}))
        )
        for statement in generation_ddl(generation):
            await self._conn.execute(statement)
        return generation

    async def positions(self, generation: int) -> list[PartitionPosition]:
        name = await self._conn.fetchval(
            _SCHEMA_OF.text, *_SCHEMA_OF.args({"generation": generation})
        )
        if name is None:
            raise GenerationNotFoundError(f"no read-model generation {generation}")
        # The schema name comes from the registry, which only this module writes
        # (read_model_<n>); quoting keeps it an identifier whatever it holds.
        quoted = '"' + str(name).replace('"', '""') + '"'
        rows = await self._conn.fetch(
            f"SELECT * FROM {quoted}.topic_position ORDER BY topic, partition"
        )
        return [position_from_row(row) for row in rows]

    async def activate(self, generation: int) -> None:
        await self._conn.execute(_RETIRE_LIVE.text)
        status = await self._conn.execute(
            _ACTIVATE.text, *_ACTIVATE.args({"generation": generation})
        )
        if status != "UPDATE 1":
            raise GenerationNotFoundError(f"generation {generation} is not being built")

    async def drop_retired(self) -> list[int]:
        _require_transaction(self._conn)
        rows = await self._conn.fetch(_RETIRED.text)
        for row in rows:
            quoted = '"' + str(row["schema_name"]).replace('"', '""') + '"'
            await self._conn.execute(f"DROP SCHEMA IF EXISTS {quoted} CASCADE")
        dropped = [int(row["generation"]) for row in rows]
        if dropped:
            await self._conn.execute(_MARK_DROPPED.text, *_MARK_DROPPED.args({"gs": dropped}))
        return dropped
