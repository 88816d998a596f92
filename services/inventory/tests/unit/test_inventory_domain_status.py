from decimal import Decimal
from itertools import product

import pytest
from inventory.domain import (
    ALLOWED_TRANSITIONS,
    PHYSICAL_BUCKETS,
    BatchStatus,
    Bucket,
    Buckets,
    InvalidStatusTransitionError,
    allowed_transitions,
    can_transition,
    ensure_transition,
    spec_field,
)

S = BatchStatus

# The spec's diagram, written out edge by edge.
SPEC_EDGES = {
    (S.AWAITING_INTAKE, S.LIVE),
    (S.AWAITING_INTAKE, S.CLOSED),
    (S.LIVE, S.PHOTOGRAPHY_COMPLETE),
    (S.LIVE, S.ON_HOLD),
    (S.LIVE, S.QUARANTINED),
    (S.LIVE, S.SOLD_OUT),
    (S.LIVE, S.CLOSED),
    (S.PHOTOGRAPHY_COMPLETE, S.LIVE),
    (S.PHOTOGRAPHY_COMPLETE, S.ON_HOLD),
    (S.PHOTOGRAPHY_COMPLETE, S.QUARANTINED),
    (S.ON_HOLD, S.LIVE),
    (S.ON_HOLD, S.QUARANTINED),
    (S.ON_HOLD, S.CLOSED),
    (S.QUARANTINED, S.LIVE),
    (S.QUARANTINED, S.CLOSED),
    (S.SOLD_OUT, S.CLOSED),
}


@pytest.mark.parametrize(("current", "new"), list(product(BatchStatus, BatchStatus)))
def test_the_transition_graph_is_exactly_the_specs(current: BatchStatus, new: BatchStatus) -> None:
    assert can_transition(current, new) is ((current, new) in SPEC_EDGES)


def test_every_status_has_an_entry_and_closed_is_terminal() -> None:
    assert set(ALLOWED_TRANSITIONS) == set(BatchStatus)
    assert allowed_transitions(S.CLOSED) == frozenset()


def test_an_invalid_transition_has_the_specs_code_and_message() -> None:
    with pytest.raises(InvalidStatusTransitionError) as caught:
        ensure_transition(S.SOLD_OUT, S.LIVE)
    assert caught.value.code == "INVALID_STATUS_TRANSITION"
    assert caught.value.message == "Cannot transition from SOLD_OUT to LIVE"
    assert caught.value.details == {"current": "SOLD_OUT", "new": "LIVE"}


def test_a_transition_to_the_same_status_is_not_an_edge() -> None:
    for status in BatchStatus:
        assert not can_transition(status, status)


def q(value: str) -> Decimal:
    return Decimal(value).quantize(Decimal("0.0001"))


def test_available_is_the_specs_formula() -> None:
    buckets = Buckets(on_hand=q("100"), reserved=q("10"), hold=q("5"), defective=q("7"))
    assert buckets.available == q("85")
    assert buckets.physical == q("107")
    assert buckets.earmarks_fit


def test_available_clamps_only_the_quarantine_term() -> None:
    quarantined = Buckets(quarantine=q("40"))
    assert quarantined.unclamped_available == q("-40")
    assert quarantined.available == q("0")
    assert quarantined.physical == q("40")


def test_earmarks_beyond_on_hand_are_reported_not_hidden() -> None:
    assert not Buckets(on_hand=q("5"), reserved=q("4"), hold=q("2")).earmarks_fit


def test_bucket_spec_fields_match_the_spec_columns() -> None:
    assert [spec_field(b) for b in Bucket] == [
        "onHandQty",
        "reservedQty",
        "quarantineQty",
        "holdQty",
        "defectiveQty",
    ]
    assert {b for b in Bucket if b in PHYSICAL_BUCKETS} == {
        Bucket.ON_HAND,
        Bucket.QUARANTINE,
        Bucket.DEFECTIVE,
    }
