"""The compliance service's public routes: its contract's ROUTES table, with the contract's
models (``shared.contracts.compliance``).

Metrc keys travel in the body of ``PUT /api/v1/compliance/credentials/{licenseNumber}`` only;
the gateway validates the body and forwards it as it came, never logging it, and no answer
carries a key. The batch detail's Metrc link (``GET /api/v1/batches/{batchId}/metrc-link``) is
compliance's own route composed beside inventory's batch routes: the gateway asks compliance,
never a database of another service.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from pydantic import BaseModel
from shared.contracts import compliance as c

from gateway.entrypoints.forwarded.routes import RouteSpec

__all__ = ["COMPLIANCE_MODELS", "COMPLIANCE_ROUTES"]


@dataclass(frozen=True)
class Models:
    response: Any
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    idempotent: bool = False
    tag: str = "compliance"
    status_code: int = 200
    media_type: str | None = None


_C = "/v1/compliance"
_RECONCILIATION = "compliance reconciliation"
_LICENSE = f"{_C}/credentials/{{licenseNumber}}"

COMPLIANCE_MODELS: dict[tuple[str, str], Models] = {
    ("GET", f"{_C}/rules"): Models(list[c.SiteRules], tag="compliance settings"),
    ("GET", f"{_C}/rules/{{siteId}}"): Models(c.SiteRules, tag="compliance settings"),
    ("PUT", f"{_C}/rules/{{siteId}}"): Models(
        c.RulesSaveResult, body=c.SiteRulesSave, idempotent=True, tag="compliance settings"
    ),
    ("GET", f"{_C}/credentials"): Models(list[c.CredentialsView], tag="compliance settings"),
    ("GET", _LICENSE): Models(c.CredentialsView, tag="compliance settings"),
    ("PUT", _LICENSE): Models(
        c.CredentialsView, body=c.CredentialsSave, idempotent=True, tag="compliance settings"
    ),
    ("POST", f"{_LICENSE}/validate"): Models(
        c.CredentialsView, idempotent=True, tag="compliance settings"
    ),
    ("POST", f"{_C}/credentials/rotate"): Models(
        c.RotationResult, idempotent=True, tag="compliance settings"
    ),
    ("POST", f"{_C}/batches/{{batchId}}/push"): Models(c.ManualPushResult, idempotent=True),
    ("POST", f"{_C}/licenses/{{licenseNumber}}/retry"): Models(
        c.RetryResult, body=c.RetryRequest, idempotent=True
    ),
    ("POST", f"{_C}/submissions/{{submissionId}}/dismiss"): Models(
        c.SubmissionView, idempotent=True
    ),
    ("GET", f"{_C}/batches/{{batchId}}"): Models(c.BatchCompliance),
    ("GET", "/v1/batches/{batchId}/metrc-link"): Models(c.BatchLink, tag="batches"),
    ("GET", f"{_C}/submissions"): Models(c.SubmissionPage, query=c.LedgerQuery),
    ("GET", f"{_C}/sync-log"): Models(c.SyncLogPage, query=c.SyncLogQuery),
    ("GET", f"{_C}/notifications"): Models(list[c.NotificationView], query=c.NotificationQuery),
    ("GET", f"{_C}/health"): Models(list[c.LicenseHealth]),
    ("POST", f"{_C}/sync"): Models(
        c.SyncStarted, body=c.SyncRequest, status_code=202, tag="compliance sync"
    ),
    ("GET", f"{_C}/sync/runs/{{runId}}"): Models(c.SyncRunView, tag="compliance sync"),
    ("GET", f"{_C}/sync/runs/{{runId}}/events"): Models(
        None, media_type="text/event-stream", tag="compliance sync"
    ),
    ("GET", f"{_C}/licenses/{{licenseNumber}}/sync-health"): Models(
        c.SyncHealthView, tag="compliance sync"
    ),
    # reconciliation
    ("POST", f"{_C}/licenses/{{licenseNumber}}/reconciliation"): Models(
        c.ReconciliationStarted, idempotent=True, tag=_RECONCILIATION
    ),
    ("GET", f"{_C}/licenses/{{licenseNumber}}/reconciliation/runs"): Models(
        list[c.ReconciliationRunView], tag=_RECONCILIATION
    ),
    ("GET", f"{_C}/licenses/{{licenseNumber}}/findings"): Models(
        c.FindingPage, query=c.FindingQuery, tag=_RECONCILIATION
    ),
    ("GET", f"{_C}/findings/{{findingId}}"): Models(c.FindingView, tag=_RECONCILIATION),
    ("POST", f"{_C}/findings/{{findingId}}/approve"): Models(
        c.FindingView, body=c.FixApproval, idempotent=True, tag=_RECONCILIATION
    ),
    ("POST", f"{_C}/findings/{{findingId}}/reject"): Models(
        c.FindingView, body=c.FindingDecision, idempotent=True, tag=_RECONCILIATION
    ),
    ("GET", f"{_C}/licenses/{{licenseNumber}}/reconciliation/report"): Models(
        c.MonthEndReport, query=c.MonthEndQuery, tag=_RECONCILIATION
    ),
    ("GET", f"{_C}/licenses/{{licenseNumber}}/reconciliation/report/export"): Models(
        None, query=c.MonthEndQuery, media_type="text/csv", tag=_RECONCILIATION
    ),
}

_PATH_TYPES = {
    "batchId": UUID,
    "siteId": UUID,
    "submissionId": UUID,
    "runId": UUID,
    "findingId": UUID,
    "licenseNumber": str,
}


def _spec(route: c.Route) -> RouteSpec:
    models = COMPLIANCE_MODELS[(route.method, route.path)]
    return RouteSpec.of(
        route,
        upstream="compliance",
        error_codes=c.ERROR_CODES,
        body=models.body,
        query=models.query,
        response=models.response,
        path_types=_PATH_TYPES,
        tags=(models.tag,),
        idempotent=models.idempotent,
        status_code=models.status_code,
        media_type=models.media_type,
    )


COMPLIANCE_ROUTES: tuple[RouteSpec, ...] = tuple(_spec(route) for route in c.ROUTES)
