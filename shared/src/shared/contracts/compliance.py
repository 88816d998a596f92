"""The compliance service's HTTP contract: models, routes and error codes.

The compliance service serves these routes (internal; every one needs the gateway's
``X-Canopy-Identity`` token); the gateway exposes each under ``/api`` with the same permission.
JSON field names are camelCase, quantities decimal strings, times aware UTC. Writes take an
``Idempotency-Key`` header: a replay with the same key and body returns the first answer.

Permissions: ``compliance:manage`` for what configures the Metrc integration (jurisdiction rules,
API keys), ``compliance:sync`` for pushing and reading what was pushed (manual pushes, retries,
dismissals, the ledger, the sync log, notifications, health). A batch's Metrc link is part of the
batch detail and needs ``inventory:read`` (and the batch's site).
"""

from __future__ import annotations

from typing import Final

from shared.contracts._compliance_models import (
    BatchCompliance,
    BatchLink,
    CredentialsSave,
    CredentialsView,
    KeyStatus,
    LedgerQuery,
    LicenseHealth,
    LinkState,
    ManualPushResult,
    MetrcProblem,
    NotificationKind,
    NotificationQuery,
    NotificationView,
    PackageSourceView,
    PlantBatchLink,
    PlantBatchMetrcState,
    Program,
    RetryRequest,
    RetryResult,
    RotationResult,
    RulesSaveResult,
    Severity,
    SiteRules,
    SiteRulesSave,
    SubmissionKind,
    SubmissionPage,
    SubmissionState,
    SubmissionView,
    SyncDirection,
    SyncLogEntryView,
    SyncLogPage,
    SyncLogQuery,
    SyncStatus,
    WaitReason,
)
from shared.contracts._compliance_reconciliation_models import (
    Evidence,
    FindingClass,
    FindingDecision,
    FindingPage,
    FindingQuery,
    FindingState,
    FindingView,
    FixAction,
    FixApproval,
    FixKind,
    FixView,
    MonthEndQuery,
    MonthEndReport,
    ReconciliationRunView,
    ReconciliationStarted,
)
from shared.contracts._compliance_sync_models import (
    SyncAlert,
    SyncHealthView,
    SyncRequest,
    SyncRunState,
    SyncRunTrigger,
    SyncRunView,
    SyncStarted,
    SyncType,
    SyncTypeHealth,
)
from shared.contracts._compliance_transfers import TRANSFER_MANIFEST_ROUTES, TransferManifest
from shared.contracts.routes import IDEMPOTENCY_KEY_HEADER, EverySite, Route

__all__ = [
    "ERROR_CODES",
    "IDEMPOTENCY_KEY_HEADER",
    "MANAGE",
    "ROUTES",
    "SYNC",
    "BatchCompliance",
    "BatchLink",
    "CredentialsSave",
    "CredentialsView",
    "Evidence",
    "FindingClass",
    "FindingDecision",
    "FindingPage",
    "FindingQuery",
    "FindingState",
    "FindingView",
    "FixAction",
    "FixApproval",
    "FixKind",
    "FixView",
    "KeyStatus",
    "LedgerQuery",
    "LicenseHealth",
    "LinkState",
    "ManualPushResult",
    "MetrcProblem",
    "MonthEndQuery",
    "MonthEndReport",
    "NotificationKind",
    "NotificationQuery",
    "NotificationView",
    "PackageSourceView",
    "PlantBatchLink",
    "PlantBatchMetrcState",
    "Program",
    "ReconciliationRunView",
    "ReconciliationStarted",
    "RetryRequest",
    "RetryResult",
    "RotationResult",
    "Route",
    "RulesSaveResult",
    "Severity",
    "SiteRules",
    "SiteRulesSave",
    "SubmissionKind",
    "SubmissionPage",
    "SubmissionState",
    "SubmissionView",
    "SyncAlert",
    "SyncDirection",
    "SyncHealthView",
    "SyncLogEntryView",
    "SyncLogPage",
    "SyncLogQuery",
    "SyncRequest",
    "SyncRunState",
    "SyncRunTrigger",
    "SyncRunView",
    "SyncStarted",
    "SyncStatus",
    "SyncType",
    "SyncTypeHealth",
    "TransferManifest",
    "WaitReason",
]

SYNC: Final = "compliance:sync"
MANAGE: Final = "compliance:manage"

_C = "/v1/compliance"
_LICENSE = f"{_C}/credentials/{{licenseNumber}}"
# A license, its keys, its queue and its reconciliation span its sites: those routes are for
# callers granted every site; the ledger and the sync log also serve one site by its siteId.
_LICENSE_WIDE = EverySite.ALWAYS
_UNLESS_SITE = EverySite.WITHOUT_SITE_ID

