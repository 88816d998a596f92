"""The compliance service's HTTP API (internal: the gateway is the only public door)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from shared.http import accept_identity_tokens, create_service_app

from compliance import bootstrap
from compliance.config import ComplianceSettings

__all__ = ["create_app"]


def create_app(settings: ComplianceSettings | None = None) -> FastAPI:
    container = bootstrap.build(settings or ComplianceSettings())

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await container.database.close()

    app = create_service_app(
        title="Canopy compliance",
        description="The only code that talks to Metrc: pushes, pulls, the sync log and reconciliation.",
        database=container.database.check,
        kafka_bootstrap_servers=container.settings.kafka_bootstrap_servers,
        tracer_provider=container.tracer_provider,
        lifespan=lifespan,
    )
    app.state.container = container
    accept_identity_tokens(app, container.settings.identity_public_key_pem())
    return app
