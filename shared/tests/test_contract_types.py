"""The value types every contract model shares (shared.contracts.types): what they accept, what
they refuse, and that a refusal is a validation error (a 422), never an exception that escapes
as a 500."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from pydantic import TypeAdapter, ValidationError
from shared.contracts.types import DecimalTotalString, UtcDateTime

INSTANTS = TypeAdapter(UtcDateTime)
TOTALS = TypeAdapter(DecimalTotalString)


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
