from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from inventory.domain import (
    Batch,
    BatchDetails,
    BatchReceived,
    BatchStatus,
    Bucket,
    CogsMode,
    Costing,
    IntakeRequest,
    MovementType,
    Reference,
    ValidationError,
)

MakeRequest = Callable[..., IntakeRequest]
MakeDetails = Callable[..., BatchDetails]


def error_fields(error: ValidationError) -> set[str]:
    return {e.field for e in error.errors}


def test_intake_creates_an_awaiting_batch_at_version_one_with_one_intake_movement(
    make_request: MakeRequest, who: dict[str, Any]
) -> None:
    po = Reference("PURCHASE_ORDER", "77")
    batch, result = Batch.intake(
        batch_id="b-1", request=make_request(reference=po, notes=" first "), **who
    )

    assert batch.status is BatchStatus.AWAITING_INTAKE
    assert batch.version == 1
    assert batch.buckets.on_hand == Decimal("100.0000")
    assert dict(batch.locations) == {"A": Decimal("100.0000")}
    assert batch.primary_location_id == "A"
    assert batch.created_at == batch.updated_at == who["occurred_at"]
    (movement,) = result.movements
    assert (movement.bucket, movement.type, movement.change) == (
        Bucket.ON_HAND,
        MovementType.INTAKE,
        Decimal("100.0000"),
    )
    assert (movement.before, movement.after, movement.location_id) == (
        Decimal("0.0000"),
        Decimal("100.0000"),
        "A",
    )
    assert (movement.reference, movement.notes, movement.actor) == (po, "first", "user-7")
    (event,) = result.events
    assert isinstance(event, BatchReceived)
    assert event.movements == result.movements
    assert (event.version, event.quantity, event.location_id) == (1, Decimal("100.0000"), "A")


@pytest.mark.parametrize("quantity", [Decimal("0"), Decimal("-5"), "abc", 1.5])
def test_intake_quantity_must_be_greater_than_zero(
    make_request: MakeRequest, who: dict[str, Any], quantity: object
) -> None:
    with pytest.raises(ValidationError) as caught:
        Batch.intake(batch_id="b-1", request=make_request(quantity=quantity), **who)
    assert caught.value.code == "VALIDATION_ERROR"
    assert error_fields(caught.value) == {"quantity"}


def test_intake_reports_every_missing_field_at_once(
    make_request: MakeRequest, make_details: MakeDetails, who: dict[str, Any]
) -> None:
    details = make_details(code=" ", vendor_id="", brand_id="", product_id="", lot_id="")
    with pytest.raises(ValidationError) as caught:
        Batch.intake(batch_id="b-1", request=make_request(details=details, location_id=""), **who)
    assert error_fields(caught.value) == {
        "code",
        "vendor_id",
        "brand_id",
        "product_id",
        "lot_id",
        "location_id",
    }
    assert caught.value.details["errors"][0] == {"field": "code", "message": "is required"}  # type: ignore[index]


@pytest.mark.parametrize("category", ["Flower", "flower", " FLOWER "])
def test_flower_requires_a_strain(
    make_request: MakeRequest, make_details: MakeDetails, who: dict[str, Any], category: str
) -> None:
    details = make_details(category=category, strain="  ")
    with pytest.raises(ValidationError) as caught:
        Batch.intake(batch_id="b-1", request=make_request(details=details), **who)
    assert error_fields(caught.value) == {"strain"}


def test_other_categories_do_not_need_a_strain(
    make_request: MakeRequest, make_details: MakeDetails, who: dict[str, Any]
) -> None:
    details = make_details(category="Concentrate", strain=None)
    batch, _ = Batch.intake(batch_id="b-1", request=make_request(details=details), **who)
    assert batch.details.strain is None


def test_range_costing_needs_min_below_max(
    make_request: MakeRequest, make_details: MakeDetails, who: dict[str, Any]
) -> None:
    details = make_details(costing=Costing.range(Decimal("3"), Decimal("3")))
    with pytest.raises(ValidationError) as caught:
        Batch.intake(batch_id="b-1", request=make_request(details=details), **who)
    assert error_fields(caught.value) == {"unit_cogs_max"}


