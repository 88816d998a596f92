"""The route tables of the services behind the gateway, one per service.

Compliance and reporting join the same way as inventory: a module with their contract's table,
added to :data:`SERVICE_ROUTES`.
"""

from __future__ import annotations

from gateway.entrypoints.forwarded.inventory import INVENTORY_ROUTES
from gateway.entrypoints.forwarded.reporting import REPORTING_ROUTES
from gateway.entrypoints.forwarded.routes import RouteSpec

__all__ = ["SERVICE_ROUTES"]

SERVICE_ROUTES: tuple[RouteSpec, ...] = (*INVENTORY_ROUTES, *REPORTING_ROUTES)
