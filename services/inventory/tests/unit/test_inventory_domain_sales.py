from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from inventory.domain import (
    Batch,
    BatchStatus,
    Bucket,
    HoldReleased,
    InsufficientAtLocationError,
    InsufficientAvailableError,
    InvalidQuantityError,
    MovementType,
    OperationNotAllowedError,
    Reference,
    ReservationNotFoundError,
    ReservationReleased,
    SampleSent,
    StockHeld,
    StockReserved,
    StockReturned,
    StockSold,
)

S = BatchStatus
MakeBatch = Callable[..., Batch]


def d(value: str) -> Decimal:
    return Decimal(value).quantize(Decimal("0.0001"))


def legs(result: Any) -> list[tuple[Bucket, MovementType, Decimal, str | None]]:
    return [(m.bucket, m.type, m.change, m.location_id) for m in result.movements]


def test_reserve_earmarks_available_stock_for_a_reference(
    live_batch: Batch, who: dict[str, Any], order: Reference
) -> None:
    result = live_batch.reserve(quantity="12.5", reference=order, **who)
    live_batch.reserve(quantity="2.5", reference=order, **who)

    assert live_batch.buckets.reserved == d("15")
    assert live_batch.buckets.on_hand == d("100")
    assert live_batch.available == d("85")
    assert live_batch.reservations[order] == d("15")
    assert legs(result) == [(Bucket.RESERVED, MovementType.RESERVE, d("12.5"), None)]
    assert result.movements[0].reference == order
    (event,) = result.events
    assert isinstance(event, StockReserved)


def test_reserve_cannot_exceed_available(
    live_batch: Batch, who: dict[str, Any], order: Reference
) -> None:
    live_batch.hold(quantity=30, **who)
    live_batch.reserve(quantity=60, reference=Reference("ORDER", "other"), **who)
    with pytest.raises(InsufficientAvailableError) as caught:
        live_batch.reserve(quantity="10.0001", reference=order, **who)
    assert caught.value.details == {
        "source": "available stock",
        "requested": "10.0001",
        "available": "10.0000",
    }


@pytest.mark.parametrize("status", [S.AWAITING_INTAKE, S.ON_HOLD, S.QUARANTINED])
def test_only_sellable_batches_take_reservations(
    make_batch: MakeBatch, who: dict[str, Any], order: Reference, status: BatchStatus
) -> None:
    batch = make_batch(status)
    with pytest.raises(OperationNotAllowedError) as caught:
        batch.reserve(quantity=1, reference=order, **who)
    assert caught.value.message == f"Cannot reserve stock while the batch is {status}"


def test_photography_complete_batches_sell_like_live_ones(
    make_batch: MakeBatch, who: dict[str, Any], order: Reference
) -> None:
    batch = make_batch(S.PHOTOGRAPHY_COMPLETE)
    batch.reserve(quantity=1, reference=order, **who)
    batch.sell(quantity=1, reference=order, **who)
    assert batch.buckets.on_hand == d("99")


def test_release_reservation_defaults_to_all_of_it(
    live_batch: Batch, who: dict[str, Any], order: Reference
) -> None:
    live_batch.reserve(quantity=20, reference=order, **who)
    partial = live_batch.release_reservation(reference=order, quantity=5, **who)
    (event,) = partial.events
    assert isinstance(event, ReservationReleased)
    assert (event.quantity, event.remaining) == (d("5"), d("15"))
    result = live_batch.release_reservation(reference=order, **who)
    assert legs(result) == [(Bucket.RESERVED, MovementType.RELEASE_RESERVATION, d("-15"), None)]
    assert order not in live_batch.reservations
    assert live_batch.buckets.reserved == d("0")


def test_releasing_an_unknown_or_oversized_reservation_fails(
    live_batch: Batch, who: dict[str, Any], order: Reference
) -> None:
    with pytest.raises(ReservationNotFoundError) as caught:
        live_batch.release_reservation(reference=order, **who)
    assert caught.value.code == "RESERVATION_NOT_FOUND"
    live_batch.reserve(quantity=3, reference=order, **who)
    with pytest.raises(InsufficientAvailableError, match="reservation ORDER 1042"):
        live_batch.release_reservation(reference=order, quantity=4, **who)


def test_sell_consumes_the_reservation_then_available_stock(
    live_batch: Batch, who: dict[str, Any], order: Reference
) -> None:
    live_batch.reserve(quantity=10, reference=order, **who)
    live_batch.reserve(quantity=50, reference=Reference("ORDER", "other"), **who)

    result = live_batch.sell(quantity=25, reference=order, **who)

    assert legs(result) == [
        (Bucket.RESERVED, MovementType.SALE, d("-10"), None),
        (Bucket.ON_HAND, MovementType.SALE, d("-25"), "A"),
    ]
    assert live_batch.buckets.on_hand == d("75")
    assert live_batch.buckets.reserved == d("50")
    assert order not in live_batch.reservations
    (event,) = result.events
    assert isinstance(event, StockSold)
    assert (event.quantity, event.from_reservation) == (d("25"), d("10"))


def test_a_sale_never_takes_stock_reserved_for_someone_else_or_held(
    live_batch: Batch, who: dict[str, Any], order: Reference
) -> None:
    live_batch.reserve(quantity=70, reference=Reference("ORDER", "other"), **who)
    live_batch.hold(quantity=20, **who)
    live_batch.reserve(quantity=5, reference=order, **who)
    with pytest.raises(InsufficientAvailableError):
        live_batch.sell(quantity="10.0001", reference=order, **who)
    live_batch.sell(quantity=10, reference=order, **who)
    assert live_batch.buckets.on_hand == d("90")
    assert live_batch.buckets.available == d("0")


