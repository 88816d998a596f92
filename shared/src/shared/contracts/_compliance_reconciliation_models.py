"""Models of the compliance API's reconciliation (private; import from
``shared.contracts.compliance``): running it, its findings and their fixes, approving or
rejecting a fix, and the month-end report."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from uuid import UUID

from pydantic import Field

from shared.contracts._compliance_models import Cursor
from shared.contracts.types import ApiModel, DecimalString, UtcDateTime

__all__ = [
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
    "MonthEndQuery",
    "MonthEndReport",
    "ReconciliationRunView",
    "ReconciliationStarted",
]


class FindingClass(StrEnum):
    PENDING_PUSH = "PENDING_PUSH"
    PUSH_FAILED = "PUSH_FAILED"
    CHANGED_IN_METRC = "CHANGED_IN_METRC"
    QUANTITY_DIFFERS = "QUANTITY_DIFFERS"
    MISSING_IN_METRC = "MISSING_IN_METRC"
    MISSING_IN_CANOPY = "MISSING_IN_CANOPY"
    UNIT_OR_ITEM_MISMATCH = "UNIT_OR_ITEM_MISMATCH"
    KEY_OR_PERMISSION = "KEY_OR_PERMISSION"
    EQUAL_AND_OPPOSITE = "EQUAL_AND_OPPOSITE"


class FindingState(StrEnum):
    OPEN = "OPEN"
    APPLYING = "APPLYING"
    APPLIED = "APPLIED"
    REJECTED = "REJECTED"
    SETTLED = "SETTLED"


class FixKind(StrEnum):
    WAIT = "WAIT"
    RETRY_PUSH = "RETRY_PUSH"
    PUSH_ADJUSTMENT = "PUSH_ADJUSTMENT"
    LOCAL_MOVEMENT = "LOCAL_MOVEMENT"
    LINK_PACKAGE = "LINK_PACKAGE"
    REMAP_ITEM = "REMAP_ITEM"
    REMAP_UNIT = "REMAP_UNIT"
    PUSH_PACKAGE = "PUSH_PACKAGE"
    REPLACE_KEYS = "REPLACE_KEYS"


class Evidence(ApiModel):
    kind: str = Field(description="METRC_ADJUSTMENT, SUBMISSION, PULL_ERROR or METRC_PACKAGE")
    key: str = Field(description="The Metrc adjustment's mirror key, submission id, feed, tag")
    summary: str


class FixAction(ApiModel):
    """One change of the fix; which fields are set depends on its kind."""

    batch_id: UUID | None = None
    quantity: DecimalString | None = Field(
        default=None,
        description="PUSH_ADJUSTMENT: the Metrc adjustment; LOCAL_MOVEMENT: the Canopy "
        "movement; LINK_PACKAGE: Metrc's quantity",
    )
    submission_ids: list[UUID] = Field(default_factory=list)
    tag: str | None = None
    metrc_package_id: int | None = None
    site_id: UUID | None = None
    product_id: str | None = None
    canopy_unit: str | None = None
    metrc_name: str | None = Field(default=None, description="REMAP_*: Metrc's item or unit")


class FixView(ApiModel):
    kind: FixKind
    description: str
    applicable: bool = Field(description="False for WAIT and REPLACE_KEYS: nothing to approve")
    actions: list[FixAction]


class FindingView(ApiModel):
    id: UUID
    license_number: str
    finding_class: FindingClass
    state: FindingState
    site_id: UUID | None = None
    batch_ids: list[UUID]
    tags: list[str]
    unit: str | None = None
    canopy_quantity: DecimalString | None = Field(
        default=None, description="Inventory's physical quantity (onHand + quarantine + defective)"
    )
    metrc_quantity: DecimalString | None = Field(
        default=None, description="What the mirror of Metrc holds (absent: no package)"
    )
    pending_quantity: DecimalString | None = Field(
        default=None, description="Net effect of the writes still queued for the package"
    )
    message: str
    fix: FixView
    evidence: list[Evidence]
    opened_at: UtcDateTime
    updated_at: UtcDateTime
    decided_by: str | None = None
    decided_at: UtcDateTime | None = None
    decision_note: str | None = None
    applied: dict[str, object] | None = Field(
        default=None, description="What applying the fix did (submissions, movements, maps)"
    )
    error: str | None = Field(default=None, description="Why the last approval's fix failed")
    settled_at: UtcDateTime | None = None


class FindingQuery(ApiModel):
    state: list[FindingState] = Field(default_factory=list)
    finding_class: list[FindingClass] = Field(default_factory=list)
    limit: int = Field(default=100, ge=1, le=500)
    cursor: Cursor | None = None


class FindingPage(ApiModel):
    """Newest first; pass ``nextCursor`` back as ``cursor`` for the next page."""

    items: list[FindingView]
    next_cursor: str | None = None
    has_more: bool


class ReconciliationRunView(ApiModel):
    id: UUID
    license_number: str
    actor: str
    started_at: UtcDateTime
    finished_at: UtcDateTime
    lots: int = Field(description="Tracked batches compared")
    packages: int = Field(description="Metrc packages in the mirror")
    opened: int
    updated: int
    settled: int
    by_class: dict[str, int] = Field(description="Findings of this run per class")
    duration_ms: int


class ReconciliationStarted(ApiModel):
    """The run and every undecided finding of the license after it."""

    run: ReconciliationRunView
    findings: list[FindingView]


class FixApproval(ApiModel):
    batch_id: UUID | None = Field(
        default=None,
        description="LINK_PACKAGE without a proposed batch: the batch to link the package to",
    )
    note: str | None = Field(default=None, max_length=500)


class FindingDecision(ApiModel):
    note: str | None = Field(default=None, max_length=500)


class MonthEndQuery(ApiModel):
    as_of: dt.date = Field(
        description="The report's date: findings opened by the end of this day (the "
        "facility's time zone), each as it stood then"
    )


class MonthEndReport(ApiModel):
    license_number: str
    as_of: UtcDateTime = Field(description="The end of the report's date, as an instant")
    totals: dict[str, int] = Field(description="Findings per state")
    rows: list[dict[str, str]] = Field(
        description="findingId, class, state, tags, batchIds, unit, canopyQuantity, "
        "metrcQuantity, pendingQuantity, fix, fixApplied, approvedBy, decidedAt, openedAt, "
        "message, evidence (the CSV's columns)"
    )
