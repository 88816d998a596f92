"""Drawing stock into another batch made from it (``Batch.consume``): pure domain, no I/O."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from inventory.domain import (
    Batch,
    BatchClosedError,
    BatchStatus,
    Bucket,
    InsufficientAvailableError,
    IntakeRequest,
    InvalidQuantityError,
    MovementType,
    OperationNotAllowedError,
    Reference,
    StockConsumed,
    replay,
)

S = BatchStatus
MakeBatch = Callable[..., Batch]
INTO = "batch-made-from-it"


def d(value: str) -> Decimal:
    return Decimal(value).quantize(Decimal("0.0001"))


def legs(result: Any) -> list[tuple[Bucket, MovementType, Decimal, str | None]]:
    return [(m.bucket, m.type, m.change, m.location_id) for m in result.movements]


def test_consuming_writes_one_consumption_on_on_hand_that_names_the_new_batch(
    live_batch: Batch, who: dict[str, Any]
) -> None:
    result = live_batch.consume(quantity="30", into_batch_id=INTO, notes="into B-2", **who)
    assert legs(result) == [(Bucket.ON_HAND, MovementType.CONSUMPTION, d("-30"), "A")]
    (movement,) = result.movements
    assert movement.reference == Reference("BATCH", INTO)
    assert movement.notes == "into B-2"
    (event,) = result.events
    assert isinstance(event, StockConsumed)
    assert (event.quantity, event.into_batch_id, event.movements) == (d("30"), INTO, (movement,))
    assert (live_batch.buckets.on_hand, live_batch.physical, live_batch.version) == (
        d("70"),
        d("70"),
        3,
    )


def test_consuming_draws_from_the_primary_location_first_then_from_the_fullest(
    live_batch: Batch, who: dict[str, Any]
) -> None:
    live_batch.transfer(
        quantity=60, bucket=Bucket.ON_HAND, from_location_id="A", to_location_id="B", **who
    )
    live_batch.transfer(
        quantity=10, bucket=Bucket.ON_HAND, from_location_id="A", to_location_id="C", **who
    )
    result = live_batch.consume(quantity="95", into_batch_id=INTO, **who)
    assert legs(result) == [
        (Bucket.ON_HAND, MovementType.CONSUMPTION, d("-30"), "A"),
        (Bucket.ON_HAND, MovementType.CONSUMPTION, d("-60"), "B"),
        (Bucket.ON_HAND, MovementType.CONSUMPTION, d("-5"), "C"),
    ]
    assert dict(live_batch.locations.items()) == {"C": d("5")}


def test_consuming_everything_leaves_an_empty_batch_whose_ledger_still_adds_up(
    make_batch: MakeBatch, who: dict[str, Any]
) -> None:
    batch = make_batch()
    result = batch.consume(quantity="100", into_batch_id=INTO, **who)
    assert batch.physical == 0
    assert batch.status is S.LIVE  # selling out stays the operator's decision, as after a sale
    assert result.movements[0].after == 0


@pytest.mark.parametrize("status", [S.LIVE, S.PHOTOGRAPHY_COMPLETE, S.ON_HOLD])
def test_live_photographed_and_held_batches_can_be_drawn_from(
    make_batch: MakeBatch, who: dict[str, Any], status: BatchStatus
) -> None:
    batch = make_batch(status)
    batch.consume(quantity="1", into_batch_id=INTO, **who)
    assert batch.buckets.on_hand == d("99")


@pytest.mark.parametrize("status", [S.AWAITING_INTAKE, S.QUARANTINED])
def test_unreceived_and_quarantined_batches_cannot_be_drawn_from(
    make_batch: MakeBatch, who: dict[str, Any], status: BatchStatus
) -> None:
    batch = make_batch(status)
    with pytest.raises(OperationNotAllowedError, match="draw stock into another batch"):
        batch.consume(quantity="1", into_batch_id=INTO, **who)
    assert batch.version == make_batch(status).version


def test_a_closed_batch_cannot_be_drawn_from(make_batch: MakeBatch, who: dict[str, Any]) -> None:
    batch = make_batch(S.AWAITING_INTAKE)
    batch.change_status(new_status=S.CLOSED, reason="cancelled", **who)
    with pytest.raises(BatchClosedError):
        batch.consume(quantity="1", into_batch_id=INTO, **who)


def test_reserved_and_held_stock_is_not_drawn(
    live_batch: Batch, who: dict[str, Any], order: Reference
) -> None:
    live_batch.reserve(quantity=50, reference=order, **who)
    live_batch.hold(quantity=20, **who)
    with pytest.raises(InsufficientAvailableError) as refused:
        live_batch.consume(quantity="30.0001", into_batch_id=INTO, **who)
    assert refused.value.details["available"] == "30.0000"
    assert live_batch.buckets.on_hand == d("100")
    live_batch.consume(quantity="30", into_batch_id=INTO, **who)
    assert (live_batch.buckets.on_hand, live_batch.buckets.available) == (d("70"), d("0"))


@pytest.mark.parametrize("quantity", ["0", "-1", "1.00001", "abc"])
def test_a_quantity_that_is_not_positive_with_four_places_is_refused(
    live_batch: Batch, who: dict[str, Any], quantity: str
) -> None:
    with pytest.raises(InvalidQuantityError):
        live_batch.consume(quantity=quantity, into_batch_id=INTO, **who)
    assert live_batch.version == 2


def test_the_ledger_replays_to_the_balances_after_consumption(
    make_request: Callable[..., IntakeRequest], who: dict[str, Any]
) -> None:
    batch, received = Batch.intake(batch_id="batch-1", request=make_request(), **who)
    movements = [*received.movements]
    movements += batch.change_status(new_status=S.LIVE, reason="in", **who).movements
    movements += batch.consume(quantity="12.5", into_batch_id=INTO, **who).movements
    movements += batch.consume(quantity="7.5", into_batch_id="another", **who).movements
    replayed = replay(movements)
    assert replayed.buckets.on_hand == batch.buckets.on_hand == d("80")
    assert dict(replayed.locations) == dict(batch.locations)
