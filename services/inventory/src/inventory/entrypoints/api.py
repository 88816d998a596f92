"""The inventory service's HTTP API (internal: the gateway is the only public door).

Every route except health, readiness and metrics needs the gateway's identity token; the routes,
their permissions and summaries come from ``shared.contracts.inventory.ROUTES``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from shared.http import accept_identity_tokens, create_service_app

from inventory.domain import DomainError
from inventory.entrypoints.container import Container
from inventory.entrypoints.errors import on_domain_error
from inventory.entrypoints.routers import batch_reads, batch_writes, reference, views

__all__ = ["create_app"]

DESCRIPTION = """\
Batches, quantity buckets, the movement ledger, locations, reservations and intake.

Quantities and money are decimal strings (NUMERIC(15,4)); times are aware UTC (ISO 8601);
JSON field names are camelCase. Errors answer `{"error": {"code", "message", "details"}}`.
Writes accept an `Idempotency-Key` header: a replay returns the first answer.
"""


def create_app(container: Container) -> FastAPI:
    """The API on what ``bootstrap`` built (``bootstrap.create_app`` is the process's factory)."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # The pool is created on first use, not here: a process whose database is away still
        # starts, answers /readyz with 503, and connects once the database is back.
        yield
        await container.close()

    app = create_service_app(
        title="Canopy inventory",
        description=DESCRIPTION,
        database=container.database_check,
        kafka_bootstrap_servers=container.settings.kafka_bootstrap_servers,
        tracer_provider=container.tracer_provider,
        lifespan=lifespan,
    )
    app.state.container = container
    # Read once at startup: a service without the gateway's key refuses to start.
    accept_identity_tokens(app, container.settings.identity_public_key_pem())
    app.add_exception_handler(DomainError, on_domain_error)
    # The writes first: matching tries routes in order, and the single-batch writes are the
    # hot path (no two of these routers' routes match the same method and path).
    for router in (batch_writes.router, batch_reads.router, views.router, reference.router):
        app.include_router(router)
    return app
