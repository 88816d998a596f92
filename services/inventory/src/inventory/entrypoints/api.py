"""The inventory service's HTTP API (internal: the gateway is the only public door).

Every route except health, readiness and metrics needs the gateway's identity token; the routes,
their permissions and summaries come from ``shared.contracts.inventory.ROUTES``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from asyncpg.exceptions import CharacterNotInRepertoireError
from fastapi import FastAPI
from shared.service_app import KafkaReadiness, create_service_app
from shared.telemetry import instrument_app

from inventory import bootstrap
from inventory.config import InventorySettings
from inventory.domain import DomainError
from inventory.entrypoints.errors import on_domain_error, on_text_postgres_refuses
from inventory.entrypoints.identity_cache import VerifiedTokens
from inventory.entrypoints.routers import batch_reads, batch_writes, reference, views

__all__ = ["create_app"]

DESCRIPTION = """\
Batches, quantity buckets, the movement ledger, locations, reservations and intake.

Quantities and money are decimal strings (NUMERIC(15,4)); times are aware UTC (ISO 8601);
JSON field names are camelCase. Errors answer `{"error": {"code", "message", "details"}}`.
Writes accept an `Idempotency-Key` header: a replay returns the first answer.
"""


def create_app(settings: InventorySettings | None = None) -> FastAPI:
    container = bootstrap.build(settings or InventorySettings())
    kafka = KafkaReadiness(container.settings.kafka_bootstrap_servers)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # The pool is created on first use, not here: a process whose database is away still
        # starts, answers /readyz with 503, and connects once the database is back.
        yield
        await kafka.close()
        await container.database.close()

    app = create_service_app(
        title="Canopy inventory",
        description=DESCRIPTION,
        readiness={"database": container.database.check, "kafka": kafka},
        lifespan=lifespan,
    )
    app.state.container = container
    # Read once at startup: a service without the gateway's key refuses to start.
    app.state.identity_tokens = VerifiedTokens(container.settings.identity_public_key_pem())
    app.add_exception_handler(DomainError, on_domain_error)
    app.add_exception_handler(CharacterNotInRepertoireError, on_text_postgres_refuses)
    for router in (batch_reads.router, batch_writes.router, views.router, reference.router):
        app.include_router(router)
    instrument_app(app, container.tracer_provider, server_span_only=True)
    return app
