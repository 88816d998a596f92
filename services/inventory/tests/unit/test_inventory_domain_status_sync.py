from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from inventory.domain import (
    AdjustmentReason,
    Batch,
    BatchNotEmptyError,
    BatchStatus,
    BatchStatusChanged,
    Bucket,
    HoldReleased,
    InvalidStatusTransitionError,
    MovementType,
    ReasonRequiredError,
    Reference,
    ReservationReleased,
    StockDisposed,
    ValidationError,
)

S = BatchStatus
MakeBatch = Callable[..., Batch]


def legs(result: Any) -> list[tuple[Bucket, MovementType, Decimal, str | None]]:
    return [(m.bucket, m.type, m.change, m.location_id) for m in result.movements]


def d(value: str) -> Decimal:
    return Decimal(value).quantize(Decimal("0.0001"))


def test_awaiting_intake_goes_live_without_movements(
    make_batch: MakeBatch, who: dict[str, Any]
) -> None:
    batch = make_batch(S.AWAITING_INTAKE)
    result = batch.change_status(new_status=S.LIVE, reason="received", **who)
    assert batch.status is S.LIVE
    assert result.movements == ()
    (event,) = result.events
    assert isinstance(event, BatchStatusChanged)
    assert (event.from_status, event.to_status, event.reason) == (
        S.AWAITING_INTAKE,
        S.LIVE,
        "received",
    )


def test_quarantine_moves_all_on_hand_into_quarantine_as_a_pair(
    live_batch: Batch, who: dict[str, Any]
) -> None:
    result = live_batch.change_status(new_status=S.QUARANTINED, reason="failed lab test", **who)

    assert live_batch.buckets.on_hand == d("0")
    assert live_batch.buckets.quarantine == d("100")
    assert live_batch.physical == d("100")
    assert live_batch.available == d("0")
    assert dict(live_batch.locations) == {"A": d("100")}
    assert legs(result) == [
        (Bucket.ON_HAND, MovementType.QUARANTINE, d("-100"), None),
        (Bucket.QUARANTINE, MovementType.QUARANTINE, d("100"), None),
    ]
    assert all(m.notes == "failed lab test" for m in result.movements)


def test_quarantine_releases_reservations_and_holds_first(
    live_batch: Batch, who: dict[str, Any]
) -> None:
    first, second = Reference("ORDER", "1"), Reference("ORDER", "2")
    live_batch.reserve(quantity=10, reference=first, **who)
    live_batch.reserve(quantity=15, reference=second, **who)
    live_batch.hold(quantity=5, **who)

    result = live_batch.change_status(new_status=S.QUARANTINED, reason="recall", **who)

    assert legs(result)[:3] == [
        (Bucket.RESERVED, MovementType.RELEASE_RESERVATION, d("-10"), None),
        (Bucket.RESERVED, MovementType.RELEASE_RESERVATION, d("-15"), None),
        (Bucket.HOLD, MovementType.RELEASE_HOLD, d("-5"), None),
    ]
    assert len(live_batch.reservations) == 0
    assert live_batch.buckets.reserved == live_batch.buckets.hold == d("0")
    released = [e for e in result.events if isinstance(e, ReservationReleased)]
    assert [(e.reference, e.quantity, e.remaining) for e in released] == [
        (first, d("10"), d("0")),
        (second, d("15"), d("0")),
    ]
    assert [type(e) for e in result.events] == [
        ReservationReleased,
        ReservationReleased,
        HoldReleased,
        BatchStatusChanged,
    ]
    # The status event carries only the quarantine pair; together the events carry all.
    assert len(result.events[-1].movements) == 2
    assert sum((e.movements for e in result.events), ()) == result.movements


def test_release_from_quarantine_moves_it_back_to_on_hand(
    make_batch: MakeBatch, who: dict[str, Any]
) -> None:
    batch = make_batch(S.QUARANTINED)
    result = batch.change_status(new_status=S.LIVE, reason="retest passed", **who)
    assert batch.buckets.on_hand == d("100")
    assert batch.buckets.quarantine == d("0")
    assert legs(result) == [
        (Bucket.QUARANTINE, MovementType.RELEASE_FROM_QUARANTINE, d("-100"), None),
        (Bucket.ON_HAND, MovementType.RELEASE_FROM_QUARANTINE, d("100"), None),
    ]


def test_defective_stock_stays_defective_through_quarantine(
    live_batch: Batch, who: dict[str, Any]
) -> None:
    live_batch.mark_defective(quantity=10, reason=AdjustmentReason.DAMAGED, **who)
    live_batch.change_status(new_status=S.QUARANTINED, reason="r", **who)
    live_batch.change_status(new_status=S.LIVE, reason="r", **who)
    assert (live_batch.buckets.on_hand, live_batch.buckets.defective) == (d("90"), d("10"))


