"""The unit of work: one database transaction and the stores that work inside it.

Nothing is written unless :meth:`UnitOfWork.commit` is called; leaving the ``async with`` block
otherwise rolls everything back. A batch write stores its outbox events in the same statement
as its state (see ``BatchStore.save``), so a committed change always has its events and a
rolled-back one never does.

An *autocommit* unit of work has no transaction: reads see committed data, and the only write
allowed is a batch store's single conditional statement, which is atomic on its own. That is the
hot path of single-batch writes (two round trips instead of six); see :func:`run_optimistic`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

from shared.database import Connection, Database, in_transaction
from shared.database import UnitOfWork as SharedUnitOfWork

from inventory.adapters.batch_store import BatchStore
from inventory.adapters.reference_store import ReferenceStore
from inventory.adapters.view_store import ViewStore

__all__ = [
    "UnitOfWork",
    "UnitOfWorkFactory",
    "VersionMovedOnError",
    "read",
    "run",
    "run_optimistic",
]

T = TypeVar("T")


class UnitOfWork(SharedUnitOfWork):
    """``async with factory() as uow: ...; await uow.commit()``; ``autocommit``: no
    transaction (see the module's docstring)."""

    batches: BatchStore
    reference: ReferenceStore
    views: ViewStore

    def __init__(self, database: Database, *, autocommit: bool = False) -> None:
        super().__init__(database)
        self._database = database
        self.autocommit = autocommit

    async def _begin(self) -> None:
        if not self.autocommit:
            await super()._begin()

    def attach(self, conn: Connection) -> None:
        self.batches = BatchStore(conn)
        self.reference = ReferenceStore(conn)
        self.views = ViewStore(conn)

    @asynccontextmanager
    async def another_connection(self) -> AsyncIterator[Connection]:
        """A second pooled connection, for a read that can run at the same time as this unit of
        work's own (autocommit only: it would not see this transaction's writes)."""
        if not self.autocommit:
            raise RuntimeError("only an autocommit unit of work reads on a second connection")
        async with self._database.connection() as conn:
            yield conn


UnitOfWorkFactory = Callable[[], UnitOfWork]


async def run(factory: UnitOfWorkFactory, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
    """Run ``work`` in a new unit of work and commit it; any error rolls everything back."""
    return await in_transaction(factory, work)


async def read(database: Database, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
    """Run read-only ``work`` on a pooled connection, outside any transaction."""
    async with UnitOfWork(database, autocommit=True) as uow:
        return await work(uow)


class VersionMovedOnError(Exception):
    """Internal: an optimistic write found the batch changed since it was read (nothing was
    written). Never reaches a client: the write is retried under the row lock."""


async def run_optimistic(
    database: Database, factory: UnitOfWorkFactory, work: Callable[[UnitOfWork], Awaitable[T]]
) -> T:
    """Run a single-batch write optimistically, then, if another writer got there between the
    read and the write, again the pessimistic way (row lock, serialized behind that writer).

    Optimistic: read the batch (no lock, no transaction), apply the domain operation, write
    everything in one statement conditional on the version read. Under no contention that is
    two round trips; under contention the conditional write changes nothing, and the retry in
    a transaction with SELECT ... FOR UPDATE cannot lose to another writer.
    """
    async with UnitOfWork(database, autocommit=True) as uow:
        try:
            return await work(uow)
        except VersionMovedOnError:
            pass
    return await run(factory, work)
