"""The route tables of the services behind the gateway, one per service.

Each service joins the same way: a module with its contract's table, added to
:data:`SERVICE_ROUTES` (reporting's comes with its routes).
"""

from __future__ import annotations

from gateway.entrypoints.forwarded.compliance import COMPLIANCE_ROUTES
from gateway.entrypoints.forwarded.inventory import INVENTORY_ROUTES
from gateway.entrypoints.forwarded.reporting import REPORTING_ROUTES
from gateway.entrypoints.forwarded.routes import RouteSpec

__all__ = ["SERVICE_ROUTES"]

SERVICE_ROUTES: tuple[RouteSpec, ...] = (*INVENTORY_ROUTES, *COMPLIANCE_ROUTES, *REPORTING_ROUTES)
