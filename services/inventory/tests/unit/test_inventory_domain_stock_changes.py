from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from inventory.domain import (
    AdjustmentReason,
    Batch,
    BatchStatus,
    Bucket,
    InsufficientAtLocationError,
    InsufficientAvailableError,
    InvalidQuantityError,
    MovementType,
    NotesRequiredError,
    OperationNotAllowedError,
    ReasonRequiredError,
    Reference,
    StockDisposed,
    StockMarkedDefective,
    StockTransferred,
    ValidationError,
)

S = BatchStatus
MakeBatch = Callable[..., Batch]
DAMAGED = AdjustmentReason.DAMAGED


def d(value: str) -> Decimal:
    return Decimal(value).quantize(Decimal("0.0001"))


def legs(result: Any) -> list[tuple[Bucket, MovementType, Decimal, str | None]]:
    return [(m.bucket, m.type, m.change, m.location_id) for m in result.movements]


def test_dispose_writes_a_disposal_with_its_reason(live_batch: Batch, who: dict[str, Any]) -> None:
    result = live_batch.dispose(
        quantity=4, bucket=Bucket.ON_HAND, reason=AdjustmentReason.EXPIRED, **who
    )
    assert legs(result) == [(Bucket.ON_HAND, MovementType.DISPOSAL, d("-4"), "A")]
    assert result.movements[0].reason is AdjustmentReason.EXPIRED
    (event,) = result.events
    assert isinstance(event, StockDisposed)
    assert live_batch.physical == d("96")


def test_dispose_needs_a_reason_and_notes_for_other(live_batch: Batch, who: dict[str, Any]) -> None:
    with pytest.raises(ReasonRequiredError):
        live_batch.dispose(quantity=1, bucket=Bucket.ON_HAND, reason=None, **who)
    with pytest.raises(NotesRequiredError):
        live_batch.dispose(quantity=1, bucket=Bucket.ON_HAND, reason=AdjustmentReason.OTHER, **who)


def test_dispose_spares_reserved_and_held_stock(
    live_batch: Batch, who: dict[str, Any], order: Reference
) -> None:
    live_batch.reserve(quantity=90, reference=order, **who)
    with pytest.raises(InsufficientAvailableError, match="unreserved on-hand"):
        live_batch.dispose(quantity=11, bucket=Bucket.ON_HAND, reason=DAMAGED, **who)


def test_dispose_of_defective_stock(live_batch: Batch, who: dict[str, Any]) -> None:
    live_batch.mark_defective(quantity=6, reason=DAMAGED, **who)
    with pytest.raises(InsufficientAvailableError, match="defectiveQty"):
        live_batch.dispose(quantity=7, bucket=Bucket.DEFECTIVE, reason=DAMAGED, **who)
    live_batch.dispose(quantity=6, bucket=Bucket.DEFECTIVE, reason=DAMAGED, **who)
    assert live_batch.buckets.defective == d("0")
    assert live_batch.physical == d("94")


@pytest.mark.parametrize("bucket", [Bucket.RESERVED, Bucket.HOLD])
def test_earmarks_cannot_be_disposed_of(
    live_batch: Batch, who: dict[str, Any], bucket: Bucket
) -> None:
    with pytest.raises(ValidationError):
        live_batch.dispose(quantity=1, bucket=bucket, reason=DAMAGED, **who)


def test_mark_defective_moves_stock_between_buckets_without_moving_it(
    live_batch: Batch, who: dict[str, Any]
) -> None:
    result = live_batch.mark_defective(quantity=8, reason=DAMAGED, notes="crushed", **who)
    assert legs(result) == [
        (Bucket.ON_HAND, MovementType.DEFECTIVE, d("-8"), None),
        (Bucket.DEFECTIVE, MovementType.DEFECTIVE, d("8"), None),
    ]
    assert (live_batch.buckets.on_hand, live_batch.buckets.defective) == (d("92"), d("8"))
    assert live_batch.physical == d("100")
    assert dict(live_batch.locations) == {"A": d("100")}
    assert live_batch.available == d("92")
    (event,) = result.events
    assert isinstance(event, StockMarkedDefective)
    assert event.source_bucket is Bucket.ON_HAND


