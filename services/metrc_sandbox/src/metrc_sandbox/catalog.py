"""Reference data every emulated facility shares (Metrc keeps these per state; one set is enough here)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

_T = TypeVar("_T")


@dataclass(frozen=True)
class UnitOfMeasure:
    name: str
    abbreviation: str
    quantity_type: str
    # Factor to the base unit of its quantity type (grams, millilitres, each); exact decimals, so
    # converting *to* the base unit never rounds.
    to_base: Decimal
    active: bool = True


@dataclass(frozen=True)
class ItemCategory:
    id: int
    name: str
    product_category_type: str
    quantity_type: str
    requires_strain: bool
    can_contain_seeds: bool = False


@dataclass(frozen=True)
class AdjustReason:
    name: str
    requires_note: bool


@dataclass(frozen=True)
class LocationType:
    id: int
    name: str
    for_plant_batches: bool
    for_plants: bool
    for_harvests: bool
    for_packages: bool


@dataclass(frozen=True)
class TransferType:
    name: str
    transaction_type: str
    for_licensed_shipments: bool
    for_external_incoming_shipments: bool
    for_external_outgoing_shipments: bool


UNITS_OF_MEASURE: tuple[UnitOfMeasure, ...] = (
    UnitOfMeasure("Each", "ea", "CountBased", Decimal(1)),
    UnitOfMeasure("Fluid Ounces", "fl oz", "VolumeBased", Decimal("29.5735295625")),
    UnitOfMeasure("Gallons", "gal", "VolumeBased", Decimal("3785.411784")),
    UnitOfMeasure("Liters", "l", "VolumeBased", Decimal(1000)),
    UnitOfMeasure("Milliliters", "ml", "VolumeBased", Decimal(1)),
    UnitOfMeasure("Pints", "pt", "VolumeBased", Decimal("473.176473")),
    UnitOfMeasure("Quarts", "qt", "VolumeBased", Decimal("946.352946")),
    UnitOfMeasure("Grams", "g", "WeightBased", Decimal(1)),
    UnitOfMeasure("Kilograms", "kg", "WeightBased", Decimal(1000)),
    UnitOfMeasure("Milligrams", "mg", "WeightBased", Decimal("0.001")),
    UnitOfMeasure("Ounces", "oz", "WeightBased", Decimal("28.349523125")),
    UnitOfMeasure("Pounds", "lb", "WeightBased", Decimal("453.59237")),
    # Metrc's own doc example lists this retired unit, misspelling included.
    UnitOfMeasure("Tonns", "t", "WeightBased", Decimal(1000000), active=False),
)

ITEM_CATEGORIES: tuple[ItemCategory, ...] = (
    ItemCategory(1, "Buds", "Buds", "WeightBased", requires_strain=True, can_contain_seeds=True),
    ItemCategory(2, "Shake/Trim", "ShakeTrim", "WeightBased", requires_strain=True),
    ItemCategory(3, "Kief", "Kief", "WeightBased", requires_strain=True),
    ItemCategory(4, "Concentrate", "Concentrate", "WeightBased", requires_strain=True),
    ItemCategory(5, "Infused Edible", "InfusedEdible", "CountBased", requires_strain=False),
    ItemCategory(6, "Infused Liquid", "InfusedLiquid", "VolumeBased", requires_strain=False),
    ItemCategory(7, "Pre-Roll Flower", "PreRollFlower", "CountBased", requires_strain=True),
    ItemCategory(8, "Vape Cartridge", "VapeCartridge", "CountBased", requires_strain=True),
    ItemCategory(9, "Immature Plants", "ImmaturePlants", "CountBased", requires_strain=True),
    ItemCategory(10, "Seeds", "Seeds", "CountBased", requires_strain=True),
    ItemCategory(11, "Waste", "Waste", "WeightBased", requires_strain=False),
)

ADJUST_REASONS: tuple[AdjustReason, ...] = (
    AdjustReason("API Related Error", requires_note=False),
    AdjustReason("Drying", requires_note=False),
    AdjustReason("Entry Error", requires_note=True),
    AdjustReason("Mandatory State Destruction", requires_note=True),
    AdjustReason("Scale Variance", requires_note=False),
    AdjustReason("Theft", requires_note=True),
    AdjustReason("Typing/Entry Error", requires_note=False),
    AdjustReason("Waste", requires_note=False),
)

LOCATION_TYPES: tuple[LocationType, ...] = (
    LocationType(1, "Default", True, True, True, True),
    LocationType(2, "Planting", True, True, False, False),
    LocationType(3, "Drying", False, False, True, False),
    LocationType(4, "Packing", False, False, False, True),
)

TRANSFER_TYPES: tuple[TransferType, ...] = (
    TransferType("Transfer", "Standard", True, False, False),
    TransferType("Wholesale", "Wholesale", True, False, False),
    TransferType("Transfer to Testing Facility", "Standard", True, False, False),
    TransferType("Unaffiliated", "Standard", True, True, True),
)

HARVEST_WASTE_TYPES: tuple[str, ...] = ("Plant Material", "Fibrous", "Root Ball")
PLANT_WASTE_METHODS: tuple[str, ...] = ("Grinder", "Compost")
PLANT_WASTE_REASONS: tuple[str, ...] = ("Contamination", "Male Plants", "Pest Infestation")
PLANT_BATCH_TYPES: tuple[tuple[int, str, bool], ...] = ((1, "Seed", False), (2, "Clone", True))
PACKAGE_TYPES: tuple[str, ...] = (
    "Product",
    "ImmaturePlant",
    "VegetativePlant",
    "PlantWaste",
    "HarvestWaste",
    "MotherPlant",
)
GROWTH_PHASES: tuple[str, ...] = ("Vegetative", "Flowering")
STRAIN_TESTING_STATUSES: tuple[str, ...] = ("None", "InHouse", "ThirdParty")

# Metrc dates are facility-local; the "not in the future" rule needs each state's clock.
STATE_TIMEZONES: dict[str, str] = {
    "AK": "America/Anchorage", "AL": "America/Chicago", "CA": "America/Los_Angeles",
    "CO": "America/Denver", "DC": "America/New_York", "GU": "Pacific/Guam",
    "IL": "America/Chicago", "KY": "America/New_York", "LA": "America/Chicago",
    "MA": "America/New_York", "MD": "America/New_York", "ME": "America/New_York",
    "MI": "America/Detroit", "MN": "America/Chicago", "MO": "America/Chicago",
    "MS": "America/Chicago", "MT": "America/Denver", "NJ": "America/New_York",
    "NV": "America/Los_Angeles", "NY": "America/New_York", "OH": "America/New_York",
    "OK": "America/Chicago", "OR": "America/Los_Angeles", "RI": "America/New_York",
    "SD": "America/Chicago", "VA": "America/New_York", "VI": "America/St_Thomas",
    "WV": "America/New_York",
}  # fmt: skip


def _index(rows: tuple[_T, ...], name: str) -> dict[str, _T]:
    return {str(getattr(row, name)).casefold(): row for row in rows}


_UNITS = _index(UNITS_OF_MEASURE, "name")
_CATEGORIES = _index(ITEM_CATEGORIES, "name")
_REASONS = _index(ADJUST_REASONS, "name")
_LOCATION_TYPES = _index(LOCATION_TYPES, "name")
_TRANSFER_TYPES = _index(TRANSFER_TYPES, "name")


def unit_named(name: str) -> UnitOfMeasure | None:
    """Active unit by case-insensitive name (Metrc matches names case-insensitively)."""
    unit = _UNITS.get(name.casefold())
    return unit if unit is not None and unit.active else None


def category_named(name: str) -> ItemCategory | None:
    return _CATEGORIES.get(name.casefold())


def reason_named(name: str) -> AdjustReason | None:
    return _REASONS.get(name.casefold())


def location_type_named(name: str) -> LocationType | None:
    return _LOCATION_TYPES.get(name.casefold())


def transfer_type_named(name: str) -> TransferType | None:
    return _TRANSFER_TYPES.get(name.casefold())


def one_of(name: str, choices: tuple[str, ...]) -> str | None:
    """The canonical spelling of ``name`` among ``choices``, matched case-insensitively."""
    folded = name.casefold()
    return next((choice for choice in choices if choice.casefold() == folded), None)
