"""Exact Decimal arithmetic for quantities and money.

Quantities and prices arrive as NUMERIC(15,4) values (up to 11 integer digits, 4 places). A
product of two such values needs 30 significant digits and a sum of a million of them a few
more, past the 28 of Python's default context, which would round silently. Every sum and
product in the read models therefore goes through :data:`EXACT`, a context wide enough for
any of them that *traps* inexact results: a figure is exact or the projection fails loudly.

Rounding happens only where a report presents a figure (:func:`money`, :func:`percent`,
:func:`ratio`), half to even as the inventory service's own totals do, and for a RANGE cost's
midpoint, which is rounded to 4 places half away from zero exactly as inventory's
``unit_cost`` column (PostgreSQL's ``round``) does, so both services value a batch alike.
"""

from __future__ import annotations

from decimal import (
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
)
from typing import Final

__all__ = [
    "EXACT",
    "PERCENT_PLACES",
    "QUANTITY_PLACES",
    "ZERO",
    "add",
    "midpoint",
    "money",
    "mul",
    "percent",
    "ratio",
    "sub",
]

EXACT: Final = Context(
    prec=100, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow, Inexact]
)
"""Additions, subtractions and multiplications that can never round (Inexact is a trap)."""

_PRESENT: Final = Context(prec=100, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, Overflow])
ZERO: Final = Decimal(0)
QUANTITY_PLACES: Final = Decimal("0.0001")
PERCENT_PLACES: Final = Decimal("0.01")


def add(a: Decimal, b: Decimal) -> Decimal:
    return EXACT.add(a, b)


def sub(a: Decimal, b: Decimal) -> Decimal:
    return EXACT.subtract(a, b)


def mul(a: Decimal, b: Decimal) -> Decimal:
    return EXACT.multiply(a, b)


def _without_sign_of_zero(value: Decimal) -> Decimal:
    # "-0.0000" is a correct Decimal and a confusing report cell.
    return value.copy_abs() if value.is_zero() else value


def money(value: Decimal) -> Decimal:
    """A figure as a report shows it: 4 places, half to even."""
    return _without_sign_of_zero(value.quantize(QUANTITY_PLACES, context=_PRESENT))


def ratio(numerator: Decimal, denominator: Decimal, places: Decimal = QUANTITY_PLACES) -> Decimal:
    """``numerator / denominator`` rounded to ``places``, half to even; 0 when the denominator
    is 0 (an average over nothing)."""
    if denominator.is_zero():
        return ZERO.quantize(places)
    quotient = _PRESENT.divide(numerator, denominator)
    return _without_sign_of_zero(quotient.quantize(places, context=_PRESENT))


def percent(part: Decimal, whole: Decimal) -> Decimal:
    """``part`` as a percentage of ``whole``, 2 places; 0 when ``whole`` is 0."""
    if whole.is_zero():
        return ZERO.quantize(PERCENT_PLACES)
    return ratio(mul(part, Decimal(100)), whole, PERCENT_PLACES)


def midpoint(low: Decimal, high: Decimal) -> Decimal:
    """The middle of a RANGE cost, rounded to 4 places half away from zero (costs are never
    negative, so half up), as inventory's ``round((min + max) / 2, 4)``."""
    return _PRESENT.divide(add(low, high), Decimal(2)).quantize(
        QUANTITY_PLACES, rounding=ROUND_HALF_UP, context=_PRESENT
    )
