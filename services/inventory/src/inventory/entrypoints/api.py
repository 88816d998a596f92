"""The inventory service's HTTP API (internal: the gateway is the only public door).

Every route except health, readiness and metrics needs the gateway's identity token; the routes,
their permissions and summaries come from ``shared.contracts.inventory.ROUTES``.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from asyncpg.exceptions import CharacterNotInRepertoireError
from fastapi import FastAPI
from shared.service_app import KafkaReadiness, create_service_app

from inventory import bootstrap
from inventory.config import InventorySettings
from inventory.domain import DomainError
from inventory.entrypoints.errors import on_domain_error, on_text_postgres_refuses
from inventory.entrypoints.identity_cache import VerifiedTokens
from inventory.entrypoints.routers import batch_reads, batch_writes, reference, views
from inventory.entrypoints.tracing import ServerSpans

__all__ = ["create_app"]

DESCRIPTION = """\
Batches, quantity buckets, the movement ledger, locations, reservations and intake.

Quantities and money are decimal strings (NUMERIC(15,4)); times are aware UTC (ISO 8601);
JSON field names are camelCase. Errors answer `{"error": {"code", "message", "details"}}`.
Writes accept an `Idempotency-Key` header: a replay returns the first answer.
"""


# Measured on the adjustment benchmark: with the defaults (700, 10, 10) the collector ran ~60
# times a second and took ~0.2 ms per adjustment (full collections walking every module,
# model and route up to 100 ms at a time). A request's objects die by reference counting;
# what the collector finds is mostly the in-flight requests' state.
_YOUNG_GENERATION_THRESHOLD = 10_000


def settle_garbage_collector() -> None:
    """What exists once the app is built (modules, routes, models, the OpenAPI schema) lives
    as long as the process: freeze it, so collections walk only what requests create, and
    collect the youngest generation every 10,000 net allocations instead of 700."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(_YOUNG_GENERATION_THRESHOLD, 20, 20)


def create_app(settings: InventorySettings | None = None) -> FastAPI:
    container = bootstrap.build(settings or InventorySettings())
    kafka = KafkaReadiness(container.settings.kafka_bootstrap_servers)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # The pool is created on first use, not here: a process whose database is away still
        # starts, answers /readyz with 503, and connects once the database is back.
        settle_garbage_collector()
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
    # The writes first: matching tries routes in order, and the single-batch writes are the
    # hot path (no two of these routers' routes match the same method and path).
    for router in (batch_writes.router, batch_reads.router, views.router, reference.router):
        app.include_router(router)
    # Our own server span per request (entrypoints/tracing.py), instead of FastAPI's request
    # telemetry, which would add a second one. The setting is the ``telemetry`` argument of
    # FastAPI(), which the shared app factory does not pass.
    app._telemetry["tracing"] = False
    app.add_middleware(ServerSpans, tracer_provider=container.tracer_provider)
    return app