ROUTES: Final[tuple[Route, ...]] = (
    # jurisdictions and sites
    Route("GET", f"{_C}/rules", MANAGE, "Every site's jurisdiction rules"),
    Route("GET", f"{_C}/rules/{{siteId}}", MANAGE, "A site's jurisdiction rules"),
    Route(
        "PUT",
        f"{_C}/rules/{{siteId}}",
        MANAGE,
        "Save a site's jurisdiction rules (validated, names checked against Metrc)",
    ),
    # credentials
    Route(
        "GET",
        f"{_C}/credentials",
        MANAGE,
        "Every license's Metrc keys: hints and status",
        _LICENSE_WIDE,
    ),
    Route(
        "GET",
        _LICENSE,
        MANAGE,
        "A license's Metrc keys: hints and status, never the keys",
        _LICENSE_WIDE,
    ),
    Route(
        "PUT",
        _LICENSE,
        MANAGE,
        "Save a license's Metrc keys (validated against Metrc)",
        _LICENSE_WIDE,
    ),
    Route(
        "POST",
        f"{_LICENSE}/validate",
        MANAGE,
        "Validate a license's keys against Metrc now",
        _LICENSE_WIDE,
    ),
    Route(
        "POST",
        f"{_C}/credentials/rotate",
        MANAGE,
        "Seal every key again under the current encryption key",
        _LICENSE_WIDE,
    ),
    # manual operations
    Route("POST", f"{_C}/batches/{{batchId}}/push", SYNC, "Push a batch to Metrc now"),
    Route(
        "POST",
        f"{_C}/licenses/{{licenseNumber}}/retry",
        SYNC,
        "Retry the rejected and failed pushes of a license (the ones named, or all)",
        _LICENSE_WIDE,
    ),
    Route(
        "POST",
        f"{_C}/submissions/{{submissionId}}/dismiss",
        SYNC,
        "Settle a rejected or failed push by hand",
        _LICENSE_WIDE,
    ),
    # what was pushed
    Route(
        "GET",
        f"{_C}/batches/{{batchId}}",
        SYNC,
        "A batch's Metrc link and every write of its package, with why each waits",
    ),
    Route(
        "GET",
        "/v1/batches/{batchId}/metrc-link",
        "inventory:read",
        "The batch detail's Metrc link and the state of its last push",
    ),
    Route(
        "GET",
        "/v1/plant-batches/{plantBatchId}/metrc-link",
        "inventory:read",
        "A plant batch's Metrc id, the state of its create and every write of it",
    ),
    Route(
        "GET",
        f"{_C}/submissions",
        SYNC,
        "The submission ledger, newest first (cursor)",
        _UNLESS_SITE,
    ),
    Route("GET", f"{_C}/sync-log", SYNC, "The sync log, newest first (cursor)", _UNLESS_SITE),
    Route(
        "GET",
        f"{_C}/notifications",
        SYNC,
        "The compliance team's notifications, newest first",
        _LICENSE_WIDE,
    ),
    Route(
        "GET", f"{_C}/health", SYNC, "Sync health of every license: queue and keys", _LICENSE_WIDE
    ),
    # pull sync
    Route(
        "POST",
        f"{_C}/sync",
        SYNC,
        "Sync with Metrc: pull the chosen types of a site's license (joins a running sync)",
    ),
    Route("GET", f"{_C}/sync/runs/{{runId}}", SYNC, "A sync run: its progress, or its report"),
    Route(
        "GET",
        f"{_C}/sync/runs/{{runId}}/events",
        SYNC,
        "A sync run's progress as server-sent events, ending with its report",
    ),
    Route(
        "GET",
        f"{_C}/licenses/{{licenseNumber}}/sync-health",
        SYNC,
        "A license's sync health: queue, failures by class, GET budget, last pulls, keys",
        _LICENSE_WIDE,
    ),
    # reconciliation
    Route(
        "POST",
        f"{_C}/licenses/{{licenseNumber}}/reconciliation",
        SYNC,
        "Reconcile a license now: Canopy, Metrc's mirror and the queued writes side by side",
        _LICENSE_WIDE,
    ),
    Route(
        "GET",
        f"{_C}/licenses/{{licenseNumber}}/reconciliation/runs",
        SYNC,
        "A license's recent reconciliation runs, newest first",
        _LICENSE_WIDE,
    ),
    Route(
        "GET",
        f"{_C}/licenses/{{licenseNumber}}/findings",
        SYNC,
        "A license's reconciliation findings, newest first (cursor)",
        _LICENSE_WIDE,
    ),
    Route(
        "GET",
        f"{_C}/findings/{{findingId}}",
        SYNC,
        "A finding: its class, evidence and fix",
        _LICENSE_WIDE,
    ),
    Route(
        "POST",
        f"{_C}/findings/{{findingId}}/approve",
        MANAGE,
        "Approve a finding's fix: it is applied and recorded (who, when, what it did)",
        _LICENSE_WIDE,
    ),
    Route(
        "POST",
        f"{_C}/findings/{{findingId}}/reject",
        MANAGE,
        "Reject a finding's fix: nothing changes, the decision is recorded",
        _LICENSE_WIDE,
    ),
    Route(
        "GET",
        f"{_C}/licenses/{{licenseNumber}}/reconciliation/report",
        SYNC,
        "Month-end reconciliation of a license as of a date: every finding and its fix",
        _LICENSE_WIDE,
    ),
    Route(
        "GET",
        f"{_C}/licenses/{{licenseNumber}}/reconciliation/report/export",
        SYNC,
        "The month-end reconciliation as CSV",
        _LICENSE_WIDE,
    ),
    # outgoing transfer manifests
    *TRANSFER_MANIFEST_ROUTES,
)
"""Every internal route of the compliance API (health, readiness and metrics aside)."""

