from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from inventory.domain import (
    AdjustmentReason,
    Batch,
    BatchClosedError,
    BatchDeleted,
    BatchNotEmptyError,
    BatchNotFoundError,
    BatchStatus,
    BatchStatusChanged,
    Bucket,
    InvalidStatusTransitionError,
    OptimisticLockConflictError,
    ReasonRequiredError,
    Reference,
)

S = BatchStatus
MakeBatch = Callable[..., Batch]


def empty(batch: Batch, who: dict[str, Any]) -> Batch:
    batch.dispose(
        quantity=batch.buckets.on_hand,
        bucket=Bucket.ON_HAND,
        reason=AdjustmentReason.EXPIRED,
        **who,
    )
    return batch


def test_delete_goes_through_closed_and_records_deleted_at(
    live_batch: Batch, who: dict[str, Any]
) -> None:
    empty(live_batch, who)
    later = who["occurred_at"] + timedelta(hours=1)
    result = live_batch.delete(reason="cleanup", actor="admin", occurred_at=later)

    assert live_batch.status is S.CLOSED
    assert live_batch.deleted_at == later
    assert live_batch.is_deleted
    assert result.movements == ()
    changed, deleted = result.events
    assert isinstance(changed, BatchStatusChanged)
    assert (changed.from_status, changed.to_status) == (S.LIVE, S.CLOSED)
    assert isinstance(deleted, BatchDeleted)
    assert changed.version == deleted.version == live_batch.version


def test_deleting_an_already_closed_batch_only_records_deleted_at(
    live_batch: Batch, who: dict[str, Any]
) -> None:
    empty(live_batch, who)
    live_batch.change_status(new_status=S.CLOSED, reason="done", **who)
    result = live_batch.delete(reason="cleanup", **who)
    assert [type(e) for e in result.events] == [BatchDeleted]


def test_delete_refuses_batches_with_stock_anywhere(
    make_batch: MakeBatch, who: dict[str, Any]
) -> None:
    quarantined = make_batch(S.QUARANTINED)
    with pytest.raises(BatchNotEmptyError) as caught:
        quarantined.delete(reason="cleanup", **who)
    assert caught.value.details["physical"] == "100.0000"

    live = empty(make_batch(), who)
    live.receive_return(quantity=1, refund=True, **who)
    live.mark_defective(quantity=1, reason=AdjustmentReason.DAMAGED, **who)
    assert live.buckets.on_hand == Decimal("0.0000")
    with pytest.raises(BatchNotEmptyError, match="delete"):
        live.delete(reason="cleanup", **who)


def test_delete_refuses_reserved_or_held_stock(live_batch: Batch, who: dict[str, Any]) -> None:
    live_batch.reserve(quantity=1, reference=Reference("ORDER", "1"), **who)
    with pytest.raises(BatchNotEmptyError) as caught:
        live_batch.delete(reason="cleanup", **who)
    assert caught.value.details["reserved"] == "1.0000"


def test_delete_respects_the_status_machine(make_batch: MakeBatch, who: dict[str, Any]) -> None:
    batch = empty(make_batch(S.PHOTOGRAPHY_COMPLETE), who)
    with pytest.raises(InvalidStatusTransitionError, match="PHOTOGRAPHY_COMPLETE to CLOSED"):
        batch.delete(reason="cleanup", **who)


def test_delete_needs_a_reason(live_batch: Batch, who: dict[str, Any]) -> None:
    empty(live_batch, who)
    with pytest.raises(ReasonRequiredError):
        live_batch.delete(reason="", **who)


def test_a_deleted_or_closed_batch_refuses_everything(
    live_batch: Batch, who: dict[str, Any]
) -> None:
    empty(live_batch, who)
    live_batch.change_status(new_status=S.CLOSED, reason="done", **who)
    with pytest.raises(BatchClosedError) as caught:
        live_batch.receive_return(quantity=1, refund=True, **who)
    assert (caught.value.code, caught.value.details["deleted"]) == ("BATCH_CLOSED", False)
    live_batch.delete(reason="cleanup", **who)
    with pytest.raises(BatchClosedError, match="is deleted"):
        live_batch.delete(reason="again", **who)


def test_check_version_detects_a_stale_client(live_batch: Batch, who: dict[str, Any]) -> None:
    seen = live_batch.version
    live_batch.check_version(seen)
    live_batch.hold(quantity=1, **who)
    with pytest.raises(OptimisticLockConflictError) as caught:
        live_batch.check_version(seen)
    assert caught.value.code == "OPTIMISTIC_LOCK_CONFLICT"
    assert caught.value.message == "Batch was modified by another user"
    assert caught.value.details == {"expected_version": seen, "actual_version": seen + 1}


def test_batch_not_found_uses_the_specs_message() -> None:
    error = BatchNotFoundError("42")
    assert (error.code, error.message, error.details) == (
        "BATCH_NOT_FOUND",
        "Batch 42 not found",
        {"batch_id": "42"},
    )


@pytest.mark.parametrize("target", list(S))
def test_leaving_closed_is_the_specs_invalid_transition_deleted_or_not(
    live_batch: Batch, who: dict[str, Any], target: S
) -> None:
    empty(live_batch, who)
    live_batch.change_status(new_status=S.CLOSED, reason="done", **who)
    for _ in range(2):  # closed, then closed and deleted
        with pytest.raises(InvalidStatusTransitionError) as caught:
            live_batch.change_status(new_status=target, reason="reopen", **who)
        assert caught.value.code == "INVALID_STATUS_TRANSITION"
        assert caught.value.message == f"Cannot transition from CLOSED to {target}"
        if live_batch.deleted_at is None:
            live_batch.delete(reason="cleanup", **who)
