"""Reservations, holds, sales, returns and samples (private; see ``Batch``)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from shared.contracts.inventory_enums import BatchStatus, Bucket, MovementType

from inventory.domain import _checks
from inventory.domain._batch_core import BatchCore, OperationResult
from inventory.domain._draft import Draft
from inventory.domain.errors import InsufficientAvailableError, ReservationNotFoundError
from inventory.domain.events import (
    HoldReleased,
    ReservationReleased,
    SampleSent,
    StockHeld,
    StockReserved,
    StockReturned,
    StockSold,
)
from inventory.domain.movements import Reference
from inventory.domain.quantities import QuantityInput, to_positive_quantity
from inventory.domain.status import SELLABLE_STATUSES

_HOLDABLE_STATUSES = SELLABLE_STATUSES | {BatchStatus.ON_HOLD}
# Returned stock joins on-hand, or quarantine when the whole batch is quarantined.
_RETURNABLE_STATUSES = _HOLDABLE_STATUSES | {BatchStatus.QUARANTINED}


class SalesOperations(BatchCore):
    """Operations on earmarks (reservations, holds) and stock leaving or coming back
    through sales: reserve, release_reservation, sell, receive_return, send_sample,
    hold, release_hold."""

    def reserve(
        self,
        *,
        quantity: QuantityInput,
        reference: Reference,
        actor: str,
        occurred_at: datetime,
        notes: str | None = None,
    ) -> OperationResult:
        """Earmark available stock for ``reference`` (an order); adds to any reservation
        the reference already has. One RESERVE movement.

        Raises:
            InvalidQuantityError: Not a positive quantity.
            OperationNotAllowedError: The batch is not LIVE or PHOTOGRAPHY_COMPLETE.
            InsufficientAvailableError: More than is available.
        """
        draft = self._begin(actor, occurred_at)
        amount = to_positive_quantity(quantity)
        self._require_status(SELLABLE_STATUSES, "reserve stock")
        self._require_available(amount)
        draft.post_reservation(
            reference=reference,
            change=amount,
            movement_type=MovementType.RESERVE,
            notes=_checks.optional_text(notes),
        )
        draft.emit(StockReserved(**draft.common(0), reference=reference, quantity=amount))
        return self._commit(draft)

    def release_reservation(
        self,
        *,
        reference: Reference,
        actor: str,
        occurred_at: datetime,
        quantity: QuantityInput | None = None,
        notes: str | None = None,
    ) -> OperationResult:
        """Drop all (default) or part of ``reference``'s reservation without a sale.
        Allowed in any status that is not closed. One RELEASE_RESERVATION movement.

        Raises:
            ReservationNotFoundError: ``reference`` has no reservation on this batch.
            InvalidQuantityError: Not a positive quantity.
            InsufficientAvailableError: More than the reservation holds.
        """
        draft = self._begin(actor, occurred_at)
        held = draft.reservations.quantity(reference)
        if held == 0:
            raise ReservationNotFoundError(reference_type=reference.type, reference_id=reference.id)
        amount = held if quantity is None else to_positive_quantity(quantity)
        if amount > held:
            raise InsufficientAvailableError(
                source=f"reservation {reference}", requested=amount, available=held
            )
        release_reservation_in(draft, reference, amount, _checks.optional_text(notes))
        return self._commit(draft)

    def sell(
        self,
        *,
        quantity: QuantityInput,
        reference: Reference,
        actor: str,
        occurred_at: datetime,
        location_id: str | None = None,
        notes: str | None = None,
    ) -> OperationResult:
        """Sell stock for ``reference`` (the order). The sale first consumes the
        reference's reservation; anything beyond it must be available. Writes a SALE on
        reserved for the consumed reservation and a SALE on on-hand for the whole quantity,
        taken from ``location_id`` (default: the primary location).

        Raises:
            InvalidQuantityError: Not a positive quantity.
            ValidationError: Blank location.
            OperationNotAllowedError: The batch is not LIVE or PHOTOGRAPHY_COMPLETE.
            InsufficientAvailableError: More than the reservation plus what is available.
            InsufficientAtLocationError: The location holds less than the quantity.
        """
        draft = self._begin(actor, occurred_at)
        amount = to_positive_quantity(quantity)
        location = self._location(location_id)
        notes = _checks.optional_text(notes)
        self._require_status(SELLABLE_STATUSES, "sell stock")
        reserved = draft.reservations.quantity(reference)
        from_reservation = min(amount, reserved)
        if amount - from_reservation > draft.buckets.available:
            raise InsufficientAvailableError(
                source=f"stock (reserved for {reference}: {reserved}, available)",
                requested=amount,
                available=reserved + draft.buckets.available,
            )
        if from_reservation:
            draft.post_reservation(
                reference=reference,
                change=-from_reservation,
                movement_type=MovementType.SALE,
                notes=notes,
            )
        draft.post(
            bucket=Bucket.ON_HAND,
            change=-amount,
            movement_type=MovementType.SALE,
            location_id=location,
            notes=notes,
            reference=reference,
        )
        draft.emit(
            StockSold(
                **draft.common(0),
                reference=reference,
                quantity=amount,
                from_reservation=from_reservation,
                location_id=location,
            )
        )
        return self._commit(draft)

    def receive_return(
        self,
        *,
        quantity: QuantityInput,
        refund: bool,
        actor: str,
        occurred_at: datetime,
        reference: Reference | None = None,
        location_id: str | None = None,
        notes: str | None = None,
    ) -> OperationResult:
        """Take back stock a customer returned: REFUND_RETURN when refunded, else RETURN.
        It joins on-hand, or quarantine when the batch is QUARANTINED, at ``location_id``
        (default: the primary location).

        Raises:
            InvalidQuantityError: Not a positive quantity, or the bucket would overflow.
            ValidationError: Blank location.
            OperationNotAllowedError: AWAITING_INTAKE or SOLD_OUT (a sold-out batch cannot
                become stocked again; receive the goods as a new intake).
        """
        draft = self._begin(actor, occurred_at)
        amount = to_positive_quantity(quantity)
        location = self._location(location_id)
        self._require_status(_RETURNABLE_STATUSES, "receive a return")
        bucket = (
            Bucket.QUARANTINE if self._state.status is BatchStatus.QUARANTINED else Bucket.ON_HAND
        )
        movement_type = MovementType.REFUND_RETURN if refund else MovementType.RETURN
        draft.post(
            bucket=bucket,
            change=amount,
            movement_type=movement_type,
            location_id=location,
            notes=_checks.optional_text(notes),
            reference=reference,
        )
        draft.emit(
            StockReturned(
                **draft.common(0),
                movement_type=movement_type,
                bucket=bucket,
                quantity=amount,
                location_id=location,
                reference=reference,
            )
        )
        return self._commit(draft)

    def send_sample(
        self,
        *,
        quantity: QuantityInput,
        actor: str,
        occurred_at: datetime,
        reference: Reference | None = None,
        location_id: str | None = None,
        notes: str | None = None,
    ) -> OperationResult:
        """Send available stock out as a sample: a SAMPLE movement lowering on-hand at
        ``location_id`` (default: the primary location).

        Raises:
            InvalidQuantityError: Not a positive quantity.
            ValidationError: Blank location.
            OperationNotAllowedError: The batch is not LIVE or PHOTOGRAPHY_COMPLETE.
            InsufficientAvailableError: More than is available.
            InsufficientAtLocationError: The location holds less than the quantity.
        """
        draft = self._begin(actor, occurred_at)
        amount = to_positive_quantity(quantity)
        location = self._location(location_id)
        self._require_status(SELLABLE_STATUSES, "send samples")
        self._require_available(amount)
        draft.post(
            bucket=Bucket.ON_HAND,
            change=-amount,
            movement_type=MovementType.SAMPLE,
            location_id=location,
            notes=_checks.optional_text(notes),
            reference=reference,
        )
        draft.emit(
            SampleSent(
                **draft.common(0), quantity=amount, location_id=location, reference=reference
            )
        )
        return self._commit(draft)

    def hold(
        self,
        *,
        quantity: QuantityInput,
        actor: str,
        occurred_at: datetime,
        notes: str | None = None,
        reference: Reference | None = None,
    ) -> OperationResult:
        """Put available on-hand stock on hold (one HOLD movement). Allowed while LIVE,
        PHOTOGRAPHY_COMPLETE or ON_HOLD.

        Raises:
            InvalidQuantityError: Not a positive quantity.
            OperationNotAllowedError: Any other status.
            InsufficientAvailableError: More than is available.
        """
        draft = self._begin(actor, occurred_at)
        amount = to_positive_quantity(quantity)
        self._require_status(_HOLDABLE_STATUSES, "put stock on hold")
        self._require_available(amount)
        draft.post(
            bucket=Bucket.HOLD,
            change=amount,
            movement_type=MovementType.HOLD,
            notes=_checks.optional_text(notes),
            reference=reference,
        )
        draft.emit(StockHeld(**draft.common(0), quantity=amount))
        return self._commit(draft)

    def release_hold(
        self,
        *,
        quantity: QuantityInput,
        actor: str,
        occurred_at: datetime,
        notes: str | None = None,
        reference: Reference | None = None,
    ) -> OperationResult:
        """Take stock off hold (one RELEASE_HOLD movement); allowed in any open status.

        Raises:
            InvalidQuantityError: Not a positive quantity.
            InsufficientAvailableError: More than is on hold.
        """
        draft = self._begin(actor, occurred_at)
        amount = to_positive_quantity(quantity)
        if amount > draft.buckets.hold:
            raise InsufficientAvailableError(
                source="stock on hold", requested=amount, available=draft.buckets.hold
            )
        draft.post(
            bucket=Bucket.HOLD,
            change=-amount,
            movement_type=MovementType.RELEASE_HOLD,
            notes=_checks.optional_text(notes),
            reference=reference,
        )
        draft.emit(HoldReleased(**draft.common(0), quantity=amount))
        return self._commit(draft)


def release_reservation_in(
    draft: Draft, reference: Reference, amount: Decimal, notes: str | None
) -> None:
    """Release ``amount`` of ``reference``'s reservation in ``draft``, with its event
    (shared by release_reservation and the quarantine sync)."""
    since = draft.mark()
    draft.post_reservation(
        reference=reference,
        change=-amount,
        movement_type=MovementType.RELEASE_RESERVATION,
        notes=notes,
    )
    draft.emit(
        ReservationReleased(
            **draft.common(since),
            reference=reference,
            quantity=amount,
            remaining=draft.reservations.quantity(reference),
        )
    )
