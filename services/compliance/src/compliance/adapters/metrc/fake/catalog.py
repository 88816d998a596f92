"""The reference data of a Metrc state that the fake serves (METRC.md sections 4 and 5): units of
measure with their conversions, item categories, adjustment reasons, location and transfer types,
waste types and methods. Names match case-insensitively, as Metrc matches them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Protocol, TypeVar

__all__ = [
    "ADJUST_REASONS",
    "GROWTH_PHASES",
    "HARVEST_WASTE_TYPES",
    "ITEM_CATEGORIES",
    "LOCATION_TYPES",
    "PLANT_BATCH_TYPES",
    "PLANT_WASTE_METHODS",
    "PLANT_WASTE_REASONS",
    "TRANSFER_TYPES",
    "UNITS",
    "Category",
    "LocationType",
    "Unit",
    "convert",
    "describe",
    "named",
    "number_text",
    "one_of",
]


@dataclass(frozen=True)
class Unit:
    name: str
    abbreviation: str
    quantity_type: str
    base: Decimal
    """How many of the quantity type's base unit (gram, millilitre, each) one of it is."""


@dataclass(frozen=True)
class Category:
    name: str
    product_category_type: str
    quantity_type: str
    requires_strain: bool
    can_contain_seeds: bool = False


@dataclass(frozen=True)
class LocationType:
    id: int
    name: str
    for_plant_batches: bool
    for_plants: bool
    for_harvests: bool
    for_packages: bool

    def holds(self, purpose: str) -> bool:
        return bool(getattr(self, f"for_{purpose.replace(' ', '_')}"))


_WEIGHT, _VOLUME, _COUNT = "WeightBased", "VolumeBased", "CountBased"
UNITS = tuple(
    Unit(name, abbreviation, kind, Decimal(base))
    for name, abbreviation, kind, base in (
        ("Each", "ea", _COUNT, "1"),
        ("Fluid Ounces", "fl oz", _VOLUME, "29.5735295625"),
        ("Gallons", "gal", _VOLUME, "3785.411784"),
        ("Liters", "l", _VOLUME, "1000"),
        ("Milliliters", "ml", _VOLUME, "1"),
        ("Pints", "pt", _VOLUME, "473.176473"),
        ("Quarts", "qt", _VOLUME, "946.352946"),
        ("Grams", "g", _WEIGHT, "1"),
        ("Kilograms", "kg", _WEIGHT, "1000"),
        ("Milligrams", "mg", _WEIGHT, "0.001"),
        ("Ounces", "oz", _WEIGHT, "28.349523125"),
        ("Pounds", "lb", _WEIGHT, "453.59237"),
    )
)
ITEM_CATEGORIES = (
    Category("Buds", "Buds", _WEIGHT, requires_strain=True, can_contain_seeds=True),
    Category("Shake/Trim", "ShakeTrim", _WEIGHT, requires_strain=True),
    Category("Kief", "Kief", _WEIGHT, requires_strain=True),
    Category("Concentrate", "Concentrate", _WEIGHT, requires_strain=True),
    Category("Infused Edible", "InfusedEdible", _COUNT, requires_strain=False),
    Category("Infused Liquid", "InfusedLiquid", _VOLUME, requires_strain=False),
    Category("Pre-Roll Flower", "PreRollFlower", _COUNT, requires_strain=True),
    Category("Vape Cartridge", "VapeCartridge", _COUNT, requires_strain=True),
    Category("Immature Plants", "ImmaturePlants", _COUNT, requires_strain=True),
    Category("Seeds", "Seeds", _COUNT, requires_strain=True),
    Category("Waste", "Waste", _WEIGHT, requires_strain=False),
)
# name -> whether a reason note is required
ADJUST_REASONS = {
    "API Related Error": False,
    "Drying": False,
    "Entry Error": True,
    "Mandatory State Destruction": True,
    "Scale Variance": False,
    "Theft": True,
    "Typing/Entry Error": False,
    "Waste": False,
}
LOCATION_TYPES = (
    LocationType(1, "Default", True, True, True, True),
    LocationType(2, "Planting", True, True, False, False),
    LocationType(3, "Drying", False, False, True, False),
    LocationType(4, "Packing", False, False, False, True),
)
# name -> (transaction type, licensed, external incoming, external outgoing)
TRANSFER_TYPES = {
    "Transfer": ("Standard", True, False, False),
    "Wholesale": ("Wholesale", True, False, False),
    "Transfer to Testing Facility": ("Standard", True, False, False),
    "Unaffiliated": ("Standard", True, True, True),
}
HARVEST_WASTE_TYPES = ("Plant Material", "Fibrous", "Root Ball")
PLANT_WASTE_METHODS = ("Grinder", "Compost")
PLANT_WASTE_REASONS = ("Contamination", "Male Plants", "Pest Infestation")
PLANT_BATCH_TYPES = {"Seed": 1, "Clone": 2}
GROWTH_PHASES = ("Vegetative", "Flowering")


class _Named(Protocol):
    @property
    def name(self) -> str: ...


_R = TypeVar("_R", bound=_Named)
# Conversions that divide keep six decimals, as Metrc does.
_PLACES = Decimal("0.000001")


def named(records: Iterable[_R], name: str) -> _R | None:
    """The record of ``records`` called ``name``, in any case."""
    wanted = name.casefold()
    return next((record for record in records if record.name.casefold() == wanted), None)


def one_of(names: Iterable[str], name: str) -> str | None:
    """The spelling in ``names`` of ``name``, matched in any case."""
    wanted = name.casefold()
    return next((choice for choice in names if choice.casefold() == wanted), None)


def convert(quantity: Decimal, source: Unit, target: Unit) -> Decimal:
    """``quantity`` in ``source`` expressed in ``target`` (same quantity type)."""
    if source.name == target.name:
        return quantity
    return (quantity * source.base / target.base).quantize(_PLACES, rounding=ROUND_HALF_EVEN)


def number_text(value: Decimal) -> str:
    """A quantity as Metrc's messages write it: plain digits, no trailing zeros."""
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return format(value.normalize(), "f")


def describe(quantity: Decimal, unit: str) -> str:
    return f"{number_text(quantity)} {unit}"
