"""The HTTP edge's error body: invalid input found by the domain reads like the schema check's,
``details.problems`` with the field as the wire spells it and where it was."""

from __future__ import annotations

import pytest
from inventory.domain import (
    FieldError,
    InvalidQuantityError,
    NegativeInventoryError,
    ValidationError,
)
from inventory.entrypoints.errors import INTAKE_FIELDS, error_body, wire_names


def details(error: Exception) -> dict[str, object]:
    body = error_body(error)  # type: ignore[arg-type]
    return body.error.details


def test_domain_field_names_become_the_wires_camel_case_paths() -> None:
    error = ValidationError(
        [FieldError("unit_cogs_max", "must be greater"), FieldError("product.unitOfMeasure", "x")]
    )
    assert details(error) == {
        "problems": [
            {"field": "unitCogsMax", "in": "body", "problem": "must be greater"},
            {"field": "product.unitOfMeasure", "in": "body", "problem": "x"},
        ]
    }
    assert error_body(error).error.message.startswith("The request is not valid: unitCogsMax:")


def test_a_cursor_is_a_query_problem() -> None:
    assert details(ValidationError.single("cursor", "is not a cursor")) == {
        "problems": [{"field": "cursor", "in": "query", "problem": "is not a cursor"}]
    }


def test_an_invalid_quantity_keeps_its_code_and_lists_its_problem_too() -> None:
    error = InvalidQuantityError("adjustment must not be zero", field="adjustment", value="0")
    body = error_body(error)
    assert body.error.code == "INVALID_QUANTITY"
    assert body.error.details["value"] == "0"
    assert body.error.details["problems"] == [
        {"field": "adjustment", "in": "body", "problem": "adjustment must not be zero"}
    ]


def test_other_errors_keep_their_own_details() -> None:
    error = NegativeInventoryError(field="onHandQty", current=1, adjustment=-2)  # type: ignore[arg-type]
    assert "problems" not in details(error)


def test_intake_names_the_nested_fields_of_its_body() -> None:
    with pytest.raises(ValidationError) as caught, wire_names(INTAKE_FIELDS):
        raise ValidationError([FieldError("strain", "is required for Flower")])
    assert details(caught.value)["problems"] == [
        {"field": "product.strain", "in": "body", "problem": "is required for Flower"}
    ]
