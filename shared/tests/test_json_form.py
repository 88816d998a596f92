"""The write path's JSON form is exactly what the contracts' pydantic types write."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter
from shared.contracts.types import DecimalString, UtcDateTime
from shared.json_form import decimal_text, encode, utc_text

TIMES = TypeAdapter(UtcDateTime)
DECIMALS = TypeAdapter(DecimalString)

aware_times = st.builds(
    lambda moment, minutes: moment.replace(tzinfo=timezone(timedelta(minutes=minutes))),
    st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2999, 12, 31)),
    st.integers(min_value=-14 * 60, max_value=14 * 60),
)
quantities = st.decimals(
    min_value=Decimal("-99999999999.9999"),
    max_value=Decimal("99999999999.9999"),
    places=4,
    allow_nan=False,
    allow_infinity=False,
)


@given(aware_times)
def test_times_are_written_as_pydantic_writes_them(moment: datetime) -> None:
    assert json.dumps(utc_text(moment)) == TIMES.dump_json(TIMES.validate_python(moment)).decode()


def test_utc_times_end_with_z() -> None:
    assert utc_text(datetime(2026, 3, 2, 9, 30, tzinfo=UTC)) == "2026-03-02T09:30:00Z"
    assert utc_text(datetime(2026, 3, 2, 9, 30, 0, 5, tzinfo=UTC)) == "2026-03-02T09:30:00.000005Z"


@given(quantities)
def test_quantities_are_written_as_decimal_strings_write_them(value: Decimal) -> None:
    text = decimal_text(value)
    assert text is not None
    assert json.dumps(text) == DECIMALS.dump_json(DECIMALS.validate_python(value)).decode()
    assert decimal_text(None) is None


def test_encoding_is_compact_json_and_takes_what_orjson_refuses() -> None:
    value = {"a": [1, "é", None, True, 1.5], "big": 2**70, "nested": {"b": "x"}}
    text = encode(value)
    assert json.loads(text) == value
    assert encode({"a": [1, "é"]}) == '{"a":[1,"é"]}'