def test_mark_defective_in_quarantine_takes_from_quarantine(
    make_batch: MakeBatch, who: dict[str, Any]
) -> None:
    batch = make_batch(S.QUARANTINED)
    result = batch.mark_defective(quantity=8, reason=AdjustmentReason.QUALITY_ISSUE, **who)
    assert legs(result)[0] == (Bucket.QUARANTINE, MovementType.DEFECTIVE, d("-8"), None)


def test_mark_defective_needs_a_reason_and_spares_earmarks(
    live_batch: Batch, who: dict[str, Any], order: Reference
) -> None:
    with pytest.raises(ReasonRequiredError):
        live_batch.mark_defective(quantity=1, reason=None, **who)
    live_batch.reserve(quantity=100, reference=order, **who)
    with pytest.raises(InsufficientAvailableError):
        live_batch.mark_defective(quantity=1, reason=DAMAGED, **who)


def test_transfer_writes_a_balanced_pair(live_batch: Batch, who: dict[str, Any]) -> None:
    result = live_batch.transfer(quantity=30, from_location_id="A", to_location_id="B", **who)
    assert legs(result) == [
        (Bucket.ON_HAND, MovementType.TRANSFER, d("-30"), "A"),
        (Bucket.ON_HAND, MovementType.TRANSFER, d("30"), "B"),
    ]
    assert sum(m.change for m in result.movements) == 0
    assert dict(live_batch.locations) == {"A": d("70"), "B": d("30")}
    assert live_batch.buckets.on_hand == d("100")
    (event,) = result.events
    assert isinstance(event, StockTransferred)


def test_transferring_everything_empties_the_source(live_batch: Batch, who: dict[str, Any]) -> None:
    live_batch.transfer(quantity=100, from_location_id="A", to_location_id="B", **who)
    assert dict(live_batch.locations) == {"B": d("100")}
    assert live_batch.primary_location_id == "A"


def test_transfer_rules(live_batch: Batch, who: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="must differ"):
        live_batch.transfer(quantity=1, from_location_id="A", to_location_id="A", **who)
    with pytest.raises(ValidationError, match="to_location_id"):
        live_batch.transfer(quantity=1, from_location_id="A", to_location_id=" ", **who)
    with pytest.raises(InsufficientAtLocationError):
        live_batch.transfer(quantity=1, from_location_id="B", to_location_id="A", **who)
    with pytest.raises(InsufficientAvailableError):
        live_batch.transfer(
            quantity=1, from_location_id="A", to_location_id="B", bucket=Bucket.DEFECTIVE, **who
        )
    with pytest.raises(ValidationError):
        live_batch.transfer(
            quantity=1, from_location_id="A", to_location_id="B", bucket=Bucket.HOLD, **who
        )
    with pytest.raises(InvalidQuantityError):
        live_batch.transfer(quantity=0, from_location_id="A", to_location_id="B", **who)


def test_a_quarantined_batch_transfers_quarantine_stock(
    make_batch: MakeBatch, who: dict[str, Any]
) -> None:
    batch = make_batch(S.QUARANTINED)
    result = batch.transfer(quantity=100, from_location_id="A", to_location_id="CAGE", **who)
    assert {m.bucket for m in result.movements} == {Bucket.QUARANTINE}
    assert dict(batch.locations) == {"CAGE": d("100")}


def test_a_sold_out_batch_cannot_mark_defective(
    live_batch: Batch, who: dict[str, Any], order: Reference
) -> None:
    live_batch.sell(quantity=100, reference=order, **who)
    live_batch.change_status(new_status=S.SOLD_OUT, reason="empty", **who)
    with pytest.raises(OperationNotAllowedError):
        live_batch.mark_defective(quantity=1, reason=DAMAGED, **who)
    with pytest.raises(OperationNotAllowedError):
        live_batch.adjust(bucket=Bucket.ON_HAND, adjustment=1, reason=DAMAGED, **who)
