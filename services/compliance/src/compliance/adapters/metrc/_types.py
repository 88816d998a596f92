"""Field types that absorb Metrc's wire quirks so the rest of Canopy never sees them.

- Quantities are ``Decimal``; bodies are decoded with ``parse_float=Decimal`` so no value ever
  passes through a binary float.
- ``0001-01-01...`` (Metrc's "no date") becomes ``None``.
- Date-times are aware UTC. Metrc sends offsets with up to 7 fractional digits, ``Z``, or no
  offset at all (some transfer times); the last is read as UTC because nothing in the payload
  says otherwise.
- Enums on nested objects arrive as strings on one endpoint and as integers on another; they are
  kept as given (``str | int``) rather than guessed.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer

__all__ = [
    "IntOrStr",
    "MetrcDate",
    "MetrcDateTime",
    "Quantity",
    "parse_metrc_date",
    "parse_metrc_datetime",
]

_FRACTION = re.compile(r"(\.\d{6})\d+")


def _is_null_date(value: str) -> bool:
    return value.startswith("0001-01-01")


def parse_metrc_datetime(value: Any) -> datetime | None:
    """Read one Metrc date-time into an aware UTC ``datetime`` (``None`` for Metrc's nulls)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime(value.year, value.month, value.day, tzinfo=UTC)
    elif isinstance(value, str):
        text = value.strip()
        if _is_null_date(text):
            return None
        # Python keeps microseconds; Metrc (.NET) sends up to 7 digits.
        text = _FRACTION.sub(r"\1", text)
        parsed = datetime.fromisoformat(text)
    else:
        raise TypeError(f"not a date-time: {value!r}")
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def parse_metrc_date(value: Any) -> date | None:
    """Read a Metrc date (``YYYY-MM-DD``, sometimes sent as a date-time) or ``None``."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if _is_null_date(text):
            return None
        if len(text) > 10:
            # A date-time in a date field: keep the calendar date as written, not its UTC shift.
            return date.fromisoformat(text[:10])
        return date.fromisoformat(text)
    raise TypeError(f"not a date: {value!r}")


def _to_decimal(value: Any) -> Any:
    if isinstance(value, float):
        # Only reached when a caller builds a model from Python floats; repr() is the shortest
        # string that round-trips, which is what the caller meant.
        return Decimal(repr(value))
    return value


def _date_out(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _datetime_out(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat().replace("+00:00", "Z")


MetrcDate = Annotated[
    date | None, BeforeValidator(parse_metrc_date), PlainSerializer(_date_out, when_used="json")
]
MetrcDateTime = Annotated[
    datetime | None,
    BeforeValidator(parse_metrc_datetime),
    PlainSerializer(_datetime_out, when_used="json"),
]
Quantity = Annotated[Decimal, BeforeValidator(_to_decimal)]
IntOrStr = int | str
