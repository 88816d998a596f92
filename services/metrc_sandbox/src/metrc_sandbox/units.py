"""Quantity conversion between units of the same quantity type, in Decimal."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from metrc_sandbox.catalog import UnitOfMeasure

# Converting into a bigger unit divides by a factor like 28.349523125 and never terminates; Metrc keeps
# a handful of decimals, so results are held to six places rather than 28 significant digits.
_PLACES = Decimal("0.000001")


def convert(quantity: Decimal, source: UnitOfMeasure, target: UnitOfMeasure) -> Decimal:
    """``quantity`` of ``source`` expressed in ``target``; both must share a quantity type."""
    if source.quantity_type != target.quantity_type:
        raise ValueError(f"cannot convert {source.name} to {target.name}")
    if source.name == target.name:
        return quantity
    converted = quantity * source.to_base / target.to_base
    return converted.quantize(_PLACES, rounding=ROUND_HALF_EVEN)
