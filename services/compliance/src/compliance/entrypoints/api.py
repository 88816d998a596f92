"""The compliance service's HTTP API (internal: the gateway is the only public door)."""

from __future__ import annotations

from fastapi import FastAPI
from shared.service_app import create_database_service_app

from compliance import bootstrap
from compliance.config import ComplianceSettings

__all__ = ["create_app"]


def create_app(settings: ComplianceSettings | None = None) -> FastAPI:
    container = bootstrap.build(settings or ComplianceSettings())
    return create_database_service_app(
        title="Canopy compliance",
        description="The only code that talks to Metrc: pushes, pulls, the sync log and reconciliation.",
        database=container.database,
        kafka_bootstrap_servers=container.settings.kafka_bootstrap_servers,
        tracer_provider=container.tracer_provider,
    )
