"""The reporting service's HTTP API (reached through the gateway only). Today: health, readiness
and metrics. Its read models will be served from a contract's ROUTES table, like the inventory's."""

from __future__ import annotations

from fastapi import FastAPI
from shared.http import create_service_app

from reporting.entrypoints.container import Container

__all__ = ["create_app"]

DESCRIPTION = "Dashboards, aging, profitability and compliance reports, built from events only."


def create_app(container: Container) -> FastAPI:
    return create_service_app(title="Canopy reporting", description=DESCRIPTION, parts=container)
