"""The working copy of a batch's quantities during one operation (private).

An operation posts movements to a :class:`Draft`; each post updates the draft's buckets,
locations and reservations and records the movement with a correct before/after chain.
Nothing touches the batch until the operation hands the finished draft to the batch,
which is why a failing operation changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from shared.contracts.inventory_enums import AdjustmentReason, Bucket, MovementType

from inventory.domain.buckets import PHYSICAL_BUCKETS, Buckets
from inventory.domain.errors import (
    InsufficientAtLocationError,
    InvalidQuantityError,
    InvariantViolationError,
)
from inventory.domain.events import BatchEvent, EventCommon
from inventory.domain.movements import Movement, Reference
from inventory.domain.quantities import MAX_QUANTITY, QuantityMap


class Draft:
    """Buckets, locations and reservations being changed by one operation, plus the
    movements and events the operation has produced so far."""

    def __init__(
        self,
        *,
        batch_id: str,
        version: int,
        buckets: Buckets,
        locations: QuantityMap[str],
        reservations: QuantityMap[Reference],
        actor: str,
        occurred_at: datetime,
    ) -> None:
        self.batch_id = batch_id
        self.version = version
        self.buckets = buckets
        self.locations = locations
        self.reservations = reservations
        self.actor = actor
        self.occurred_at = occurred_at
        self.movements: list[Movement] = []
        self.events: list[BatchEvent] = []

    def post(
        self,
        *,
        bucket: Bucket,
        change: Decimal,
        movement_type: MovementType,
        location_id: str | None = None,
        reason: AdjustmentReason | None = None,
        notes: str | None = None,
        reference: Reference | None = None,
    ) -> Movement:
        """Apply ``change`` to ``bucket`` (and to ``location_id``'s quantity when given)
        and record the movement.

        RESERVED is refused here (use :meth:`post_reservation`). Callers validate first
        and raise the user-facing error; the checks here are the last line of defence,
        except the location and overflow checks, which are the real ones.

        Raises:
            InsufficientAtLocationError: The location holds less than a negative change.
            InvalidQuantityError: The bucket would exceed what NUMERIC(15,4) stores.
            InvariantViolationError: The bucket would go negative (a domain bug).
        """
        if bucket is Bucket.RESERVED:
            raise InvariantViolationError("reserved changes go through post_reservation")
        return self._apply(
            bucket=bucket,
            change=change,
            movement_type=movement_type,
            location_id=location_id,
            reason=reason,
            notes=notes,
            reference=reference,
        )

    def post_reservation(
        self,
        *,
        reference: Reference,
        change: Decimal,
        movement_type: MovementType,
        notes: str | None = None,
    ) -> Movement:
        """Change the RESERVED bucket and the reservation of ``reference`` together, so
        the reservations always add up to the bucket."""
        movement = self._apply(
            bucket=Bucket.RESERVED,
            change=change,
            movement_type=movement_type,
            location_id=None,
            reason=None,
            notes=notes,
            reference=reference,
        )
        self.reservations = self.reservations.with_change(reference, change)
        return movement

    def _apply(
        self,
        *,
        bucket: Bucket,
        change: Decimal,
        movement_type: MovementType,
        location_id: str | None,
        reason: AdjustmentReason | None,
        notes: str | None,
        reference: Reference | None,
    ) -> Movement:
        before = self.buckets.get(bucket)
        after = before + change
        if after < 0:
            raise InvariantViolationError(f"{bucket} would become {after}")
        # Locations hold the physical total, so that total must fit NUMERIC(15,4) too.
        total = self.buckets.physical + change if bucket in PHYSICAL_BUCKETS else after
        if after > MAX_QUANTITY or total > MAX_QUANTITY:
            raise InvalidQuantityError(
                f"{bucket} would exceed the largest storable quantity {MAX_QUANTITY}",
                field="quantity",
                value=str(change),
            )
        if location_id is not None:
            held = self.locations.quantity(location_id)
            if held + change < 0:
                raise InsufficientAtLocationError(
                    location_id=location_id, requested=-change, held=held
                )
            self.locations = self.locations.with_change(location_id, change)
        self.buckets = self.buckets.with_balance(bucket, after)
        movement = Movement(
            batch_id=self.batch_id,
            batch_version=self.version,
            sequence=len(self.movements),
            bucket=bucket,
            type=movement_type,
            change=change,
            before=before,
            after=after,
            location_id=location_id,
            reason=reason,
            notes=notes,
            reference=reference,
            actor=self.actor,
            occurred_at=self.occurred_at,
        )
        self.movements.append(movement)
        return movement

    def mark(self) -> int:
        """A position in the movement list, to hand an event the movements posted since."""
        return len(self.movements)

    def common(self, since: int) -> EventCommon:
        """The common event fields, with the movements posted since ``since``."""
        return EventCommon(
            batch_id=self.batch_id,
            version=self.version,
            occurred_at=self.occurred_at,
            actor=self.actor,
            movements=tuple(self.movements[since:]),
        )

    def emit(self, event: BatchEvent) -> None:
        """Record an event of this operation."""
        self.events.append(event)
