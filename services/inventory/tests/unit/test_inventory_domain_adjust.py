from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from inventory.domain import (
    AdjustmentReason,
    AdjustmentTooLargeError,
    Batch,
    BatchStatus,
    Bucket,
    DomainError,
    InsufficientAtLocationError,
    InsufficientAvailableError,
    InvalidQuantityError,
    MovementType,
    NegativeInventoryError,
    NotesRequiredError,
    OperationNotAllowedError,
    ReasonRequiredError,
    Reference,
    StockAdjusted,
    ValidationError,
)

COUNT = AdjustmentReason.COUNT_DISCREPANCY


def adjust(batch: Batch, who: dict[str, Any], adjustment: object, **kw: Any) -> Any:
    kw.setdefault("bucket", Bucket.ON_HAND)
    kw.setdefault("reason", COUNT)
    return batch.adjust(adjustment=adjustment, **kw, **who)


def test_a_negative_adjustment_writes_one_adjustment_movement(
    live_batch: Batch, who: dict[str, Any]
) -> None:
    result = adjust(live_batch, who, "-2.5", notes=" recount ")

    assert live_batch.buckets.on_hand == Decimal("97.5000")
    assert live_batch.locations["A"] == Decimal("97.5000")
    assert live_batch.version == 3
    (movement,) = result.movements
    assert (movement.type, movement.bucket, movement.change) == (
        MovementType.ADJUSTMENT,
        Bucket.ON_HAND,
        Decimal("-2.5000"),
    )
    assert (movement.before, movement.after) == (Decimal("100.0000"), Decimal("97.5000"))
    assert (movement.reason, movement.notes, movement.location_id) == (COUNT, "recount", "A")
    (event,) = result.events
    assert isinstance(event, StockAdjusted)
    assert event.adjustment == Decimal("-2.5000")


def test_a_positive_adjustment_can_land_at_another_location(
    live_batch: Batch, who: dict[str, Any]
) -> None:
    adjust(live_batch, who, 4, location_id="B", reason=AdjustmentReason.REWEIGH)
    assert dict(live_batch.locations) == {"A": Decimal("100.0000"), "B": Decimal("4.0000")}
    assert live_batch.physical == Decimal("104.0000")


def test_negative_inventory_uses_the_specs_message(live_batch: Batch, who: dict[str, Any]) -> None:
    with pytest.raises(NegativeInventoryError) as caught:
        adjust(live_batch, who, "-100.5")
    assert caught.value.code == "NEGATIVE_INVENTORY"
    assert caught.value.message == (
        "Adjustment would result in negative inventory. "
        "Current onHandQty: 100.0000, adjustment: -100.5000"
    )
    assert caught.value.details == {
        "field": "onHandQty",
        "current": "100.0000",
        "adjustment": "-100.5000",
    }


def test_negative_inventory_applies_to_the_defective_bucket(
    live_batch: Batch, who: dict[str, Any]
) -> None:
    with pytest.raises(NegativeInventoryError, match=r"Current defectiveQty: 0\.0000"):
        adjust(live_batch, who, -1, bucket=Bucket.DEFECTIVE)


@pytest.mark.parametrize("amount", ["1000000.0001", "-1000001", "1e20", Decimal("-1e30")])
def test_adjustments_beyond_a_million_are_too_large(
    live_batch: Batch, who: dict[str, Any], amount: object
) -> None:
    with pytest.raises(AdjustmentTooLargeError) as caught:
        adjust(live_batch, who, amount)
    assert caught.value.code == "ADJUSTMENT_TOO_LARGE"
    assert caught.value.message == "Adjustment too large"


def test_an_adjustment_of_exactly_a_million_is_allowed(
    live_batch: Batch, who: dict[str, Any]
) -> None:
    adjust(live_batch, who, "1000000")
    assert live_batch.buckets.on_hand == Decimal("1000100.0000")


def test_a_zero_adjustment_is_refused(live_batch: Batch, who: dict[str, Any]) -> None:
    with pytest.raises(InvalidQuantityError, match="must not be zero"):
        adjust(live_batch, who, "0.0000")


def test_a_reason_is_required(live_batch: Batch, who: dict[str, Any]) -> None:
    with pytest.raises(ReasonRequiredError) as caught:
        adjust(live_batch, who, 1, reason=None)
    assert (caught.value.code, caught.value.message) == ("REASON_REQUIRED", "Reason is required")


