"""The read models of one generation on one asyncpg connection: every repository the
handlers' unit-of-work protocols ask for (``ReadModelUnitOfWork``, ``ReportsUnitOfWork``).

It does not own the transaction: the caller (the shared unit of work, a test) opens it, binds
the generation (:mod:`reporting.adapters.generations`), builds this, runs a handler, commits.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from shared.database import Database

from reporting.adapters.generations import bind_live_generation
from reporting.adapters.read_model_store import (
    PgAggregates,
    PgBatchViews,
    PgComplianceStore,
    PgMovementLog,
    PgPositions,
    write_fold,
)
from reporting.adapters.report_queries import PgReportQueries
from reporting.service_layer.ports import FoldWrites

__all__ = ["PgReadModel", "reading"]


class PgReadModel:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn
        self._batches = PgBatchViews(conn)
        self._movements = PgMovementLog(conn)
        self._aggregates = PgAggregates(conn)
        self._positions = PgPositions(conn)
        self._compliance = PgComplianceStore(conn)
        self._reports = PgReportQueries(conn)

    async def write_fold(self, writes: FoldWrites) -> None:
        await write_fold(self.conn, writes)

    @property
    def batches(self) -> PgBatchViews:
        return self._batches

    @property
    def movements(self) -> PgMovementLog:
        return self._movements

    @property
    def aggregates(self) -> PgAggregates:
        return self._aggregates

    @property
    def positions(self) -> PgPositions:
        return self._positions

    @property
    def compliance(self) -> PgComplianceStore:
        return self._compliance

    @property
    def reports(self) -> PgReportQueries:
        return self._reports


@asynccontextmanager
async def reading(database: Database) -> AsyncIterator[PgReadModel]:
    """The live generation for one report: a pooled connection in a read-only REPEATABLE READ
    transaction (the report's rows and its "as of" from one snapshot)."""
    async with (
        database.connection() as conn,
        conn.transaction(isolation="repeatable_read", readonly=True),
    ):
        await bind_live_generation(conn, writer=False)
        yield PgReadModel(conn)