def test_range_costing_needs_both_bounds(
    make_request: MakeRequest, make_details: MakeDetails, who: dict[str, Any]
) -> None:
    costing = Costing(mode=CogsMode.RANGE, unit_cogs_min=Decimal("1"))
    details = make_details(costing=costing)
    with pytest.raises(ValidationError) as caught:
        Batch.intake(batch_id="b-1", request=make_request(details=details), **who)
    assert error_fields(caught.value) == {"unit_cogs_max"}


def test_fixed_costing_needs_unit_cogs_and_no_range(
    make_request: MakeRequest, make_details: MakeDetails, who: dict[str, Any]
) -> None:
    costing = Costing(mode=CogsMode.FIXED, unit_cogs_min=Decimal("1"))
    with pytest.raises(ValidationError) as caught:
        Batch.intake(
            batch_id="b-1", request=make_request(details=make_details(costing=costing)), **who
        )
    assert error_fields(caught.value) == {"costing", "unit_cogs"}


def test_costs_must_not_be_negative_or_too_precise(
    make_request: MakeRequest, make_details: MakeDetails, who: dict[str, Any]
) -> None:
    details = make_details(costing=Costing.range(Decimal("-1"), Decimal("2.00001")))
    with pytest.raises(ValidationError) as caught:
        Batch.intake(batch_id="b-1", request=make_request(details=details), **who)
    assert error_fields(caught.value) == {"unit_cogs_min", "unit_cogs_max"}


def test_valid_range_costing_is_normalised(
    make_request: MakeRequest, make_details: MakeDetails, who: dict[str, Any]
) -> None:
    details = make_details(costing=Costing.range(Decimal("1.5"), Decimal("2")), code=" B-9 ")
    batch, _ = Batch.intake(batch_id="b-1", request=make_request(details=details), **who)
    assert batch.details.costing.unit_cogs_min == Decimal("1.5000")
    assert str(batch.details.costing.unit_cogs_max) == "2.0000"
    assert batch.details.code == "B-9"


def test_a_total_cost_is_kept_exactly_with_fixed_costing_and_refused_with_a_range(
    make_request: MakeRequest, make_details: MakeDetails, who: dict[str, Any]
) -> None:
    fixed = Costing(mode=CogsMode.FIXED, unit_cogs=Decimal("333.3333"), total=Decimal("1000"))
    batch, _ = Batch.intake(
        batch_id="b-1", request=make_request(details=make_details(costing=fixed)), **who
    )
    assert str(batch.details.costing.total) == "1000.0000"
    ranged = Costing(
        mode=CogsMode.RANGE, unit_cogs_min=Decimal(1), unit_cogs_max=Decimal(2), total=Decimal(3)
    )
    with pytest.raises(ValidationError) as caught:
        Batch.intake(
            batch_id="b-1", request=make_request(details=make_details(costing=ranged)), **who
        )
    assert error_fields(caught.value) == {"costing"}


def test_code_and_grade_lengths_are_bounded(
    make_request: MakeRequest, make_details: MakeDetails, who: dict[str, Any]
) -> None:
    details = make_details(code="x" * 101, grade="g" * 21)
    with pytest.raises(ValidationError) as caught:
        Batch.intake(batch_id="b-1", request=make_request(details=details), **who)
    assert error_fields(caught.value) == {"code", "grade"}


def test_intake_needs_an_actor_and_an_aware_utc_time(
    make_request: MakeRequest, who: dict[str, Any]
) -> None:
    with pytest.raises(ValidationError, match="actor"):
        Batch.intake(
            batch_id="b-1", request=make_request(), actor=" ", occurred_at=who["occurred_at"]
        )
    naive = datetime(2026, 1, 1)
    with pytest.raises(ValidationError, match="occurred_at"):
        Batch.intake(batch_id="b-1", request=make_request(), actor="u", occurred_at=naive)
    eastern = datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=-5)))
    with pytest.raises(ValidationError, match="occurred_at"):
        Batch.intake(batch_id="b-1", request=make_request(), actor="u", occurred_at=eastern)
    with pytest.raises(ValidationError, match="batch_id"):
        Batch.intake(batch_id="", request=make_request(), **who)


def test_a_too_large_intake_is_refused(make_request: MakeRequest, who: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        Batch.intake(batch_id="b-1", request=make_request(quantity=Decimal("1e12")), **who)