@pytest.mark.parametrize("notes", [None, "", "   "])
def test_reason_other_requires_notes(
    live_batch: Batch, who: dict[str, Any], notes: str | None
) -> None:
    with pytest.raises(NotesRequiredError) as caught:
        adjust(live_batch, who, 1, reason=AdjustmentReason.OTHER, notes=notes)
    assert caught.value.code == "NOTES_REQUIRED"


def test_reason_other_with_notes_is_accepted(live_batch: Batch, who: dict[str, Any]) -> None:
    result = adjust(live_batch, who, 1, reason=AdjustmentReason.OTHER, notes="found on floor")
    assert result.movements[0].notes == "found on floor"


@pytest.mark.parametrize("bucket", [Bucket.RESERVED, Bucket.HOLD])
def test_earmarks_are_not_adjustable(
    live_batch: Batch, who: dict[str, Any], bucket: Bucket
) -> None:
    with pytest.raises(ValidationError, match="earmark"):
        adjust(live_batch, who, 1, bucket=bucket)


def test_on_hand_cannot_drop_below_reserved_plus_hold(
    live_batch: Batch, who: dict[str, Any], order: Reference
) -> None:
    live_batch.reserve(quantity=60, reference=order, **who)
    live_batch.hold(quantity=30, **who)
    with pytest.raises(InsufficientAvailableError) as caught:
        adjust(live_batch, who, "-10.0001")
    assert caught.value.code == "INSUFFICIENT_AVAILABLE"
    assert caught.value.details["available"] == "10.0000"
    adjust(live_batch, who, -10)
    assert live_batch.buckets.available == Decimal("0.0000")


def test_a_location_cannot_give_more_than_it_holds(live_batch: Batch, who: dict[str, Any]) -> None:
    with pytest.raises(InsufficientAtLocationError) as caught:
        adjust(live_batch, who, -1, location_id="B")
    assert caught.value.code == "INSUFFICIENT_AT_LOCATION"
    assert caught.value.details == {"location_id": "B", "requested": "1.0000", "held": "0.0000"}


def test_quarantine_is_adjustable_once_the_batch_is_received(
    make_batch: Callable[..., Batch], who: dict[str, Any]
) -> None:
    awaiting = make_batch(BatchStatus.AWAITING_INTAKE)
    with pytest.raises(OperationNotAllowedError):
        adjust(awaiting, who, 1, bucket=Bucket.QUARANTINE)
    live = make_batch(BatchStatus.LIVE)
    live.quarantine_part(quantity=5, reason="failed check", **who)
    adjust(live, who, -2, bucket=Bucket.QUARANTINE, reason=AdjustmentReason.LOST)
    assert live.buckets.quarantine == Decimal("3.0000")
    quarantined = make_batch(BatchStatus.QUARANTINED)
    with pytest.raises(OperationNotAllowedError) as caught:
        adjust(quarantined, who, 1, bucket=Bucket.ON_HAND)
    assert caught.value.code == "OPERATION_NOT_ALLOWED"
    adjust(quarantined, who, -3, bucket=Bucket.QUARANTINE, reason=AdjustmentReason.LOST)
    assert quarantined.buckets.quarantine == Decimal("97.0000")
    assert quarantined.locations["A"] == Decimal("97.0000")


def test_an_awaiting_batch_can_be_reweighed(
    make_batch: Callable[..., Batch], who: dict[str, Any]
) -> None:
    batch = make_batch(BatchStatus.AWAITING_INTAKE)
    adjust(batch, who, "-0.3", reason=AdjustmentReason.REWEIGH)
    assert batch.buckets.on_hand == Decimal("99.7000")


@pytest.mark.parametrize(
    ("amount", "kw", "error"),
    [
        ("-101", {}, NegativeInventoryError),
        ("5", {"reason": None}, ReasonRequiredError),
        ("0", {}, InvalidQuantityError),
        ("2e6", {}, AdjustmentTooLargeError),
        ("-1", {"location_id": "nowhere"}, InsufficientAtLocationError),
        ("1", {"location_id": " "}, ValidationError),
    ],
)
def test_a_failed_adjustment_changes_nothing(
    live_batch: Batch, who: dict[str, Any], amount: str, kw: dict[str, Any], error: type
) -> None:
    before = live_batch.state
    with pytest.raises(error):
        adjust(live_batch, who, amount, **kw)
    assert live_batch.state == before
    assert issubclass(error, DomainError)