def test_a_partial_sale_leaves_the_rest_of_the_reservation(
    live_batch: Batch, who: dict[str, Any], order: Reference
) -> None:
    live_batch.reserve(quantity=10, reference=order, **who)
    live_batch.sell(quantity=4, reference=order, **who)
    assert live_batch.reservations[order] == d("6")


def test_a_sale_takes_from_the_named_location(
    live_batch: Batch, who: dict[str, Any], order: Reference
) -> None:
    live_batch.transfer(quantity=40, from_location_id="A", to_location_id="B", **who)
    with pytest.raises(InsufficientAtLocationError):
        live_batch.sell(quantity=41, reference=order, location_id="B", **who)
    live_batch.sell(quantity=40, reference=order, location_id="B", **who)
    assert dict(live_batch.locations) == {"A": d("60")}


def test_on_hold_batches_do_not_sell(
    make_batch: MakeBatch, who: dict[str, Any], order: Reference
) -> None:
    batch = make_batch(S.ON_HOLD)
    assert batch.available == d("100")
    assert batch.sellable_quantity == d("0")
    with pytest.raises(OperationNotAllowedError):
        batch.sell(quantity=1, reference=order, **who)


@pytest.mark.parametrize(
    ("refund", "movement_type"),
    [(True, MovementType.REFUND_RETURN), (False, MovementType.RETURN)],
)
def test_returns_add_to_on_hand(
    live_batch: Batch, who: dict[str, Any], order: Reference, refund: bool, movement_type: Any
) -> None:
    result = live_batch.receive_return(quantity=3, refund=refund, reference=order, **who)
    assert legs(result) == [(Bucket.ON_HAND, movement_type, d("3"), "A")]
    assert live_batch.buckets.on_hand == d("103")
    (event,) = result.events
    assert isinstance(event, StockReturned)


def test_returns_to_a_quarantined_batch_join_quarantine(
    make_batch: MakeBatch, who: dict[str, Any]
) -> None:
    batch = make_batch(S.QUARANTINED)
    result = batch.receive_return(quantity=2, refund=True, location_id="R", **who)
    assert legs(result) == [(Bucket.QUARANTINE, MovementType.REFUND_RETURN, d("2"), "R")]
    assert batch.buckets.on_hand == d("0")
    assert batch.buckets.quarantine == d("102")


@pytest.mark.parametrize("status", [S.AWAITING_INTAKE, S.SOLD_OUT])
def test_awaiting_and_sold_out_batches_take_no_returns(
    make_batch: MakeBatch, who: dict[str, Any], order: Reference, status: BatchStatus
) -> None:
    batch = make_batch()
    if status is S.SOLD_OUT:
        batch.sell(quantity=100, reference=order, **who)
        batch.change_status(new_status=S.SOLD_OUT, reason="empty", **who)
    else:
        batch = make_batch(S.AWAITING_INTAKE)
    with pytest.raises(OperationNotAllowedError):
        batch.receive_return(quantity=1, refund=True, **who)


def test_a_sample_leaves_the_building(live_batch: Batch, who: dict[str, Any]) -> None:
    result = live_batch.send_sample(quantity="0.5", **who)
    assert legs(result) == [(Bucket.ON_HAND, MovementType.SAMPLE, d("-0.5"), "A")]
    assert live_batch.physical == d("99.5")
    (event,) = result.events
    assert isinstance(event, SampleSent)


def test_samples_come_only_from_available_stock(
    live_batch: Batch, who: dict[str, Any], order: Reference
) -> None:
    live_batch.reserve(quantity=100, reference=order, **who)
    with pytest.raises(InsufficientAvailableError):
        live_batch.send_sample(quantity=1, **who)


def test_hold_and_release_hold(live_batch: Batch, who: dict[str, Any]) -> None:
    held = live_batch.hold(quantity=30, notes="customer inspection", **who)
    assert legs(held) == [(Bucket.HOLD, MovementType.HOLD, d("30"), None)]
    assert isinstance(held.events[0], StockHeld)
    assert live_batch.available == d("70")
    released = live_batch.release_hold(quantity=10, **who)
    assert legs(released) == [(Bucket.HOLD, MovementType.RELEASE_HOLD, d("-10"), None)]
    assert isinstance(released.events[0], HoldReleased)
    assert live_batch.buckets.hold == d("20")
    with pytest.raises(InsufficientAvailableError, match="stock on hold"):
        live_batch.release_hold(quantity=21, **who)
    with pytest.raises(InsufficientAvailableError):
        live_batch.hold(quantity="80.0001", **who)


def test_a_held_batch_can_hold_stock_but_an_awaiting_one_cannot(
    make_batch: MakeBatch, who: dict[str, Any]
) -> None:
    make_batch(S.ON_HOLD).hold(quantity=1, **who)
    with pytest.raises(OperationNotAllowedError):
        make_batch(S.AWAITING_INTAKE).hold(quantity=1, **who)


@pytest.mark.parametrize("quantity", ["0", "-1", "0.00001", 2.0])
def test_operations_need_a_positive_well_formed_quantity(
    live_batch: Batch, who: dict[str, Any], order: Reference, quantity: object
) -> None:
    before = live_batch.state
    for operation in (
        lambda: live_batch.reserve(quantity=quantity, reference=order, **who),
        lambda: live_batch.sell(quantity=quantity, reference=order, **who),
        lambda: live_batch.hold(quantity=quantity, **who),
        lambda: live_batch.send_sample(quantity=quantity, **who),
        lambda: live_batch.receive_return(quantity=quantity, refund=False, **who),
    ):
        with pytest.raises(InvalidQuantityError):
            operation()
    assert live_batch.state == before
