from decimal import Decimal

import pytest
from inventory.domain import (
    MAX_QUANTITY,
    Buckets,
    InvalidQuantityError,
    InvariantViolationError,
    QuantityMap,
    to_positive_quantity,
    to_quantity,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("1.5"), "1.5000"),
        (3, "3.0000"),
        ("2.0001", "2.0001"),
        ("-7.25", "-7.2500"),
        ("1.00000", "1.0000"),
        (Decimal("-0"), "0.0000"),
    ],
)
def test_quantities_are_quantized_to_four_places(value: object, expected: str) -> None:
    result = to_quantity(value)  # type: ignore[arg-type]
    assert str(result) == expected
    assert result.as_tuple().exponent == -4


@pytest.mark.parametrize("value", [1.5, True, None, b"1"])
def test_floats_bools_and_other_types_are_refused(value: object) -> None:
    with pytest.raises(InvalidQuantityError) as caught:
        to_quantity(value)  # type: ignore[arg-type]
    assert caught.value.code == "INVALID_QUANTITY"


@pytest.mark.parametrize("value", ["abc", "NaN", "Infinity", Decimal("sNaN"), ""])
def test_non_numbers_are_refused(value: object) -> None:
    with pytest.raises(InvalidQuantityError):
        to_quantity(value)  # type: ignore[arg-type]


def test_more_than_four_decimal_places_is_refused_not_rounded() -> None:
    with pytest.raises(InvalidQuantityError, match="more than 4 decimal places"):
        to_quantity("1.00005")


def test_quantities_beyond_numeric_15_4_are_refused() -> None:
    assert to_quantity(MAX_QUANTITY) == MAX_QUANTITY
    with pytest.raises(InvalidQuantityError, match="largest storable"):
        to_quantity("100000000000")


@pytest.mark.parametrize("value", ["0", "-1", "0.0000"])
def test_positive_quantity_refuses_zero_and_negatives(value: str) -> None:
    with pytest.raises(InvalidQuantityError, match="greater than zero"):
        to_positive_quantity(value)


def test_quantity_map_drops_keys_that_reach_zero_and_totals() -> None:
    empty: QuantityMap[str] = QuantityMap()
    holdings = empty.with_change("A", Decimal("5.0000")).with_change("B", Decimal("2.0000"))
    assert holdings.total() == Decimal("7.0000")
    drained = holdings.with_change("A", Decimal("-5.0000"))
    assert dict(drained) == {"B": Decimal("2.0000")}
    assert drained.quantity("A") == Decimal("0.0000")
    assert drained == QuantityMap({"B": Decimal("2.0000")})


def test_quantity_map_never_goes_negative_or_holds_zero() -> None:
    empty: QuantityMap[str] = QuantityMap()
    with pytest.raises(InvariantViolationError):
        empty.with_change("A", Decimal("-1.0000"))
    with pytest.raises(InvariantViolationError):
        QuantityMap({"A": Decimal("0.0000")})


def test_buckets_refuse_negative_or_unquantized_balances() -> None:
    with pytest.raises(InvariantViolationError):
        Buckets(on_hand=Decimal("-1.0000"))
    with pytest.raises(InvariantViolationError):
        Buckets(on_hand=Decimal("1"))
