"""The reporting service's HTTP API (internal: the gateway is the only public door)."""

from __future__ import annotations

from fastapi import FastAPI
from shared.service_app import create_database_service_app

from reporting import bootstrap
from reporting.config import ReportingSettings

__all__ = ["create_app"]


def create_app(settings: ReportingSettings | None = None) -> FastAPI:
    container = bootstrap.build(settings or ReportingSettings())
    return create_database_service_app(
        title="Canopy reporting",
        description="Dashboards, aging, profitability and compliance reports, built from events only.",
        database=container.database,
        kafka_bootstrap_servers=container.settings.kafka_bootstrap_servers,
        tracer_provider=container.tracer_provider,
    )
