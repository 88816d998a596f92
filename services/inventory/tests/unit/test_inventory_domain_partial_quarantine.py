"""Partial quarantine: a quantity of a LIVE batch's on-hand into the quarantine bucket and back,
with the whole-batch status path unchanged."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from inventory.domain import (
    Batch,
    BatchStatus,
    Bucket,
    InsufficientAvailableError,
    InvalidQuantityError,
    MovementType,
    OperationNotAllowedError,
    QuarantineReleased,
    ReasonRequiredError,
    Reference,
    StockQuarantined,
    invariant_violations,
)


def d(value: str) -> Decimal:
    return Decimal(value).quantize(Decimal("0.0001"))


def pairs(batch_result: Any) -> list[tuple[Bucket, MovementType, Decimal, str | None]]:
    return [(m.bucket, m.type, m.change, m.location_id) for m in batch_result.movements]


# ---------------------------------------------------------------- moving a part in and out


def test_quarantining_part_moves_it_out_of_on_hand_and_available_drops_by_as_much(
    live_batch: Batch, who: dict[str, Any]
) -> None:
    result = live_batch.quarantine_part(quantity="12.5", reason="failed potency check", **who)
    b = live_batch.buckets
    assert (b.on_hand, b.quarantine, b.available, b.physical) == (
        d("87.5"),
        d("12.5"),
        d("87.5"),
        d("100"),
    )
    assert live_batch.status is BatchStatus.LIVE
    assert live_batch.version == 3
    assert pairs(result) == [
        (Bucket.ON_HAND, MovementType.QUARANTINE, d("-12.5"), None),
        (Bucket.QUARANTINE, MovementType.QUARANTINE, d("12.5"), None),
    ]
    assert all(m.notes == "failed potency check" for m in result.movements)
    (event,) = result.events
    assert isinstance(event, StockQuarantined)
    assert (event.quantity, event.reason) == (d("12.5"), "failed potency check")
    assert invariant_violations(live_batch.state) == []


def test_releasing_part_moves_it_back_to_on_hand(live_batch: Batch, who: dict[str, Any]) -> None:
    live_batch.quarantine_part(quantity=20, reason="failed check", **who)
    result = live_batch.release_part(quantity=15, reason="retest passed", **who)
    b = live_batch.buckets
    assert (b.on_hand, b.quarantine, b.available) == (d("95"), d("5"), d("95"))
    assert pairs(result) == [
        (Bucket.QUARANTINE, MovementType.RELEASE_FROM_QUARANTINE, d("-15"), None),
        (Bucket.ON_HAND, MovementType.RELEASE_FROM_QUARANTINE, d("15"), None),
    ]
    (event,) = result.events
    assert isinstance(event, QuarantineReleased)
    assert event.quantity == d("15")


def test_the_locations_keep_the_whole_physical_quantity(
    live_batch: Batch, who: dict[str, Any]
) -> None:
    live_batch.quarantine_part(quantity=30, reason="failed check", **who)
    assert live_batch.locations["A"] == d("100")


# ---------------------------------------------------------------- what is refused


def test_a_reason_is_required_both_ways(live_batch: Batch, who: dict[str, Any]) -> None:
    with pytest.raises(ReasonRequiredError):
        live_batch.quarantine_part(quantity=1, reason="  ", **who)
    live_batch.quarantine_part(quantity=1, reason="x", **who)
    with pytest.raises(ReasonRequiredError):
        live_batch.release_part(quantity=1, reason="", **who)


@pytest.mark.parametrize("quantity", ["0", "-1", "0.00001", "abc"])
def test_the_quantity_must_be_positive_with_four_places_at_most(
    live_batch: Batch, who: dict[str, Any], quantity: str
) -> None:
    with pytest.raises(InvalidQuantityError):
        live_batch.quarantine_part(quantity=quantity, reason="x", **who)


def test_more_than_the_unearmarked_on_hand_is_refused_and_nothing_changes(
    live_batch: Batch, who: dict[str, Any], order: Reference
) -> None:
    live_batch.reserve(quantity=60, reference=order, **who)
    live_batch.hold(quantity=30, **who)
    before = live_batch.state
    with pytest.raises(InsufficientAvailableError) as caught:
        live_batch.quarantine_part(quantity="10.0001", reason="x", **who)
    assert caught.value.code == "INSUFFICIENT_AVAILABLE"
    assert caught.value.details["available"] == "10.0000"
    assert live_batch.state == before


def test_more_than_is_quarantined_cannot_be_released(
    live_batch: Batch, who: dict[str, Any]
) -> None:
    live_batch.quarantine_part(quantity=5, reason="x", **who)
    with pytest.raises(InsufficientAvailableError) as caught:
        live_batch.release_part(quantity="5.0001", reason="x", **who)
    assert caught.value.details == {
        "source": "quarantineQty",
        "requested": "5.0001",
        "available": "5.0000",
    }


@pytest.mark.parametrize(
    "status",
    [
        BatchStatus.AWAITING_INTAKE,
        BatchStatus.PHOTOGRAPHY_COMPLETE,
        BatchStatus.ON_HOLD,
        BatchStatus.QUARANTINED,
    ],
)
def test_only_a_live_batch_quarantines_part_of_its_stock(
    make_batch: Callable[..., Batch], who: dict[str, Any], status: BatchStatus
) -> None:
    batch = make_batch(status)
    with pytest.raises(OperationNotAllowedError) as caught:
        batch.quarantine_part(quantity=1, reason="x", **who)
    assert caught.value.code == "OPERATION_NOT_ALLOWED"
    assert caught.value.details["status"] == status.value


def test_a_quarantined_batch_is_released_through_its_status_not_in_part(
    make_batch: Callable[..., Batch], who: dict[str, Any]
) -> None:
    batch = make_batch(BatchStatus.QUARANTINED)
    with pytest.raises(OperationNotAllowedError):
        batch.release_part(quantity=1, reason="x", **who)


# ---------------------------------------------------------------- with the whole-batch path


def test_the_part_kept_through_a_hold_can_be_released_there(
    live_batch: Batch, who: dict[str, Any]
) -> None:
    live_batch.quarantine_part(quantity=10, reason="x", **who)
    live_batch.change_status(new_status=BatchStatus.ON_HOLD, reason="audit", **who)
    live_batch.release_part(quantity=10, reason="passed", **who)
    assert live_batch.buckets.on_hand == d("100")


def test_quarantining_the_whole_batch_adds_the_rest_and_releasing_it_returns_everything(
    live_batch: Batch, who: dict[str, Any]
) -> None:
    live_batch.quarantine_part(quantity=10, reason="x", **who)
    live_batch.change_status(new_status=BatchStatus.QUARANTINED, reason="recall", **who)
    assert (live_batch.buckets.on_hand, live_batch.buckets.quarantine) == (d("0"), d("100"))
    live_batch.change_status(new_status=BatchStatus.LIVE, reason="cleared", **who)
    assert (live_batch.buckets.on_hand, live_batch.buckets.quarantine) == (d("100"), d("0"))


def test_a_partly_quarantined_batch_is_not_empty_so_it_cannot_sell_out(
    live_batch: Batch, who: dict[str, Any]
) -> None:
    live_batch.quarantine_part(quantity=100, reason="x", **who)
    assert live_batch.buckets.available == d("0")
    with pytest.raises(Exception) as caught:
        live_batch.change_status(new_status=BatchStatus.SOLD_OUT, reason="done", **who)
    assert getattr(caught.value, "code", None) == "BATCH_NOT_EMPTY"
