"""How work runs in units of work (``ports.UnitOfWork``): committed, read-only, or optimistic.

Nothing is written unless the unit of work is committed (``shared.database.in_transaction``
commits at the end of the work); leaving it otherwise rolls everything back. ``factory`` makes a transactional unit of work, ``reader`` an autocommit one (no
transaction: reads see committed data, and the only write allowed is a batch repository's single
conditional save, which is atomic on its own).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from shared.database import in_transaction

from inventory.service_layer.ports import UnitOfWork, UnitOfWorkFactory

__all__ = [
    "VersionMovedOnError",
    "read",
    "run_optimistic",
]

T = TypeVar("T")


async def read(reader: UnitOfWorkFactory, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
    """Run read-only ``work`` outside any transaction (``reader`` makes autocommit units)."""
    async with reader() as uow:
        return await work(uow)


class VersionMovedOnError(Exception):
    """Internal: an optimistic write found the batch changed since it was read (nothing was
    written). Never reaches a client: the write is retried under the row lock."""


async def run_optimistic(
    reader: UnitOfWorkFactory,
    factory: UnitOfWorkFactory,
    work: Callable[[UnitOfWork], Awaitable[T]],
) -> T:
    """Run a single-batch write optimistically, then, if another writer got there between the
    read and the write, again the pessimistic way (row lock, serialized behind that writer).

    Optimistic: read the batch (no lock, no transaction), apply the domain operation, write
    everything in one statement conditional on the version read. Under no contention that is
    two round trips; under contention the conditional write changes nothing, and the retry in
    a transaction with SELECT ... FOR UPDATE cannot lose to another writer.
    """
    async with reader() as uow:
        try:
            return await work(uow)
        except VersionMovedOnError:
            pass
    return await in_transaction(factory, work)