ERROR_CODES: Final[dict[str, tuple[int, str]]] = {
    "RULES_NOT_FOUND": (
        404,
        "The site has no jurisdiction rules: set them under Compliance > Rules "
        "(PUT /compliance/rules/{siteId}); details.fix names the screen, route and permission",
    ),
    "CREDENTIALS_NOT_FOUND": (
        404,
        "The license has no Metrc keys: save them under Compliance > API keys "
        "(PUT /compliance/credentials/{licenseNumber}); details.fix names them",
    ),
    "BATCH_NOT_TRACKED": (404, "Compliance has not heard of the batch (or its site is not yours)"),
    "PLANT_BATCH_NOT_TRACKED": (
        404,
        "Compliance has no Metrc write of the plant batch (or its site is not yours)",
    ),
    "SUBMISSION_NOT_FOUND": (404, "No such submission (of that license)"),
    "SUBMISSION_STATE_CONFLICT": (409, "The submission is not in a state that allows it"),
    "SYNC_RUN_NOT_FOUND": (404, "No such sync run (or its site is not yours)"),
    "FINDING_NOT_FOUND": (404, "No such reconciliation finding (or its site is not yours)"),
    "FINDING_STATE_CONFLICT": (409, "The finding is already decided"),
    "FIX_NOT_APPLICABLE": (409, "The fix is not one Canopy applies, or it needs a batchId"),
    "FIX_FAILED": (409, "Applying the fix was refused; the finding stays open with why"),
    "INVENTORY_UNAVAILABLE": (503, "Inventory did not answer; the finding stays open"),
    "TRANSFER_NOT_TRACKED": (
        404,
        "Compliance has not heard of the transfer (or its site is not yours)",
    ),
    "MANIFEST_NOT_REGISTERED": (409, "The transfer's template is not a Metrc manifest yet"),
    "SITE_NOT_METRC": (
        422,
        "The site's rules name no Metrc license and URL: nothing to sync (add them under "
        "Compliance > Rules if the site reports to Metrc)",
    ),
    "INVALID_JURISDICTION_RULES": (422, "The rules break a rule (details list every field)"),
    "INVALID_CREDENTIALS": (422, "The keys, state or addresses are malformed"),
    "METRC_UNAVAILABLE": (503, "Metrc did not answer; nothing changed"),
    "VALIDATION_ERROR": (422, "The request breaks a field rule (details list every problem)"),
    "IDEMPOTENCY_KEY_REUSED": (422, "The Idempotency-Key was used with a different request"),
    "MALFORMED_JSON": (400, "The body is not JSON"),
    "UNSUPPORTED_MEDIA_TYPE": (415, "The body is not sent as application/json"),
    "UNAUTHENTICATED": (401, "No valid identity token from the gateway"),
    "PERMISSION_DENIED": (403, "The identity lacks the route's permission"),
    "SITE_ACCESS_DENIED": (403, "The identity is not granted the site named in the request"),
    "INTERNAL_ERROR": (500, "A bug or corrupt data; the request id identifies it in the logs"),
}
"""Every error code the compliance API answers with: HTTP status and meaning."""
