"""What a run finds (pure): a finding of one class, the evidence that classified it and the fix
it proposes. ``key`` names a finding across runs, so a run that sees it again updates it
(``lifecycle``) rather than opening a second."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from compliance.domain.reconciliation.fixes import Fix
from compliance.domain.reconciliation.inputs import Lot

__all__ = ["Evidence", "Finding", "FindingClass", "lot_finding"]


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


@dataclass(frozen=True, kw_only=True)
class Evidence:
    kind: str
    """``METRC_ADJUSTMENT``, ``SUBMISSION``, ``PULL_ERROR`` or ``METRC_PACKAGE``."""
    key: str
    summary: str


@dataclass(frozen=True, kw_only=True)
class Finding:
    """One difference. ``key`` names it across runs (class and subject), so a run that sees it
    again updates it rather than opening a second."""

    key: str
    finding_class: FindingClass
    license_number: str
    site_id: UUID | None
    batch_ids: tuple[UUID, ...]
    tags: tuple[str, ...]
    unit: str | None
    canopy_quantity: Decimal | None
    metrc_quantity: Decimal | None
    pending_quantity: Decimal | None
    message: str
    fix: Fix
    evidence: tuple[Evidence, ...] = field(default_factory=tuple)


def lot_finding(
    cls: FindingClass,
    license_number: str,
    lot: Lot,
    *,
    metrc: Decimal | None,
    pending: Decimal | None,
    message: str,
    fix: Fix,
    evidence: tuple[Evidence, ...] = (),
) -> Finding:
    """A finding about one tracked batch, keyed by its tag (or its id while it has none)."""
    tag = lot.tag or ""
    return Finding(
        key=f"{cls.value}:{tag or lot.batch_id}",
        finding_class=cls,
        license_number=license_number,
        site_id=lot.site_id,
        batch_ids=(lot.batch_id,),
        tags=(tag,) if tag else (),
        unit=lot.unit,
        canopy_quantity=lot.physical,
        metrc_quantity=metrc,
        pending_quantity=pending,
        message=message,
        fix=fix,
        evidence=evidence,
    )
