"""Value types shared by the HTTP contracts and the event payloads.

* :data:`DecimalString`: quantities and money. Python ``Decimal`` in code, a JSON *string* on the
  wire (``"12.5000"``): every JSON number is refused on input, integers included, with an error
  that says to send a string (a client that sends a float has already rounded it through binary
  floating point, and a rule that took 5 but not 0.1 would be a rule nobody can guess). The gateway
  and the services validate with the same models, so the rule is the same at both.
* :data:`DecimalTotalString`: a sum over many rows (a summary's totals): the same rules without the
  NUMERIC(15,4) bound on integer digits, since no stored column holds it.
* :data:`UtcDateTime`: aware datetimes, normalised to UTC; naive ones, and those whose UTC year
  would fall outside 1 to 9999, are refused.
* :class:`ApiModel`: the base of every HTTP model: camelCase on the wire (``onHandQty``), snake_case
  in Python, unknown fields refused.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Final

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    WithJsonSchema,
)
from pydantic.alias_generators import to_camel

__all__ = [
    "DECIMAL_PATTERN",
    "DECIMAL_TOTAL_PATTERN",
    "ApiModel",
    "DecimalString",
    "DecimalTotalString",
    "UtcDateTime",
]

DECIMAL_PATTERN: Final = r"^-?\d{1,11}(\.\d{1,4})?$"
"""What NUMERIC(15,4) holds: up to 11 integer digits and up to 4 decimal places."""
_DECIMAL_RE: Final = re.compile(DECIMAL_PATTERN)
DECIMAL_TOTAL_PATTERN: Final = r"^-?\d+(\.\d{1,4})?$"
"""A sum of NUMERIC(15,4) values: as many integer digits as it takes, 4 decimal places."""
_DECIMAL_TOTAL_RE: Final = re.compile(DECIMAL_TOTAL_PATTERN)


def _parse_decimal(value: Any) -> Decimal:
    return _decimal_matching(value, _DECIMAL_RE, "at most 11 integer digits and 4 decimal places")


def _parse_decimal_total(value: Any) -> Decimal:
    return _decimal_matching(value, _DECIMAL_TOTAL_RE, "at most 4 decimal places")


def _decimal_matching(value: Any, pattern: re.Pattern[str], limits: str) -> Decimal:
    # Any JSON number is refused, integers too: one rule for every quantity and money field (a
    # float has already lost digits, and accepting 5 but not 0.1 is a rule nobody can guess).
    if isinstance(value, int | float):
        raise ValueError(
            'must be sent as a decimal string such as "12.5000" (in quotes), not as a JSON number'
        )
    if isinstance(value, Decimal):
        text = format(value, "f")
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise ValueError('must be sent as a decimal string such as "12.5000"')
    if not pattern.fullmatch(text):
        raise ValueError(f'must be a decimal with {limits}, e.g. "12.5000"')
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        raise ValueError("is not a decimal number") from None


def _format_decimal(value: Decimal) -> str:
    # Fixed-point always: str(Decimal("1E+3")) would be "1E+3".
    return format(value, "f")


DecimalString = Annotated[
    Decimal,
    BeforeValidator(_parse_decimal),
    PlainSerializer(_format_decimal, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": DECIMAL_PATTERN, "examples": ["12.5000"]}),
]
"""A Decimal that travels as a JSON string (NUMERIC(15,4) range)."""

DecimalTotalString = Annotated[
    Decimal,
    BeforeValidator(_parse_decimal_total),
    PlainSerializer(_format_decimal, return_type=str, when_used="json"),
    WithJsonSchema(
        {"type": "string", "pattern": DECIMAL_TOTAL_PATTERN, "examples": ["123456789012.5000"]}
    ),
]
"""A Decimal sum that travels as a JSON string: unbounded integer digits, 4 decimal places."""


def _to_utc(value: datetime) -> datetime:
    # 9999-12-31T23:59:59-14:00 is a valid ISO 8601 instant that falls in year 10000 in UTC,
    # which no datetime holds: an OverflowError that pydantic would let escape as a 500.
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError(
            "is outside the instants this API can represent (years 1 to 9999 in UTC)"
        ) from None


UtcDateTime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
"""An aware datetime, converted to UTC; naive datetimes, and instants outside years 1 to 9999 in
UTC, are refused."""


class ApiModel(BaseModel):
    """Base of the HTTP models: camelCase aliases on the wire, snake_case attributes in Python."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        extra="forbid",
        frozen=True,
    )
