"""The route tables of the services behind the gateway, one per service."""

from __future__ import annotations

from gateway.upstream.routes import RouteSpec

__all__ = ["SERVICE_ROUTES"]

# Filled from each service's contract in shared.contracts as the services publish them.
SERVICE_ROUTES: tuple[RouteSpec, ...] = ()