def test_closing_a_quarantined_batch_disposes_of_what_remains_per_location(
    make_batch: MakeBatch, who: dict[str, Any]
) -> None:
    batch = make_batch(S.QUARANTINED)
    batch.transfer(quantity=30, from_location_id="A", to_location_id="B", **who)
    batch.mark_defective(quantity=5, reason=AdjustmentReason.QUALITY_ISSUE, **who)

    result = batch.change_status(
        new_status=S.CLOSED, reason="destroyed", disposal_reason=AdjustmentReason.EXPIRED, **who
    )

    assert batch.status is S.CLOSED
    assert batch.physical == d("0")
    assert len(batch.locations) == 0
    assert legs(result) == [
        (Bucket.QUARANTINE, MovementType.DISPOSAL, d("-70"), "A"),
        (Bucket.QUARANTINE, MovementType.DISPOSAL, d("-25"), "B"),
        (Bucket.DEFECTIVE, MovementType.DISPOSAL, d("-5"), "B"),
    ]
    assert {m.reason for m in result.movements} == {AdjustmentReason.EXPIRED}
    disposed = [e for e in result.events if isinstance(e, StockDisposed)]
    assert [(e.bucket, e.quantity, e.location_id) for e in disposed] == [
        (Bucket.QUARANTINE, d("70"), "A"),
        (Bucket.QUARANTINE, d("25"), "B"),
        (Bucket.DEFECTIVE, d("5"), "B"),
    ]
    assert isinstance(result.events[-1], BatchStatusChanged)


def test_cancelling_an_intake_reverses_it_with_corrections(
    make_batch: MakeBatch, who: dict[str, Any]
) -> None:
    batch = make_batch(S.AWAITING_INTAKE)
    result = batch.change_status(new_status=S.CLOSED, reason="PO cancelled", **who)
    assert batch.status is S.CLOSED
    assert batch.physical == d("0")
    assert legs(result) == [(Bucket.ON_HAND, MovementType.CORRECTION, d("-100"), "A")]


@pytest.mark.parametrize("status", [S.LIVE, S.ON_HOLD])
def test_closing_with_stock_needs_a_disposal_first(
    make_batch: MakeBatch, who: dict[str, Any], status: BatchStatus
) -> None:
    batch = make_batch(status)
    with pytest.raises(BatchNotEmptyError) as caught:
        batch.change_status(new_status=S.CLOSED, reason="done", **who)
    assert caught.value.code == "BATCH_NOT_EMPTY"
    assert caught.value.details["physical"] == "100.0000"
    batch.dispose(quantity=100, bucket=Bucket.ON_HAND, reason=AdjustmentReason.EXPIRED, **who)
    batch.change_status(new_status=S.CLOSED, reason="done", **who)
    assert batch.status is S.CLOSED


def test_sold_out_only_when_physical_quantity_is_zero(
    live_batch: Batch, who: dict[str, Any], order: Reference
) -> None:
    live_batch.sell(quantity=95, reference=order, **who)
    live_batch.mark_defective(quantity=5, reason=AdjustmentReason.DAMAGED, **who)
    assert live_batch.buckets.on_hand == d("0")
    with pytest.raises(BatchNotEmptyError, match="sell out"):
        live_batch.change_status(new_status=S.SOLD_OUT, reason="empty", **who)
    live_batch.dispose(quantity=5, bucket=Bucket.DEFECTIVE, reason=AdjustmentReason.DAMAGED, **who)
    live_batch.change_status(new_status=S.SOLD_OUT, reason="empty", **who)
    live_batch.change_status(new_status=S.CLOSED, reason="archive", **who)
    assert live_batch.status is S.CLOSED


def test_invalid_transitions_are_refused_and_change_nothing(
    live_batch: Batch, who: dict[str, Any]
) -> None:
    live_batch.change_status(new_status=S.PHOTOGRAPHY_COMPLETE, reason="photos", **who)
    before = live_batch.state
    with pytest.raises(InvalidStatusTransitionError) as caught:
        live_batch.change_status(new_status=S.CLOSED, reason="x", **who)
    assert caught.value.message == "Cannot transition from PHOTOGRAPHY_COMPLETE to CLOSED"
    with pytest.raises(InvalidStatusTransitionError):
        live_batch.change_status(new_status=S.PHOTOGRAPHY_COMPLETE, reason="x", **who)
    assert live_batch.state == before


def test_a_status_change_needs_a_reason(live_batch: Batch, who: dict[str, Any]) -> None:
    with pytest.raises(ReasonRequiredError):
        live_batch.change_status(new_status=S.ON_HOLD, reason="  ", **who)


def test_status_machine_walk_bumps_version_once_per_change(
    live_batch: Batch, who: dict[str, Any]
) -> None:
    start = live_batch.version
    for status in (S.ON_HOLD, S.QUARANTINED, S.LIVE, S.PHOTOGRAPHY_COMPLETE, S.ON_HOLD, S.LIVE):
        live_batch.change_status(new_status=status, reason="walk", **who)
    assert live_batch.version == start + 6
    assert live_batch.buckets.on_hand == d("100")


def test_time_cannot_go_backwards(live_batch: Batch, who: dict[str, Any]) -> None:
    earlier = who["occurred_at"] - timedelta(seconds=1)
    with pytest.raises(ValidationError, match="occurred_at"):
        live_batch.change_status(new_status=S.ON_HOLD, reason="x", actor="u", occurred_at=earlier)
