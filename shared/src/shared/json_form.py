"""Values in the JSON form the contracts give them (``model_dump(mode="json")`` of the
``shared`` models): times as ISO 8601 UTC with a ``Z``, quantities and money as fixed-point
decimal strings, and compact JSON text.

Hot paths (the inventory's writes, the outbox writer) build answers and events directly in this
form instead of validating pydantic models and dumping them; the tests check that the models
give back exactly what is written.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import orjson

__all__ = ["decimal_text", "encode", "utc_text"]


def utc_text(moment: datetime) -> str:
    """An aware time as pydantic writes it in JSON: ISO 8601 in UTC, ``Z`` for the offset."""
    return moment.astimezone(UTC).isoformat().removesuffix("+00:00") + "Z"


def decimal_text(value: Decimal | None) -> str | None:
    """A quantity or amount as ``DecimalString`` writes it: fixed point, never an exponent."""
    return None if value is None else format(value, "f")


_fallback = json.JSONEncoder(separators=(",", ":")).encode


def encode(value: Any) -> str:
    """Compact JSON text of a JSON-form value (str, int, float, bool, None, lists, dicts).

    orjson writes a 2.6 kB event in 3 us where the standard library takes 30; what it
    refuses (an integer beyond 64 bits in a batch's free-form metadata) the standard library
    writes."""
    try:
        return orjson.dumps(value).decode()
    except orjson.JSONEncodeError:
        return _fallback(value)
