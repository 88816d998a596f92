from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from inventory.domain import (
    BRACKET_DAYS,
    AgingBracket,
    InvalidQuantityError,
    StockStatus,
    ValidationError,
    age_in_days,
    aging_bracket,
    received_window,
    stock_status,
)

AS_OF = datetime(2026, 6, 30, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("age", "bracket"),
    [
        (timedelta(0), AgingBracket.FRESH),
        (timedelta(days=14, hours=23), AgingBracket.FRESH),
        (timedelta(days=15), AgingBracket.MODERATE),
        (timedelta(days=30, hours=23, minutes=59), AgingBracket.MODERATE),
        (timedelta(days=31), AgingBracket.AGING),
        (timedelta(days=60, hours=23), AgingBracket.AGING),
        (timedelta(days=61), AgingBracket.CRITICAL),
        (timedelta(days=900), AgingBracket.CRITICAL),
    ],
)
def test_aging_bracket_boundaries(age: timedelta, bracket: AgingBracket) -> None:
    assert aging_bracket(AS_OF - age, as_of=AS_OF) is bracket


def test_age_is_whole_days_and_never_negative() -> None:
    assert age_in_days(AS_OF - timedelta(days=3, hours=23), as_of=AS_OF) == 3
    assert age_in_days(AS_OF + timedelta(minutes=5), as_of=AS_OF) == 0
    assert aging_bracket(AS_OF + timedelta(days=2), as_of=AS_OF) is AgingBracket.FRESH


def test_each_bracket_has_its_documented_day_range() -> None:
    assert [BRACKET_DAYS[b] for b in AgingBracket] == [
        (0, 14),
        (15, 30),
        (31, 60),
        (61, None),
    ]


def test_aging_needs_aware_utc_times() -> None:
    with pytest.raises(ValidationError):
        age_in_days(datetime(2026, 1, 1), as_of=AS_OF)


@given(
    received=st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2027, 1, 1), timezones=st.just(UTC)
    )
)
def test_received_window_agrees_with_aging_bracket(received: datetime) -> None:
    for bracket in AgingBracket:
        after, not_after = received_window(bracket, as_of=AS_OF)
        inside = (after is None or received > after) and (
            not_after is None or received <= not_after
        )
        assert inside is (aging_bracket(received, as_of=AS_OF) is bracket)


@pytest.mark.parametrize(
    ("available", "status"),
    [
        ("0", StockStatus.OUT_OF_STOCK),
        ("0.0001", StockStatus.LOW_STOCK),
        ("10", StockStatus.LOW_STOCK),
        ("10.0001", StockStatus.IN_STOCK),
    ],
)
def test_stock_status_with_the_default_threshold(available: str, status: StockStatus) -> None:
    assert stock_status(Decimal(available)) is status


def test_stock_status_with_a_custom_threshold() -> None:
    assert stock_status(Decimal("50"), low_stock_threshold=Decimal("50")) is StockStatus.LOW_STOCK
    assert stock_status(Decimal("1"), low_stock_threshold=0) is StockStatus.IN_STOCK


def test_stock_status_refuses_negative_or_float_input() -> None:
    with pytest.raises(ValidationError):
        stock_status(Decimal("-1"))
    with pytest.raises(ValidationError):
        stock_status(Decimal("1"), low_stock_threshold=Decimal("-1"))
    with pytest.raises(InvalidQuantityError):
        stock_status(1.5)  # type: ignore[arg-type]
