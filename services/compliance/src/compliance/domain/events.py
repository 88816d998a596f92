"""What compliance tells the rest of Canopy, on ``compliance.events`` keyed by batch id.

These are the domain's facts; the outbox adapter turns each into its registered event type
(``event_type``) in ``shared.events.compliance``. Reporting shows compliance status from them,
and the batch detail shows its Metrc link and the state of its last push without reading
compliance's tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import ClassVar
from uuid import UUID

from compliance.domain.batches import (
    FromBatches,
    FromHarvest,
    OpeningBalance,
    PackageSource,
    ReceivedByTransfer,
)
from compliance.domain.links import PackageLink
from compliance.domain.submissions import (
    AdjustPackage,
    CreatePackage,
    IngredientDraw,
    LinkPackage,
    Submission,
    SubmissionState,
    TransferOut,
)

__all__ = [
    "ComplianceEvent",
    "PackageLinkChanged",
    "PushAccepted",
    "PushDismissed",
    "PushFailed",
    "PushPlanned",
    "PushRejected",
    "PushRetried",
    "SubmissionEvent",
    "link_changed",
    "source_kind",
    "submission_event",
]


@dataclass(frozen=True, kw_only=True)
class ComplianceEvent:
    event_type: ClassVar[str]

    batch_id: UUID
    site_id: UUID
    license_number: str | None
    occurred_at: datetime
    actor: str


@dataclass(frozen=True, kw_only=True)
class PackageLinkChanged(ComplianceEvent):
    """The batch's Metrc link: state, tag, Metrc package id, and why it is not tracked."""

    event_type: ClassVar[str] = "compliance.package_link_changed"

    state: str
    tag: str | None
    metrc_package_id: int | None
    source: str | None
    problem_code: str | None
    problem_message: str | None
    guidance: str | None


@dataclass(frozen=True, kw_only=True)
class SubmissionEvent(ComplianceEvent):
    submission_id: UUID
    sequence: int
    kind: str
    state: str
    attempts: int
    quantity: Decimal | None
    unit: str | None
    tag: str | None
    metrc_ids: tuple[int, ...]
    error_code: str | None
    error_message: str | None
    guidance: str | None
    created_at: datetime
    first_sent_at: datetime | None
    completed_at: datetime | None


@dataclass(frozen=True, kw_only=True)
class PushPlanned(SubmissionEvent):
    event_type: ClassVar[str] = "compliance.push_planned"


@dataclass(frozen=True, kw_only=True)
class PushAccepted(SubmissionEvent):
    event_type: ClassVar[str] = "compliance.push_accepted"


@dataclass(frozen=True, kw_only=True)
class PushRejected(SubmissionEvent):
    event_type: ClassVar[str] = "compliance.push_rejected"


@dataclass(frozen=True, kw_only=True)
class PushFailed(SubmissionEvent):
    event_type: ClassVar[str] = "compliance.push_failed"


@dataclass(frozen=True, kw_only=True)
class PushRetried(SubmissionEvent):
    event_type: ClassVar[str] = "compliance.push_retried"


@dataclass(frozen=True, kw_only=True)
class PushDismissed(SubmissionEvent):
    event_type: ClassVar[str] = "compliance.push_dismissed"


def source_kind(source: PackageSource | None) -> str | None:
    if isinstance(source, ReceivedByTransfer):
        return "TRANSFER"
    if isinstance(source, FromBatches):
        return "BATCHES"
    if isinstance(source, OpeningBalance):
        return "OPENING_BALANCE"
    if isinstance(source, FromHarvest):
        return "HARVEST"
    return None


def link_changed(link: PackageLink, *, at: datetime, actor: str) -> PackageLinkChanged:
    return PackageLinkChanged(
        batch_id=link.batch_id,
        site_id=link.site_id,
        license_number=link.license_number,
        occurred_at=at,
        actor=actor,
        state=link.state.value,
        tag=link.tag,
        metrc_package_id=link.metrc_package_id,
        source=source_kind(link.source),
        problem_code=link.problem.code.value if link.problem else None,
        problem_message=link.problem.message if link.problem else None,
        guidance=link.problem.guidance if link.problem else None,
    )


_BY_STATE: dict[SubmissionState, type[SubmissionEvent]] = {
    SubmissionState.PENDING: PushPlanned,
    SubmissionState.ACCEPTED: PushAccepted,
    # Settled by a manifest, with no Metrc write of its own: done, like an applied push.
    SubmissionState.SETTLED: PushAccepted,
    SubmissionState.REJECTED: PushRejected,
    SubmissionState.FAILED: PushFailed,
}


def submission_event(
    s: Submission,
    *,
    at: datetime,
    actor: str,
    event: type[SubmissionEvent] | None = None,
) -> SubmissionEvent:
    """The event for ``s`` as it now stands (by default the one its state calls for)."""
    cls = event or _BY_STATE[s.state]
    intent = s.intent
    quantity: Decimal | None = None
    unit: str | None = None
    if isinstance(intent, CreatePackage | LinkPackage | AdjustPackage):
        quantity, unit = intent.quantity, intent.unit
    elif isinstance(intent, TransferOut | IngredientDraw):
        quantity = intent.quantity
    error = s.last_error
    return cls(
        batch_id=s.batch_id,
        site_id=s.site_id,
        license_number=s.license_number,
        occurred_at=at,
        actor=actor,
        submission_id=s.id,
        sequence=s.sequence,
        kind=s.kind.value,
        state=s.state.value,
        attempts=s.attempts,
        quantity=quantity,
        unit=unit,
        tag=s.tag,
        metrc_ids=s.metrc_ids,
        error_code=error.code.value if error else None,
        error_message=error.message if error else None,
        guidance=error.guidance if error else None,
        created_at=s.created_at,
        first_sent_at=s.first_sent_at,
        completed_at=s.completed_at,
    )
