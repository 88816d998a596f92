"""What a reconciliation run reads (pure): a batch as compliance knows it, Metrc's package and
adjustments from the mirror, the writes still queued, and the pulls that could not read."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Final
from uuid import UUID

from compliance.domain.jurisdiction import JurisdictionRules
from compliance.domain.links import LinkState
from compliance.domain.submissions import CREATES_PACKAGE, SubmissionKind, SubmissionState

__all__ = [
    "CANOPY_MARKER",
    "KEY_ERROR_CODES",
    "Lot",
    "MetrcAdjustment",
    "MetrcPackage",
    "PendingWrite",
    "PullProblem",
    "ReconciliationInput",
    "write_effect",
]

CANOPY_MARKER: Final = "[canopy:"
"""Canopy's adjustments carry ``[canopy:<submission id>]`` in Metrc's note (``read_back``)."""
KEY_ERROR_CODES: Final = frozenset(
    {"KEY_OR_PERMISSION", "CREDENTIALS_INVALID", "CREDENTIALS_MISSING"}
)
"""Pull failures that mean the license's keys cannot read Metrc (not a passing outage)."""
_ZERO: Final = Decimal(0)


@dataclass(frozen=True, kw_only=True)
class Lot:
    """A batch as compliance knows it from inventory's events (its link)."""

    batch_id: UUID
    site_id: UUID
    code: str
    state: LinkState
    tag: str | None
    package_tag: str | None
    physical: Decimal
    unit: str
    product_id: str
    product_name: str
    version: int


@dataclass(frozen=True, kw_only=True)
class MetrcPackage:
    label: str
    metrc_id: int | None
    status: str
    quantity: Decimal | None
    unit: str | None
    item: str | None


@dataclass(frozen=True, kw_only=True)
class MetrcAdjustment:
    key: str
    label: str
    quantity: Decimal
    reason: str | None
    note: str | None
    date: str | None

    @property
    def by_canopy(self) -> bool:
        return self.note is not None and CANOPY_MARKER in self.note


@dataclass(frozen=True, kw_only=True)
class PendingWrite:
    """A submission that is not done: queued (``stopped`` False) or rejected/failed."""

    submission_id: UUID
    batch_id: UUID
    kind: SubmissionKind
    state: SubmissionState
    effect: Decimal
    """How much it changes the package's quantity in Metrc once applied."""

    @property
    def stopped(self) -> bool:
        return self.state in (SubmissionState.REJECTED, SubmissionState.FAILED)


def write_effect(kind: SubmissionKind, quantity: Decimal | None) -> Decimal:
    """What a write does to its package's quantity in Metrc (a link reads a package that is
    there already; a sale and a draw take stock out). Only open writes count: a sale settled by
    its manifest is done (accepted: the package left, ``departed``; rejected: it never left)."""
    q = quantity or _ZERO
    if kind in CREATES_PACKAGE or kind is SubmissionKind.ADJUST_PACKAGE:
        return q
    if kind in (SubmissionKind.TRANSFER_OUT, SubmissionKind.INGREDIENT_DRAW):
        return -q
    return _ZERO


@dataclass(frozen=True, kw_only=True)
class PullProblem:
    feed: str
    code: str
    message: str | None


@dataclass(frozen=True, kw_only=True)
class ReconciliationInput:
    license_number: str
    lots: Sequence[Lot]
    packages: Sequence[MetrcPackage]
    adjustments: Sequence[MetrcAdjustment]
    writes: Sequence[PendingWrite]
    rules: Mapping[UUID, JurisdictionRules]
    """Per site of the license."""
    pull_problems: Sequence[PullProblem] = ()
    """Package lists whose latest pull failed on the keys or permissions."""
    settled_evidence: frozenset[str] = frozenset()
    """Metrc adjustments an earlier decided finding already cited."""
    departed: frozenset[UUID] = frozenset()
    """Batches whose package left on a manifest the receiver accepted: Metrc's package is the
    receiver's now (the mirror may still hold its last look at it here)."""
