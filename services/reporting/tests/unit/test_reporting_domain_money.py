"""Exact arithmetic, and rounding only where a figure is shown."""

from __future__ import annotations

from decimal import Decimal, Inexact

import pytest
from reporting.domain.money import add, midpoint, money, mul, percent, ratio, sub

LARGEST = Decimal("99999999999.9999")  # NUMERIC(15,4)


def test_products_and_sums_of_the_largest_quantities_and_prices_are_exact() -> None:
    product = mul(LARGEST, LARGEST)
    assert product == Decimal("9999999999999980000000.00000001")
    assert sub(add(product, product), product) == product


def test_an_operation_that_would_round_fails_instead() -> None:
    almost_one = Decimal("1." + "0" * 59 + "1")  # its square has 121 significant digits
    with pytest.raises(Inexact):
        mul(almost_one, almost_one)


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [("1.0000", "2.0000", "1.5000"), ("0.0001", "0.0002", "0.0002"), ("0.0001", "0.0004", "0.0003"),
     ("2.0000", "2.0001", "2.0001")],
)  # fmt: skip
def test_a_range_midpoint_rounds_half_up_to_four_places_as_inventory_values_it(
    low: str, high: str, expected: str
) -> None:
    assert midpoint(Decimal(low), Decimal(high)) == Decimal(expected)
    assert str(midpoint(Decimal(low), Decimal(high))) == expected


def test_shown_money_rounds_half_to_even_at_four_places() -> None:
    assert money(Decimal("1.00005")) == Decimal("1.0000")
    assert money(Decimal("1.00015")) == Decimal("1.0002")
    assert str(money(Decimal("2.5"))) == "2.5000"


def test_a_shown_zero_never_has_a_minus_sign() -> None:
    assert str(money(Decimal("-0.00001"))) == "0.0000"
    assert str(ratio(Decimal("-0.00001"), Decimal(3))) == "0.0000"


def test_a_percentage_or_average_over_nothing_is_zero() -> None:
    assert percent(Decimal(5), Decimal(0)) == Decimal("0.00")
    assert ratio(Decimal(5), Decimal(0)) == Decimal("0.0000")
    assert percent(Decimal(1), Decimal(3)) == Decimal("33.33")
