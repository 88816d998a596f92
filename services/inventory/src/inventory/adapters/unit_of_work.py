"""The unit of work on PostgreSQL: ``shared.database``'s (one pooled connection, one transaction)
with the inventory's stores attached, and its autocommit variant.

A batch write stores its outbox events in the same statement as its state (see
``BatchStore.save``), so a committed change always has its events and a rolled-back one never
does. An *autocommit* unit of work has no transaction: reads see committed data, and the only
write allowed is a batch store's single conditional statement, which is atomic on its own. That
is the hot path of single-batch writes (two round trips instead of six; see
``service_layer.unit_of_work.run_optimistic``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from shared.database import Connection, Database
from shared.database import UnitOfWork as SharedUnitOfWork

from inventory.adapters.batch_queries import BatchQueries
from inventory.adapters.batch_store import BatchStore
from inventory.adapters.cultivation_store import CultivationStore
from inventory.adapters.incoming_store import IncomingStore
from inventory.adapters.reference_store import ReferenceStore
from inventory.adapters.transfer_store import TransferStore
from inventory.adapters.view_store import ViewStore
from inventory.service_layer.ports import DuplicateKeyError

__all__ = ["InventoryUnitOfWork"]


class InventoryUnitOfWork(SharedUnitOfWork):
    """Implements ``service_layer.ports.UnitOfWork``."""

    batches: BatchStore
    reference: ReferenceStore
    views: ViewStore
    queries: BatchQueries
    cultivation: CultivationStore
    transfers: TransferStore
    incoming: IncomingStore

    def __init__(self, database: Database, *, autocommit: bool = False) -> None:
        super().__init__(database)
        self._pool = database
        self.autocommit = autocommit

    async def _begin(self) -> None:
        if not self.autocommit:
            await super()._begin()

    def attach(self, conn: Connection) -> None:
        self.batches = BatchStore(conn)
        self.reference = ReferenceStore(conn)
        self.views = ViewStore(conn)
        self.queries = BatchQueries(conn)
        self.cultivation = CultivationStore(conn)
        self.transfers = TransferStore(conn)
        self.incoming = IncomingStore(conn)

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        try:
            async with super().savepoint():
                yield
        except asyncpg.UniqueViolationError as error:
            raise DuplicateKeyError(error.constraint_name) from None

    @asynccontextmanager
    async def another_connection(self) -> AsyncIterator[BatchQueries]:
        """Queries on a second pooled connection, to run at the same time as this unit of
        work's own (autocommit only: it would not see this transaction's writes)."""
        if not self.autocommit:
            raise RuntimeError("only an autocommit unit of work reads on a second connection")
        async with self._pool.connection() as conn:
            yield BatchQueries(conn)
