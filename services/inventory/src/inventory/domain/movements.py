"""Movements: the append-only, bucket-complete ledger of a batch.

Every change to any bucket of a batch is one :class:`Movement`. Movements are never
updated or deleted; a mistake is corrected by a compensating movement. Hence, per batch
and per bucket, the sum of the movements' changes equals the balance, and each movement's
``before`` is the previous movement's ``after`` (see :mod:`inventory.domain.ledger`).

Which movements carry a location: exactly those that change the batch's *physical*
quantity at a location (intake, sale, sample, return, disposal, adjustment of a physical
bucket, the two legs of a location transfer, the cancellation of an intake). Movements
that shift stock between buckets without moving it (QUARANTINE / RELEASE_FROM_QUARANTINE
pairs, DEFECTIVE pairs) and earmark movements (reserve/hold and their releases) carry
``location_id=None``. So, per location, the sum of the changes of the movements naming it
equals the quantity of the batch there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Final

from inventory.domain.buckets import Bucket
from inventory.domain.errors import InvariantViolationError, ValidationError
from inventory.domain.quantities import is_quantized

MAX_REFERENCE_TYPE_LENGTH: Final = 50
"""The spec stores referenceType as VARCHAR(50)."""


class MovementType(StrEnum):
    """Why a bucket changed. The first ten are the spec's; the rest make the ledger
    bucket-complete (the source system changed reserved/hold/defective without a trace)."""

    INTAKE = "INTAKE"
    """New stock received from a supplier (ON_HAND +)."""
    SALE = "SALE"
    """Stock sold; consumes the order's reservation (RESERVED -) and on-hand (ON_HAND -)."""
    RETURN = "RETURN"
    """Customer return without refund (the spec's legacy type) (ON_HAND or QUARANTINE +)."""
    REFUND_RETURN = "REFUND_RETURN"
    """Customer return with refund (ON_HAND or QUARANTINE +)."""
    ADJUSTMENT = "ADJUSTMENT"
    """Manual correction of a physical bucket with a reason (+/-)."""
    QUARANTINE = "QUARANTINE"
    """Pair: ON_HAND -x, QUARANTINE +x, when the batch becomes QUARANTINED."""
    RELEASE_FROM_QUARANTINE = "RELEASE_FROM_QUARANTINE"
    """Pair: QUARANTINE -x, ON_HAND +x, when a QUARANTINED batch goes back to LIVE."""
    DISPOSAL = "DISPOSAL"
    """Stock destroyed or written off with a reason (physical bucket -)."""
    TRANSFER = "TRANSFER"
    """Pair of legs, -x at the source location and +x at the destination, same bucket."""
    SAMPLE = "SAMPLE"
    """Stock sent out as a sample (ON_HAND -); samples leave the building."""
    RESERVE = "RESERVE"
    """Earmark stock for an order (RESERVED +)."""
    RELEASE_RESERVATION = "RELEASE_RESERVATION"
    """Drop an order's earmark without selling (RESERVED -)."""
    HOLD = "HOLD"
    """Put stock on hold (HOLD +)."""
    RELEASE_HOLD = "RELEASE_HOLD"
    """Take stock off hold (HOLD -)."""
    DEFECTIVE = "DEFECTIVE"
    """Pair: ON_HAND (or QUARANTINE) -x, DEFECTIVE +x."""
    CORRECTION = "CORRECTION"
    """Compensating movement; used when an intake is cancelled (AWAITING_INTAKE -> CLOSED)."""


class AdjustmentReason(StrEnum):
    """The spec's adjustment reasons; OTHER needs notes saying what the reason is."""

    DAMAGED = "DAMAGED"
    EXPIRED = "EXPIRED"
    LOST = "LOST"
    THEFT = "THEFT"
    COUNT_DISCREPANCY = "COUNT_DISCREPANCY"
    QUALITY_ISSUE = "QUALITY_ISSUE"
    REWEIGH = "REWEIGH"
    OTHER = "OTHER"


@dataclass(frozen=True, order=True)
class Reference:
    """What a movement relates to, e.g. ``Reference("ORDER", "1042")``.

    Reservations are keyed by their reference: the order that reserved stock releases or
    sells it by naming the same reference.
    """

    type: str
    id: str

    def __post_init__(self) -> None:
        if not self.type.strip() or not self.id.strip():
            raise ValidationError.single("reference", "reference type and id must not be blank")
        if len(self.type) > MAX_REFERENCE_TYPE_LENGTH:
            raise ValidationError.single(
                "reference.type", f"must be at most {MAX_REFERENCE_TYPE_LENGTH} characters"
            )

    def __str__(self) -> str:
        return f"{self.type} {self.id}"


@dataclass(frozen=True, kw_only=True)
class Movement:
    """One change to one bucket of one batch; an immutable ledger row.

    Attributes:
        batch_id: The batch whose bucket changed.
        batch_version: The batch version the operation produced; all movements of one
            operation share it, so ``(batch_id, batch_version, sequence)`` is unique.
        sequence: Position within the operation, from 0; orders movements of one version.
        bucket: The bucket that changed.
        type: Why it changed.
        change: Signed, never zero.
        before: The bucket's balance just before this movement.
        after: ``before + change``, never negative.
        location_id: Where the physical quantity changed (see module docstring), or None.
        reason: The adjustment reason, for ADJUSTMENT, DISPOSAL and DEFECTIVE movements.
        notes: Free text (the operator's notes, or the status-change reason).
        reference: Related entity (order, purchase order ...), if any.
        actor: Who performed the operation (never blank).
        occurred_at: When, as an aware UTC datetime (passed in, never read from a clock).
    """

    batch_id: str
    batch_version: int
    sequence: int
    bucket: Bucket
    type: MovementType
    change: Decimal
    before: Decimal
    after: Decimal
    location_id: str | None
    reason: AdjustmentReason | None
    notes: str | None
    reference: Reference | None
    actor: str
    occurred_at: datetime

    def __post_init__(self) -> None:
        # A movement that breaks these rules can only come from a domain bug or a corrupt
        # row; refusing to build it keeps either from spreading into balances.
        problems = []
        if not all(is_quantized(v) for v in (self.change, self.before, self.after)):
            problems.append("change/before/after must be 4-place Decimals")
        elif self.change == 0:
            problems.append("change must not be zero")
        elif self.before + self.change != self.after:
            problems.append("after must equal before + change")
        elif self.before < 0 or self.after < 0:
            problems.append("before and after must not be negative")
        if self.location_id is not None and not self.bucket.is_physical:
            problems.append(f"{self.bucket} movements carry no location")
        if self.batch_version < 1 or self.sequence < 0:
            problems.append("batch_version must be >= 1 and sequence >= 0")
        if self.occurred_at.utcoffset() != timedelta(0):
            problems.append("occurred_at must be an aware UTC datetime")
        if problems:
            raise InvariantViolationError(f"invalid movement: {'; '.join(problems)}")

    @property
    def changes_physical_quantity(self) -> bool:
        """True when this movement changes the stock at its location (it names one)."""
        return self.location_id is not None
