"""The asyncpg pool every service works through.

Why asyncpg and not SQLAlchemy sessions: measured on the inventory's adjustment benchmark, one
adjustment's statements cost 0.26 ms per transaction through asyncpg and 1.5 ms through
SQLAlchemy's async session (the same SQL). Statements are prepared once per connection
(asyncpg's statement cache) and every value is a bound parameter.

JSON columns travel as text in both directions (no codec is registered), so JSON numbers are
never silently turned into floats: quantities inside JSON are always strings.

Two things on the way in and out of the pool, both measured on the adjustment benchmark:

* Waiting for a connection is first come, first served (a semaphore in front of the pool).
  asyncpg's own queue lets a newcomer take a connection that was just handed to a woken
  waiter, which then queues again at the back: with more requests than connections, a few
  requests waited several times as long as the rest (p50 73 ms, p99 203 ms of pool wait).
* A connection goes back without asyncpg's reset query (``pg_advisory_unlock_all(); CLOSE
  ALL; UNLISTEN *; RESET ALL``), one more round trip per request (about 0.08 ms of CPU and a
  turn of the event loop holding the connection). So no code may leave session state on a
  pooled connection: no session ``SET``, no ``LISTEN``, no advisory locks, no cursors (a test
  over every service's source keeps it so); asyncpg itself still rolls back a transaction left
  open before the connection is reused. What needs session state (the outbox relay's advisory
  lock and LISTEN) opens a connection of its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from opentelemetry.trace import Tracer, TracerProvider

from shared.database.traced_connection import TracedConnection, span_attributes
from shared.settings import ServiceSettings

__all__ = ["Connection", "Database", "asyncpg_dsn"]

Connection = Any
"""An ``asyncpg.Connection`` (asyncpg ships no type information)."""


def asyncpg_dsn(url: str) -> str:
    """SQLAlchemy's ``postgresql+asyncpg://`` URL (what the settings hold, for Alembic) in the
    form asyncpg itself accepts."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def _keep_session(_: Any) -> None:
    """The pool's reset: nothing to undo (see the module's docstring)."""


class Database:
    """A lazily created asyncpg pool: the first caller creates it inside the running event loop
    (an ASGI test transport runs no lifespan, and uvicorn's loop only exists at startup), so a
    process whose database is away still starts, and connects once the database is back.

    ``tracer``: when given, every statement is a client span (see traced_connection.py).
    """

    def __init__(
        self,
        url: str,
        *,
        name: str,
        min_size: int = 2,
        max_size: int = 20,
        tracer: Tracer | None = None,
    ) -> None:
        self._dsn = asyncpg_dsn(url)
        self._name = name
        self._tracer = tracer
        self._min_size = min_size
        self._max_size = max_size
        self._pool: Any = None
        self._lock = asyncio.Lock()
        # asyncio.Semaphore hands permits out in arrival order (no barging since 3.11.1).
        self._turns = asyncio.Semaphore(max_size)

    @classmethod
    def of_service(
        cls,
        settings: ServiceSettings,
        tracer_provider: TracerProvider | None,
        *,
        max_size: int = 20,
    ) -> Database:
        """The pool of a service's own database (``settings.database_url``), each statement a
        span when ``tracer_provider`` is given."""
        name = settings.service_name
        return cls(
            settings.database_url.get_secret_value(),
            name=name,
            max_size=max_size,
            tracer=None if tracer_provider is None else tracer_provider.get_tracer(f"{name}.db"),
        )

    async def pool(self) -> Any:
        if self._pool is None:
            async with self._lock:
                if self._pool is None:
                    self._pool = await asyncpg.create_pool(
                        self._dsn,
                        **self._tracing(),
                        min_size=self._min_size,
                        max_size=self._max_size,
                        # Room for the prepared statements of a service's list queries too.
                        statement_cache_size=512,
                        reset=_keep_session,
                        server_settings={"application_name": self._name, "timezone": "UTC"},
                    )
        return self._pool

    def _tracing(self) -> dict[str, Any]:
        """Pool options that make every statement a span."""
        if self._tracer is None:
            return {}
        tracer, attributes = self._tracer, span_attributes(self._dsn)

        async def traced(conn: TracedConnection) -> None:
            conn.tracer = tracer
            conn.attributes = attributes

        return {"connection_class": TracedConnection, "init": traced}

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Connection]:
        """A pooled connection for the block (outside any transaction unless you start one)."""
        pool = await self.pool()
        async with self._turns, pool.acquire() as conn:
            yield conn

    async def check(self) -> None:
        """Readiness: one round trip."""
        async with self.connection() as conn:
            await conn.fetchval("SELECT 1")

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
