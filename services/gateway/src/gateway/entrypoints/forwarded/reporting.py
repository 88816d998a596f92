"""The reporting service's public routes: its contract's ROUTES table with the contract's models.

Every route needs ``reports:read``; the site filter (``siteId``) is checked against the caller's
grants here, before forwarding, and the reporting service narrows every report to the caller's
sites again. The ``/export`` routes answer CSV (``text/csv``).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import BaseModel
from shared.contracts import reporting as c
from shared.contracts.routes import Route

from gateway.entrypoints.forwarded.routes import RouteSpec

__all__ = ["REPORTING_MODELS", "REPORTING_ROUTES"]

_R = "/v1/reports"
REPORTING_MODELS: dict[tuple[str, str], tuple[Any, type[BaseModel] | None]] = {
    ("GET", f"{_R}/dashboard"): (c.DashboardStats, c.ReportQuery),
    ("GET", f"{_R}/dashboard/export"): (None, c.ReportQuery),
    ("GET", f"{_R}/aging"): (c.AgingSummary, c.AgingQuery),
    ("GET", f"{_R}/aging/export"): (None, c.AgingQuery),
    ("GET", f"{_R}/profitability/batches/{{batchId}}"): (c.BatchProfitability, None),
    ("GET", f"{_R}/profitability/batches/{{batchId}}/export"): (None, None),
    ("GET", f"{_R}/profitability"): (c.ProfitabilitySummary, c.ReportQuery),
    ("GET", f"{_R}/profitability/export"): (None, c.ReportQuery),
    ("GET", f"{_R}/compliance"): (c.ComplianceStatus, c.ReportQuery),
    ("GET", f"{_R}/compliance/export"): (None, c.ReportQuery),
    ("GET", f"{_R}/lag"): (c.ReadModelStatus, None),
}


def _spec(route: Route) -> RouteSpec:
    response, query = REPORTING_MODELS.get((route.method, route.path), (None, None))
    csv = route.path.endswith("/export")
    return RouteSpec.of(
        route,
        upstream="reporting",
        error_codes=c.ERROR_CODES,
        query=query,
        response=response,
        path_types={"batchId": UUID},
        tags=("reports",),
        description="Answers `text/csv` (RFC 4180, CRLF), one row per line." if csv else None,
        media_type="text/csv" if csv else None,
    )


REPORTING_ROUTES: tuple[RouteSpec, ...] = tuple(_spec(route) for route in c.ROUTES)
