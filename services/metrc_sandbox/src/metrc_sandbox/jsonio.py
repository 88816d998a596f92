"""JSON in and out without ever turning a quantity into a float.

Request bodies are parsed with ``parse_float=Decimal``. On the way out Decimals must still be JSON
*numbers* (Metrc returns numbers), which ``json.dumps`` cannot write exactly, so each Decimal is first
written as a marked string and the marks are then stripped by one regex pass over the document.
"""

from __future__ import annotations

import json
import re
import secrets
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from starlette.responses import JSONResponse

_MARK = f"dec{secrets.token_hex(6)}:"
_MARKED = re.compile(rf'"{_MARK}(-?[0-9]+(?:\.[0-9]+)?)"')


def decimal_text(value: Decimal) -> str:
    """Plain notation (never exponent), trailing zeros dropped but at least one digit."""
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return format(value.normalize(), "f")


def _default(value: object) -> object:
    if isinstance(value, Decimal):
        return _MARK + decimal_text(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def dumps(document: Any) -> str:
    text = json.dumps(document, default=_default, ensure_ascii=False, separators=(",", ":"))
    return _MARKED.sub(r"\1", text)


def loads(raw: bytes | str) -> Any:
    return json.loads(raw, parse_float=Decimal)


class MetrcJSONResponse(JSONResponse):
    """JSONResponse that writes Decimals as exact JSON numbers."""

    def render(self, content: Any) -> bytes:
        return dumps(content).encode("utf-8")
