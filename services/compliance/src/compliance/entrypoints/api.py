"""The compliance service's HTTP API, behind the gateway: health, readiness and metrics for now;
the sync log, credentials and submissions join as routes of its contract's ROUTES table
(``shared.http.ContractRoutes``), the way the inventory's routes are registered."""

from __future__ import annotations

from fastapi import FastAPI
from shared.http import create_service_app

from compliance.entrypoints.container import Container

__all__ = ["create_app"]

DESCRIPTION = "The only code that talks to Metrc: pushes, pulls, the sync log and reconciliation."


def create_app(container: Container) -> FastAPI:
    return create_service_app(title="Canopy compliance", description=DESCRIPTION, parts=container)
