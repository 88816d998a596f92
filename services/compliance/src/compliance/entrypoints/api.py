"""The compliance service's HTTP API (internal: the gateway is the only public door).

Its routes will come from its contract's ROUTES table (``shared.http.ContractRoutes``), as the
inventory's do; until then it serves health, readiness and metrics.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from shared.http import accept_identity_tokens, create_service_app

from compliance.entrypoints.container import Container

__all__ = ["create_app"]

DESCRIPTION = "The only code that talks to Metrc: pushes, pulls, the sync log and reconciliation."


def create_app(container: Container) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await container.close()

    app = create_service_app(
        title="Canopy compliance",
        description=DESCRIPTION,
        database=container.database_check,
        kafka_bootstrap_servers=container.settings.kafka_bootstrap_servers,
        tracer_provider=container.tracer_provider,
        lifespan=lifespan,
    )
    app.state.container = container
    # Read once at startup: a service without the gateway's key refuses to start.
    accept_identity_tokens(app, container.settings.identity_public_key_pem())
    return app
