from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from inventory.domain import (
    AdjustmentReason,
    Batch,
    BatchStatus,
    Bucket,
    Buckets,
    IntakeRequest,
    InvariantViolationError,
    LedgerInconsistencyError,
    Movement,
    MovementType,
    QuantityMap,
    Reference,
    ValidationError,
    invariant_violations,
    replay,
    verify_balances,
)

S = BatchStatus


def d(value: str) -> Decimal:
    return Decimal(value).quantize(Decimal("0.0001"))


@pytest.fixture
def history(
    make_request: Callable[..., IntakeRequest], who: dict[str, Any]
) -> tuple[Batch, list[Movement], list[Batch]]:
    """A batch taken through a day of operations, one hour apart, with its ledger and
    a snapshot of its state after each operation."""
    t0 = who["occurred_at"]
    batch, first = Batch.intake(batch_id="b-1", request=make_request(), actor="u", occurred_at=t0)
    movements = list(first.movements)
    snapshots = [Batch(batch.state)]
    order = Reference("ORDER", "9")
    steps: list[Callable[..., Any]] = [
        lambda **kw: batch.change_status(new_status=S.LIVE, reason="in", **kw),
        lambda **kw: batch.reserve(quantity=20, reference=order, **kw),
        lambda **kw: batch.transfer(quantity=40, from_location_id="A", to_location_id="B", **kw),
        lambda **kw: batch.sell(quantity=25, reference=order, location_id="B", **kw),
        lambda **kw: batch.mark_defective(quantity=5, reason=AdjustmentReason.DAMAGED, **kw),
        lambda **kw: batch.change_status(new_status=S.QUARANTINED, reason="lab", **kw),
        lambda **kw: batch.change_status(new_status=S.LIVE, reason="retest", **kw),
        lambda **kw: batch.receive_return(quantity=2, refund=True, **kw),
    ]
    for hour, step in enumerate(steps, start=1):
        result = step(actor="u", occurred_at=t0 + timedelta(hours=hour))
        movements.extend(result.movements)
        snapshots.append(Batch(batch.state))
    return batch, movements, snapshots


def test_replaying_the_whole_ledger_gives_the_current_balances(
    history: tuple[Batch, list[Movement], list[Batch]],
) -> None:
    batch, movements, _ = history
    rebuilt = replay(movements)
    assert rebuilt.buckets == batch.buckets
    assert rebuilt.locations == batch.locations
    assert rebuilt.version == batch.version
    verify_balances(batch.state, movements)


def test_replay_as_of_any_instant_gives_the_balances_then(
    history: tuple[Batch, list[Movement], list[Batch]], who: dict[str, Any]
) -> None:
    _, movements, snapshots = history
    for hour, snapshot in enumerate(snapshots):
        as_of = who["occurred_at"] + timedelta(hours=hour, minutes=30)
        rebuilt = replay(movements, as_of=as_of)
        assert rebuilt.buckets == snapshot.buckets, hour
        assert rebuilt.locations == snapshot.locations, hour


def test_replay_before_the_intake_is_empty(
    history: tuple[Batch, list[Movement], list[Batch]], who: dict[str, Any]
) -> None:
    _, movements, _ = history
    rebuilt = replay(movements, as_of=who["occurred_at"] - timedelta(seconds=1))
    assert rebuilt.buckets == Buckets()
    assert len(rebuilt.locations) == 0
    assert rebuilt.version == 0


def test_replay_detects_a_missing_movement(
    history: tuple[Batch, list[Movement], list[Batch]],
) -> None:
    _, movements, _ = history
    with pytest.raises(LedgerInconsistencyError) as caught:
        replay(movements[:3] + movements[4:])
    assert caught.value.code == "LEDGER_INCONSISTENT"


def test_replay_detects_reordering_and_mixed_batches(
    history: tuple[Batch, list[Movement], list[Batch]],
) -> None:
    _, movements, _ = history
    swapped = [movements[0], movements[2], movements[1], *movements[3:]]
    with pytest.raises(LedgerInconsistencyError, match="out of order"):
        replay(swapped)
    foreign = [*movements[:2], replace(movements[2], batch_id="other")]
    with pytest.raises(LedgerInconsistencyError, match="mixed"):
        replay(foreign)
    with pytest.raises(LedgerInconsistencyError, match="start of an operation"):
        replay(movements[3:])  # the second leg of the transfer


def test_replay_detects_time_going_backwards(
    history: tuple[Batch, list[Movement], list[Batch]],
) -> None:
    _, movements, _ = history
    early = replace(movements[2], occurred_at=movements[0].occurred_at - timedelta(days=1))
    with pytest.raises(LedgerInconsistencyError, match="back in time"):
        replay([*movements[:2], early, *movements[3:]])


def test_verify_balances_detects_a_drifted_balance(
    history: tuple[Batch, list[Movement], list[Batch]],
) -> None:
    batch, movements, _ = history
    drifted = replace(batch.state, buckets=replace(batch.buckets, defective=d("6")))
    with pytest.raises(LedgerInconsistencyError, match="ledger says"):
        verify_balances(drifted, movements)
    moved = replace(batch.state, locations=QuantityMap({"A": batch.physical}))
    with pytest.raises(LedgerInconsistencyError, match="locations"):
        verify_balances(moved, movements)


def test_replay_needs_an_aware_as_of(
    history: tuple[Batch, list[Movement], list[Batch]],
) -> None:
    _, movements, _ = history
    with pytest.raises(ValidationError):
        replay(movements, as_of=movements[0].occurred_at.replace(tzinfo=None))


def test_movements_refuse_to_be_built_inconsistent(
    history: tuple[Batch, list[Movement], list[Batch]],
) -> None:
    _, movements, _ = history
    good = movements[0]
    for broken in (
        {"after": good.after + 1},
        {"change": d("0"), "after": good.before},
        {"bucket": Bucket.RESERVED},
        {"before": d("-1"), "after": good.change - 1},
        {"occurred_at": good.occurred_at.replace(tzinfo=None)},
        {"change": Decimal("100")},
    ):
        with pytest.raises(InvariantViolationError):
            replace(good, **broken)
    assert good.type is MovementType.INTAKE


def test_reconstituting_a_corrupt_state_is_refused(live_batch: Batch) -> None:
    state = live_batch.state
    corrupt = [
        replace(state, buckets=replace(state.buckets, reserved=d("1"))),
        replace(state, buckets=replace(state.buckets, hold=d("101"))),
        replace(state, locations=QuantityMap({"A": d("99")})),
        replace(state, status=S.QUARANTINED),
        replace(
            state,
            status=S.AWAITING_INTAKE,
            buckets=replace(state.buckets, on_hand=d("0"), quarantine=d("100")),
        ),
        replace(state, status=S.SOLD_OUT),
        replace(state, deleted_at=state.updated_at),
        replace(state, version=0),
        replace(state, updated_at=state.created_at - timedelta(seconds=1)),
    ]
    for state_ in corrupt:
        assert invariant_violations(state_)
        with pytest.raises(InvariantViolationError):
            Batch(state_)
    assert invariant_violations(state) == []
    assert Batch(state).state == state
