"""The compliance service's HTTP API (internal: the gateway is the only public door)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from shared.service_app import KafkaReadiness, create_service_app, database_check
from shared.telemetry import instrument_app

from compliance import bootstrap
from compliance.config import ComplianceSettings

__all__ = ["create_app"]


def create_app(settings: ComplianceSettings | None = None) -> FastAPI:
    container = bootstrap.build(settings or ComplianceSettings())
    kafka = KafkaReadiness(container.settings.kafka_bootstrap_servers)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await kafka.close()
        await container.engine.dispose()

    app = create_service_app(
        title="Canopy compliance",
        description="The only code that talks to Metrc: pushes, pulls, the sync log and reconciliation.",
        readiness={"database": database_check(container.engine), "kafka": kafka},
        lifespan=lifespan,
    )
    instrument_app(app, container.tracer_provider)
    return app
