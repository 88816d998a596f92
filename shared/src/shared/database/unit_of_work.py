"""The unit of work: one pooled connection, one transaction, committed or rolled back.

``async with factory() as uow: ...; await uow.commit()``. Nothing is written unless
:meth:`UnitOfWork.commit` is called: leaving the block otherwise rolls everything back. A
service attaches its own stores to the connection by overriding :meth:`UnitOfWork.attach`::

    class ReportingUnitOfWork(UnitOfWork):
        def attach(self, conn: Connection) -> None:
            self.stats = StatsStore(conn)

The inbox consumer (``shared.messaging``) runs each event (or batch of events) in one unit of
work, together with its inbox rows and any outbox rows the handler writes
(``shared.outbox.write_outbox(uow.conn, ...)``), so effects, inbox and outgoing events commit
together or not at all.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from types import TracebackType
from typing import Any, Protocol, Self, TypeVar

from shared.database.idempotency_keys import IdempotencyKeys
from shared.database.pool import Connection, Database

__all__ = ["Transactional", "UnitOfWork", "in_transaction"]

T = TypeVar("T")


class Transactional(Protocol):
    """What :func:`in_transaction` needs: an async context manager that can commit (this
    module's :class:`UnitOfWork`, or a service's port of one)."""

    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    async def commit(self) -> None: ...


U = TypeVar("U", bound=Transactional)


class UnitOfWork:
    conn: Connection
    """The unit of work's connection, inside its transaction."""
    idempotency_keys: IdempotencyKeys
    """The Idempotency-Key store of the service's database (``shared.http.run_once``)."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._lease: AbstractAsyncContextManager[Connection] | None = None
        self._transaction: Any = None

    def attach(self, conn: Connection) -> None:
        """Build the service's stores on ``conn`` (called once the transaction has begun)."""

    async def _begin(self) -> None:
        self._transaction = self.conn.transaction()
        await self._transaction.start()

    async def __aenter__(self) -> Self:
        self._lease = self._database.connection()
        self.conn = await self._lease.__aenter__()
        try:
            await self._begin()
        except BaseException:
            await self._lease.__aexit__(None, None, None)
            raise
        self.idempotency_keys = IdempotencyKeys(self.conn)
        self.attach(self.conn)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._lease is not None
        try:
            await self.rollback()
        finally:
            await self._lease.__aexit__(exc_type, exc, tb)

    async def commit(self) -> None:
        if self._transaction is None:
            raise RuntimeError("this unit of work has no transaction to commit")
        await self._transaction.commit()
        self._transaction = None

    async def rollback(self) -> None:
        """Undo everything since the unit of work began (nothing to do after a commit)."""
        if self._transaction is not None:
            transaction, self._transaction = self._transaction, None
            await transaction.rollback()

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """Undo the block's writes, and only those, if it raises."""
        nested = self.conn.transaction()
        await nested.start()
        try:
            yield
        except BaseException:
            await nested.rollback()
            raise
        await nested.commit()


async def in_transaction(factory: Callable[[], U], work: Callable[[U], Awaitable[T]]) -> T:
    """Run ``work`` in a new unit of work and commit it; any error rolls everything back."""
    async with factory() as uow:
        result = await work(uow)
        await uow.commit()
        return result
