"""The reporting service's HTTP API (reached through the gateway only): the reports of
``shared.contracts.reporting.ROUTES`` (``reporting.entrypoints.routes``), health, readiness and
metrics."""

from __future__ import annotations

from fastapi import FastAPI
from shared.http import create_service_app

from reporting.entrypoints.container import Container
from reporting.entrypoints.routes import router

__all__ = ["create_app"]

DESCRIPTION = "Dashboards, aging, profitability and compliance reports, built from events only."


def create_app(container: Container) -> FastAPI:
    app = create_service_app(title="Canopy reporting", description=DESCRIPTION, parts=container)
    app.include_router(router)
    return app
