"""The records reconciliation reads and writes (pure): what it compares (a batch as compliance
knows it, Metrc's package and adjustments from the mirror, the writes still queued, the pulls
that could not read) and what it finds (a finding, its evidence and the fix it proposes). The
comparison itself is ``domain.reconciliation``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Final
from uuid import UUID

from compliance.domain.jurisdiction import JurisdictionRules
from compliance.domain.links import LinkState
from compliance.domain.submissions import CREATES_PACKAGE, SubmissionKind, SubmissionState

__all__ = [
    "APPLICABLE_FIXES",
    "CANOPY_MARKER",
    "KEY_ERROR_CODES",
    "MOVEMENT_REASON",
    "Evidence",
    "Finding",
    "FindingClass",
    "Fix",
    "FixAction",
    "FixKind",
    "Lot",
    "MetrcAdjustment",
    "MetrcPackage",
    "PendingWrite",
    "PullProblem",
    "ReconciliationInput",
    "marked_finding",
    "movement_marker",
    "write_effect",
]

CANOPY_MARKER: Final = "[canopy:"
"""Canopy's adjustments carry ``[canopy:<submission id>]`` in Metrc's note (``read_back``)."""
MOVEMENT_REASON: Final = "COUNT_DISCREPANCY"
KEY_ERROR_CODES: Final = frozenset(
    {"KEY_OR_PERMISSION", "CREDENTIALS_INVALID", "CREDENTIALS_MISSING"}
)
"""Pull failures that mean the license's keys cannot read Metrc (not a passing outage)."""
_ZERO: Final = Decimal(0)


def movement_marker(finding_id: UUID) -> str:
    """What a local movement's notes carry, so the planner knows Metrc already holds it."""
    return f"{_MOVEMENT_PREFIX}{finding_id}]"


_MOVEMENT_PREFIX: Final = "[reconciliation:"


def marked_finding(notes: str | None) -> UUID | None:
    """The finding a movement's notes name (``movement_marker``), if any."""
    if not notes or _MOVEMENT_PREFIX not in notes:
        return None
    start = notes.index(_MOVEMENT_PREFIX) + len(_MOVEMENT_PREFIX)
    try:
        return UUID(notes[start : start + 36])
    except ValueError:
        return None


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


class FixKind(StrEnum):
    WAIT = "WAIT"
    """Nothing to do: the queued writes settle it."""
    RETRY_PUSH = "RETRY_PUSH"
    PUSH_ADJUSTMENT = "PUSH_ADJUSTMENT"
    LOCAL_MOVEMENT = "LOCAL_MOVEMENT"
    LINK_PACKAGE = "LINK_PACKAGE"
    REMAP_ITEM = "REMAP_ITEM"
    REMAP_UNIT = "REMAP_UNIT"
    PUSH_PACKAGE = "PUSH_PACKAGE"
    REPLACE_KEYS = "REPLACE_KEYS"
    """Outside Canopy's reach: a person saves working keys, then syncs."""


APPLICABLE_FIXES: Final = frozenset(FixKind) - {FixKind.WAIT, FixKind.REPLACE_KEYS}


# --- what reconciliation reads ----------------------------------------------------------------


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
    there already; a sale and a draw take stock out)."""
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


# --- what it finds ----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Evidence:
    kind: str
    """``METRC_ADJUSTMENT``, ``SUBMISSION``, ``PULL_ERROR`` or ``METRC_PACKAGE``."""
    key: str
    summary: str


@dataclass(frozen=True, kw_only=True)
class FixAction:
    """One change a fix makes; which fields matter depends on the fix's kind."""

    batch_id: UUID | None = None
    quantity: Decimal | None = None
    submission_ids: tuple[UUID, ...] = ()
    tag: str | None = None
    metrc_package_id: int | None = None
    site_id: UUID | None = None
    product_id: str | None = None
    canopy_unit: str | None = None
    metrc_name: str | None = None
    version: int | None = None


@dataclass(frozen=True, kw_only=True)
class Fix:
    kind: FixKind
    description: str
    actions: tuple[FixAction, ...] = ()

    @property
    def applicable(self) -> bool:
        return self.kind in APPLICABLE_FIXES


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
