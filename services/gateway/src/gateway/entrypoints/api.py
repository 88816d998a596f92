"""The gateway service's HTTP API (internal: the gateway is the only public door)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from shared.service_app import KafkaReadiness, create_service_app, database_check
from shared.telemetry import instrument_app

from gateway import bootstrap
from gateway.config import GatewaySettings

__all__ = ["create_app"]


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    container = bootstrap.build(settings or GatewaySettings())
    kafka = KafkaReadiness(container.settings.kafka_bootstrap_servers)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await kafka.close()
        await container.engine.dispose()

    app = create_service_app(
        title="Canopy gateway",
        description="The public API: authentication, permissions and routing to the services.",
        readiness={"database": database_check(container.engine), "kafka": kafka},
        lifespan=lifespan,
    )
    instrument_app(app, container.tracer_provider)
    return app
