"""Manual adjustments, disposals, defects and location transfers (private; see ``Batch``)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from shared.contracts.inventory_enums import AdjustmentReason, BatchStatus, Bucket, MovementType

from inventory.domain import _checks
from inventory.domain._batch_core import BatchCore, OperationResult
from inventory.domain.buckets import PHYSICAL_BUCKETS, spec_field
from inventory.domain.errors import (
    AdjustmentTooLargeError,
    InsufficientAvailableError,
    InvalidQuantityError,
    NegativeInventoryError,
    OperationNotAllowedError,
    ValidationError,
)
from inventory.domain.events import (
    StockAdjusted,
    StockDisposed,
    StockMarkedDefective,
    StockTransferred,
)
from inventory.domain.movements import Reference
from inventory.domain.quantities import (
    MAX_ADJUSTMENT,
    ZERO,
    QuantityInput,
    to_positive_quantity,
    to_quantity,
)
from inventory.domain.status import STOCKED_STATUSES


class StockOperations(BatchCore):
    """Operations that correct, remove or move physical stock: adjust, dispose,
    mark_defective, transfer."""

    def adjust(
        self,
        *,
        bucket: Bucket,
        adjustment: QuantityInput,
        reason: AdjustmentReason | None,
        actor: str,
        occurred_at: datetime,
        notes: str | None = None,
        location_id: str | None = None,
        reference: Reference | None = None,
    ) -> OperationResult:
        """Correct a physical bucket by hand (count discrepancy, damage, reweigh ...).

        ``bucket`` is ON_HAND (not while QUARANTINED), QUARANTINE (only while QUARANTINED)
        or DEFECTIVE; reserved and hold are earmarks with their own operations. The signed
        ``adjustment`` (within +/-1,000,000, not zero) lands at ``location_id`` (default:
        the primary location) as one ADJUSTMENT movement.

        Raises:
            ReasonRequiredError: No reason.
            NotesRequiredError: Reason OTHER without notes.
            InvalidQuantityError: Zero, malformed, or more than four decimal places.
            AdjustmentTooLargeError: Magnitude above 1,000,000.
            ValidationError: Reserved/hold bucket, blank location.
            OperationNotAllowedError: SOLD_OUT batch, or a bucket the status keeps empty.
            NegativeInventoryError: The bucket would go below zero.
            InsufficientAvailableError: On-hand would drop below reserved + hold.
            InsufficientAtLocationError: The location holds less than the decrease.
        """
        draft = self._begin(actor, occurred_at)
        reason, notes = _checks.adjustment_reason(reason, notes)
        if bucket not in PHYSICAL_BUCKETS:
            raise ValidationError.single(
                "bucket",
                f"{bucket} is an earmark; use reserve/release_reservation or "
                "hold/release_hold instead of adjusting it",
            )
        amount = _adjustment_amount(adjustment)
        location = self._location(location_id)
        status = self._state.status
        if status is BatchStatus.SOLD_OUT:
            raise OperationNotAllowedError(
                operation="adjust quantities",
                status=status,
                hint="a sold-out batch holds no stock; receive new stock as a new intake",
            )
        if bucket is Bucket.ON_HAND and status is BatchStatus.QUARANTINED:
            raise OperationNotAllowedError(
                operation=f"adjust {spec_field(bucket)}",
                status=status,
                hint="a quarantined batch keeps all its stock in quarantine; adjust that",
            )
        if bucket is Bucket.QUARANTINE and status is not BatchStatus.QUARANTINED:
            raise OperationNotAllowedError(
                operation=f"adjust {spec_field(bucket)}",
                status=status,
                hint="only a QUARANTINED batch holds quarantined stock",
            )
        current = draft.buckets.get(bucket)
        if current + amount < 0:
            raise NegativeInventoryError(
                field=spec_field(bucket), current=current, adjustment=amount
            )
        if bucket is Bucket.ON_HAND and -amount > draft.buckets.unearmarked_on_hand:
            raise InsufficientAvailableError(
                source="unreserved on-hand stock (release reservations or holds first)",
                requested=-amount,
                available=draft.buckets.unearmarked_on_hand,
            )
        draft.post(
            bucket=bucket,
            change=amount,
            movement_type=MovementType.ADJUSTMENT,
            location_id=location,
            reason=reason,
            notes=notes,
            reference=reference,
        )
        draft.emit(
            StockAdjusted(
                **draft.common(0),
                bucket=bucket,
                adjustment=amount,
                reason=reason,
                notes=notes,
                location_id=location,
            )
        )
        return self._commit(draft)

    def dispose(
        self,
        *,
        quantity: QuantityInput,
        bucket: Bucket,
        reason: AdjustmentReason | None,
        actor: str,
        occurred_at: datetime,
        location_id: str | None = None,
        notes: str | None = None,
        reference: Reference | None = None,
    ) -> OperationResult:
        """Destroy or write off stock from a physical bucket: one DISPOSAL movement at
        ``location_id`` (default: the primary location). From on-hand only what is neither
        reserved nor held may go.

        Raises:
            ReasonRequiredError: No reason.
            NotesRequiredError: Reason OTHER without notes.
            InvalidQuantityError: Not a positive quantity.
            ValidationError: Reserved/hold bucket, blank location.
            InsufficientAvailableError: More than the bucket (or unearmarked on-hand) holds.
            InsufficientAtLocationError: The location holds less than the quantity.
        """
        draft = self._begin(actor, occurred_at)
        reason, notes = _checks.adjustment_reason(reason, notes)
        amount = to_positive_quantity(quantity)
        location = self._location(location_id)
        if bucket not in PHYSICAL_BUCKETS:
            raise ValidationError.single("bucket", f"{bucket} holds no stock to dispose of")
        self._require_removable(bucket, amount)
        draft.post(
            bucket=bucket,
            change=-amount,
            movement_type=MovementType.DISPOSAL,
            location_id=location,
            reason=reason,
            notes=notes,
            reference=reference,
        )
        draft.emit(
            StockDisposed(
                **draft.common(0),
                bucket=bucket,
                quantity=amount,
                reason=reason,
                location_id=location,
            )
        )
        return self._commit(draft)

    def mark_defective(
        self,
        *,
        quantity: QuantityInput,
        reason: AdjustmentReason | None,
        actor: str,
        occurred_at: datetime,
        notes: str | None = None,
        reference: Reference | None = None,
    ) -> OperationResult:
        """Move stock into the defective bucket: a DEFECTIVE pair (source -x, DEFECTIVE +x).
        The source is on-hand (its unearmarked part), or quarantine for a QUARANTINED
        batch. The stock does not move, so the pair names no location.

        Raises:
            ReasonRequiredError: No reason.
            NotesRequiredError: Reason OTHER without notes.
            InvalidQuantityError: Not a positive quantity.
            OperationNotAllowedError: SOLD_OUT.
            InsufficientAvailableError: More than the source can give.
        """
        draft = self._begin(actor, occurred_at)
        reason, notes = _checks.adjustment_reason(reason, notes)
        amount = to_positive_quantity(quantity)
        self._require_status(STOCKED_STATUSES | {BatchStatus.QUARANTINED}, "mark stock defective")
        source = (
            Bucket.QUARANTINE if self._state.status is BatchStatus.QUARANTINED else Bucket.ON_HAND
        )
        self._require_removable(source, amount)
        for bucket, change in ((source, -amount), (Bucket.DEFECTIVE, amount)):
            draft.post(
                bucket=bucket,
                change=change,
                movement_type=MovementType.DEFECTIVE,
                reason=reason,
                notes=notes,
                reference=reference,
            )
        draft.emit(
            StockMarkedDefective(
                **draft.common(0), source_bucket=source, quantity=amount, reason=reason
            )
        )
        return self._commit(draft)

    def transfer(
        self,
        *,
        quantity: QuantityInput,
        from_location_id: str,
        to_location_id: str,
        actor: str,
        occurred_at: datetime,
        bucket: Bucket | None = None,
        notes: str | None = None,
        reference: Reference | None = None,
    ) -> OperationResult:
        """Move stock between locations: a TRANSFER pair on ``bucket`` (-x at the source,
        +x at the destination), so debits equal credits and no balance changes.

        ``bucket`` only labels what kind of stock moved (locations track the physical
        quantity as a whole); it defaults to quarantine for a QUARANTINED batch and to
        on-hand otherwise, and must hold at least ``quantity``.

        Raises:
            InvalidQuantityError: Not a positive quantity.
            ValidationError: Blank or identical locations, a reserved/hold bucket.
            InsufficientAvailableError: The bucket holds less than the quantity.
            InsufficientAtLocationError: The source location holds less than the quantity.
        """
        draft = self._begin(actor, occurred_at)
        amount = to_positive_quantity(quantity)
        source = _checks.required_text(from_location_id, field="from_location_id")
        target = _checks.required_text(to_location_id, field="to_location_id")
        if source == target:
            raise ValidationError.single("to_location_id", "must differ from from_location_id")
        if bucket is None:
            bucket = (
                Bucket.QUARANTINE
                if self._state.status is BatchStatus.QUARANTINED
                else Bucket.ON_HAND
            )
        if bucket not in PHYSICAL_BUCKETS:
            raise ValidationError.single("bucket", f"{bucket} is an earmark, not stock")
        if amount > draft.buckets.get(bucket):
            raise InsufficientAvailableError(
                source=spec_field(bucket), requested=amount, available=draft.buckets.get(bucket)
            )
        notes = _checks.optional_text(notes)
        for location, change in ((source, -amount), (target, amount)):
            draft.post(
                bucket=bucket,
                change=change,
                movement_type=MovementType.TRANSFER,
                location_id=location,
                notes=notes,
                reference=reference,
            )
        draft.emit(
            StockTransferred(
                **draft.common(0),
                bucket=bucket,
                quantity=amount,
                from_location_id=source,
                to_location_id=target,
            )
        )
        return self._commit(draft)


def _adjustment_amount(adjustment: QuantityInput) -> Decimal:
    """Parse a signed adjustment: non-zero, within +/-1,000,000."""
    try:
        amount = to_quantity(adjustment, field="adjustment")
    except InvalidQuantityError:
        # A huge adjustment is "too large" in the spec's words, even beyond what storage holds.
        if _magnitude(adjustment) > MAX_ADJUSTMENT:
            raise AdjustmentTooLargeError(
                adjustment=Decimal(str(adjustment)), limit=MAX_ADJUSTMENT
            ) from None
        raise
    if amount == 0:
        raise InvalidQuantityError("adjustment must not be zero", field="adjustment", value="0")
    if abs(amount) > MAX_ADJUSTMENT:
        raise AdjustmentTooLargeError(adjustment=amount, limit=MAX_ADJUSTMENT)
    return amount


def _magnitude(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        return ZERO
    try:
        number = Decimal(value)
    except InvalidOperation:
        return ZERO
    return abs(number) if number.is_finite() else ZERO
