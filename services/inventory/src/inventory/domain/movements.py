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
from typing import Final

from shared.contracts.inventory_enums import AdjustmentReason, Bucket, MovementType

from inventory.domain.buckets import PHYSICAL_BUCKETS
from inventory.domain.errors import InvariantViolationError, ValidationError
from inventory.domain.quantities import is_quantized

MAX_REFERENCE_TYPE_LENGTH: Final = 50
"""The spec stores referenceType as VARCHAR(50)."""


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
        if self.location_id is not None and self.bucket not in PHYSICAL_BUCKETS:
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
