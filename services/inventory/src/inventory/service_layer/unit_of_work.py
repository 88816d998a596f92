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
from inventory.adapters.idempotency_store import IdempotencyStore, StoredResponse
from inventory.adapters.reference_store import ReferenceStore
from inventory.adapters.view_store import ViewStore
from inventory.domain import DomainError, InvariantViolationError, LedgerInconsistencyError
from inventory.service_layer.errors import IdempotencyKeyReusedError

__all__ = [
    "IdempotencyClaim",
    "UnitOfWork",
    "UnitOfWorkFactory",
    "VersionMovedOnError",
    "read",
    "run",
    "run_idempotent",
    "run_optimistic",
]

T = TypeVar("T")


class UnitOfWork(SharedUnitOfWork):
    """``async with factory() as uow: ...; await uow.commit()``; ``autocommit``: no
    transaction (see the module's docstring)."""

    batches: BatchStore
    reference: ReferenceStore
    views: ViewStore
    idempotency: IdempotencyStore

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
        self.idempotency = IdempotencyStore(conn)

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


class IdempotencyClaim:
    """An Idempotency-Key with what identifies the request it was first used for."""

    __slots__ = ("key", "request_hash", "scope")

    def __init__(self, *, scope: str, key: str, request_hash: str) -> None:
        self.scope = scope
        self.key = key
        self.request_hash = request_hash


async def run_idempotent(
    factory: UnitOfWorkFactory,
    claim: IdempotencyClaim,
    work: Callable[[UnitOfWork], Awaitable[T]],
    *,
    render: Callable[[T], StoredResponse],
    render_error: Callable[[DomainError], StoredResponse],
) -> tuple[StoredResponse, bool]:
    """Run ``work`` once per key: the answer (success, or a refusal by a business rule) is
    stored with the effects in one transaction and returned to every replay.

    Unexpected errors are not stored: the transaction rolls back with the key, so a retry runs
    the request again. Returns the answer and whether it is a replay.

    Raises:
        IdempotencyKeyReusedError: The key was used before for a different request.
    """
    async with factory() as uow:
        existing = await uow.idempotency.claim(claim.scope, claim.key, claim.request_hash)
        if existing is not None:
            if existing.request_hash != claim.request_hash:
                raise IdempotencyKeyReusedError(claim.key)
            # A claimed key always has its answer: the claim and the answer commit together.
            assert existing.response is not None
            return existing.response, True
        try:
            async with uow.savepoint():
                result = await work(uow)
            response = render(result)
        except (InvariantViolationError, LedgerInconsistencyError):
            raise  # corrupt data or a bug: a server error, never an answer to replay
        except DomainError as error:
            response = render_error(error)
        await uow.idempotency.complete(claim.scope, claim.key, response)
        await uow.commit()
        return response, False
