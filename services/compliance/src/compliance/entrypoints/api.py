"""The compliance service's HTTP API, behind the gateway: jurisdiction rules and Metrc keys
(``compliance:manage``), the guide's manual operations and what was pushed (``compliance:sync``),
and the batch detail's Metrc link (``inventory:read``). Routes, permissions and summaries come
from ``shared.contracts.compliance.ROUTES``."""

from __future__ import annotations

from fastapi import FastAPI
from shared.http import create_service_app

from compliance.domain import ComplianceError
from compliance.entrypoints.container import Container
from compliance.entrypoints.errors import on_compliance_error
from compliance.entrypoints.routers import pushes, reads, reconciliation, settings, sync

__all__ = ["create_app"]

DESCRIPTION = """\
The only code that talks to Metrc: jurisdiction rules, Metrc keys, pushes, the submission
ledger, the sync log, notifications, sync health, and reconciliation (findings, their fixes
approved or rejected, the month-end report).

JSON field names are camelCase; quantities are decimal strings; times are aware UTC. Errors
answer `{"error": {"code", "message", "details"}}`. Writes accept an `Idempotency-Key` header: a
replay returns the first answer. A Metrc key is never in an answer (hints only).
"""


def create_app(container: Container) -> FastAPI:
    app = create_service_app(title="Canopy compliance", description=DESCRIPTION, parts=container)
    app.add_exception_handler(ComplianceError, on_compliance_error)
    for router in (
        settings.router,
        pushes.router,
        reads.router,
        sync.router,
        reconciliation.router,
    ):
        app.include_router(router)
    return app
