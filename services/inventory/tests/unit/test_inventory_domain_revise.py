"""Revising a batch's descriptive details: validated like intake, identity fixed, no movements."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from inventory.domain import (
    Batch,
    BatchClosedError,
    BatchRevised,
    BatchStatus,
    Costing,
    PaymentTerms,
    ReasonRequiredError,
    ValidationError,
)


def test_revise_replaces_the_details_bumps_the_version_and_moves_nothing(
    live_batch: Batch, who: dict[str, Any]
) -> None:
    before = live_batch.state
    revised = replace(
        before.details,
        costing=Costing.range(Decimal("2"), Decimal("3")),
        payment_terms=PaymentTerms.COD,
        grade=" B ",
        sku="NEW-SKU",
    )
    result = live_batch.revise(details=revised, reason="repricing", **who)
    assert result.movements == ()
    (event,) = result.events
    assert isinstance(event, BatchRevised)
    assert (event.before, event.reason, event.version) == (before.details, "repricing", 3)
    assert live_batch.details.grade == "B"  # normalised like intake
    assert live_batch.details.costing.unit_cogs_min == Decimal("2.0000")
    assert live_batch.version == before.version + 1
    assert live_batch.buckets == before.buckets
    assert live_batch.status is BatchStatus.LIVE


def test_revise_with_unchanged_details_still_moves_the_version_on(
    live_batch: Batch, who: dict[str, Any]
) -> None:
    version = live_batch.version
    live_batch.revise(details=live_batch.details, reason="new price", **who)
    assert live_batch.version == version + 1


@pytest.mark.parametrize(
    "change",
    [
        {"code": "B-9"},
        {"product_id": "p-9"},
        {"vendor_id": "v-9"},
        {"brand_id": "b-9"},
        {"lot_id": "l-9"},
        {"category": "Edible"},
        {"strain": "OG Kush"},
    ],
)
def test_revise_refuses_to_change_what_the_batch_is(
    live_batch: Batch, who: dict[str, Any], change: dict[str, str]
) -> None:
    before = live_batch.state
    with pytest.raises(ValidationError) as refused:
        live_batch.revise(details=replace(before.details, **change), reason="x", **who)
    assert [e.field for e in refused.value.errors] == list(change)
    assert live_batch.state == before


def test_revise_validates_costing_like_intake(live_batch: Batch, who: dict[str, Any]) -> None:
    bad = replace(live_batch.details, costing=Costing.range(Decimal("3"), Decimal("3")))
    with pytest.raises(ValidationError, match="unit_cogs_max"):
        live_batch.revise(details=bad, reason="x", **who)


def test_revise_needs_a_reason(live_batch: Batch, who: dict[str, Any]) -> None:
    with pytest.raises(ReasonRequiredError):
        live_batch.revise(details=live_batch.details, reason="  ", **who)


def test_a_closed_batch_cannot_be_revised(make_batch: Any, who: dict[str, Any]) -> None:
    batch = make_batch(status=BatchStatus.AWAITING_INTAKE)
    batch.change_status(new_status=BatchStatus.CLOSED, reason="cancelled", **who)
    with pytest.raises(BatchClosedError):
        batch.revise(details=batch.details, reason="x", **who)


def test_revise_refuses_time_going_backwards(live_batch: Batch, who: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="occurred_at"):
        live_batch.revise(
            details=live_batch.details,
            reason="x",
            actor="u",
            occurred_at=who["occurred_at"] - timedelta(seconds=1),
        )
