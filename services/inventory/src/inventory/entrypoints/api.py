"""The inventory service's HTTP API (internal: the gateway is the only public door).

Every route except health, readiness and metrics needs the gateway's identity token; the routes,
their permissions and summaries come from ``shared.contracts.inventory.ROUTES``.
"""

from __future__ import annotations

from fastapi import FastAPI
from shared.http import create_service_app

from inventory.domain import DomainError
from inventory.entrypoints.container import Container
from inventory.entrypoints.errors import on_domain_error
from inventory.entrypoints.routers import (
    batch_reads,
    batch_writes,
    cultivation,
    incoming_transfers,
    reference,
    transfers,
    views,
)

__all__ = ["create_app"]

DESCRIPTION = """\
Batches, quantity buckets, the movement ledger, locations, reservations and intake.

Quantities and money are decimal strings (NUMERIC(15,4)); times are aware UTC (ISO 8601);
JSON field names are camelCase. Errors answer `{"error": {"code", "message", "details"}}`.
Writes accept an `Idempotency-Key` header: a replay returns the first answer.
"""


def create_app(container: Container) -> FastAPI:
    """The API on what ``bootstrap`` built (``bootstrap.create_app`` is the process's factory)."""
    app = create_service_app(title="Canopy inventory", description=DESCRIPTION, parts=container)
    app.add_exception_handler(DomainError, on_domain_error)
    # The writes first: matching tries routes in order, and the single-batch writes are the
    # hot path (no two of these routers' routes match the same method and path).
    routers = (
        batch_writes,
        batch_reads,
        views,
        reference,
        cultivation,
        transfers,
        incoming_transfers,
    )
    for router in (r.router for r in routers):
        app.include_router(router)
    return app
