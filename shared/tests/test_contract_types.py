"""The value types every contract model shares (shared.contracts.types): what they accept, what
they refuse, and that a refusal is a validation error (a 422), never an exception that escapes
as a 500."""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated

import pytest
import shared.contracts.inventory
import shared.events.inventory
from pydantic import BaseModel, TypeAdapter, ValidationError
from shared.contracts.types import DecimalString, DecimalTotalString, UtcDateTime

INSTANTS = TypeAdapter(UtcDateTime)
DECIMALS = TypeAdapter(DecimalString)
TOTALS = TypeAdapter(DecimalTotalString)


def _contract_models() -> Iterator[type[BaseModel]]:
    for module in (shared.contracts.inventory, shared.events.inventory):
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, BaseModel):
                yield value


class TestInstants:
    @pytest.mark.parametrize(
        "text", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "9999-12-31T23:00-01:00"]
    )
    def test_an_instant_outside_years_1_to_9999_in_utc_is_a_validation_error(
        self, text: str
    ) -> None:
        with pytest.raises(ValidationError, match="years 1 to 9999"):
            INSTANTS.validate_python(text)

    def test_the_extreme_representable_instants_are_accepted_in_utc(self) -> None:
        assert INSTANTS.validate_python("0001-01-01T00:00:00Z") == datetime(1, 1, 1, tzinfo=UTC)
        assert INSTANTS.validate_python("9999-12-31T23:59:59+00:00") == datetime(
            9999, 12, 31, 23, 59, 59, tzinfo=UTC
        )
        assert INSTANTS.validate_python("0001-01-01T00:00:00-01:00").hour == 1

    def test_a_naive_instant_is_refused(self) -> None:
        with pytest.raises(ValidationError):
            INSTANTS.validate_python("2026-01-01T00:00:00")


class TestTotals:
    def test_a_total_holds_more_integer_digits_than_one_stored_quantity(self) -> None:
        total = TOTALS.validate_python("29999999999999940000001.0002")
        assert total == Decimal("29999999999999940000001.0002")
        assert TOTALS.dump_json(total) == b'"29999999999999940000001.0002"'

    def test_a_total_keeps_the_four_place_rule(self) -> None:
        with pytest.raises(ValidationError):
            TOTALS.validate_python("1.00001")


class TestNumbersForStrings:
    @pytest.mark.parametrize("number", [5, 0, -3, 10**30, 2.5, 0.1, True, float("nan")])
    @pytest.mark.parametrize("adapter", [DECIMALS, TOTALS], ids=["quantity", "total"])
    def test_a_json_number_is_refused_with_an_error_that_says_to_send_a_string(
        self, adapter: TypeAdapter[Decimal], number: object
    ) -> None:
        with pytest.raises(ValidationError, match="as a decimal string"):
            adapter.validate_python(number)
        with pytest.raises(ValidationError, match="as a decimal string"):
            adapter.validate_json(json.dumps(number))

    def test_the_same_quantity_as_a_string_is_accepted(self) -> None:
        assert DECIMALS.validate_python("5") == Decimal(5)
        assert DECIMALS.validate_json('"-2.5000"') == Decimal("-2.5000")
        assert DECIMALS.validate_python(Decimal("0.1")) == Decimal("0.1")

    def test_every_contract_model_spells_quantities_and_money_with_the_one_type(self) -> None:
        # A float, an int or a plain Decimal field would let a JSON number through.
        checked = 0
        for model in _contract_models():
            for name, field in model.model_fields.items():
                annotation = repr(field.annotation)
                assert "float" not in annotation, (model.__name__, name)
                if "Decimal" in annotation:
                    spelled = field.annotation
                    if field.metadata:
                        spelled = Annotated[spelled, *field.metadata]
                    adapter = TypeAdapter(spelled)
                    with pytest.raises(ValidationError, match="as a decimal string"):
                        adapter.validate_python(5)
                    checked += 1
        assert checked > 50
