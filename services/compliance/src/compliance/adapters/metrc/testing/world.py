"""``MetrcWorld``: one description of a Metrc state, loadable into the in-memory ``FakeMetrc``
and into the Metrc sandbox (as its seed document), so that one test can run against either and
expect the same answers.

Tags are not listed: each facility gets ``package_tags`` and ``plant_tags`` fresh labels, which
tests read back with ``list_available_tags`` (the sandbox makes its own labels). A seeded package
uses the first free package tag of its facility, as the sandbox does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

__all__ = [
    "GROWER",
    "PARTNER",
    "STORE",
    "MetrcWorld",
    "WorldFacility",
    "WorldItem",
    "WorldPackage",
    "contract_world",
    "facility_today",
]

GROWER = "SF-SBX-CO-21-8002"
"""Grows plants and may create opening-balance packages."""
STORE = "SF-SBX-CO-22-8002"
"""A store the same user acts for: no plants, no opening balances."""
PARTNER = "SF-SBX-CO-23-8002"
"""A licensed trading partner the user cannot act for (a transfer's recipient)."""

# Metrc dates are the facility's local dates; the sandbox takes a state, the fake a time zone.
_STATE_TIME_ZONES = {"CO": "America/Denver", "CA": "America/Los_Angeles", "MI": "America/Detroit"}


@dataclass(frozen=True)
class WorldFacility:
    license_number: str
    name: str
    state: str = "CO"
    license_type: str = "Marijuana Cultivation"
    can_create_opening_balance_packages: bool = True
    can_grow_plants: bool = True
    accessible: bool = True
    """Whether the test user may act for it (the sandbox's user list, the fake's 401)."""
    locations: tuple[tuple[str, str], ...] = (("Vault", "Default"),)
    """(name, location type)"""
    strains: tuple[str, ...] = ("Blue Dream",)
    package_tags: int = 0
    plant_tags: int = 0

    @property
    def time_zone(self) -> str:
        return _STATE_TIME_ZONES[self.state]


@dataclass(frozen=True)
class WorldItem:
    license_number: str
    name: str
    category: str
    unit_of_measure: str
    strain: str | None = None


@dataclass(frozen=True)
class WorldPackage:
    license_number: str
    item: str
    quantity: Decimal
    unit_of_measure: str
    location: str | None = None


@dataclass(frozen=True)
class MetrcWorld:
    facilities: tuple[WorldFacility, ...]
    items: tuple[WorldItem, ...] = ()
    packages: tuple[WorldPackage, ...] = ()
    vendor_key: str = "vendor-key"
    user_key: str = "user-key"
    seed: int = 42

    def facility(self, license_number: str) -> WorldFacility:
        return next(f for f in self.facilities if f.license_number == license_number)

    def today(self, license_number: str) -> date:
        return facility_today(self.facility(license_number).time_zone)

    def sandbox_seed(self) -> dict[str, Any]:
        """The seed document of ``POST /_sandbox/reset``."""
        mine = [f.license_number for f in self.facilities if f.accessible]
        return {
            "seed": self.seed,
            "vendor_keys": [self.vendor_key],
            "users": [{"user_key": self.user_key, "name": "Test User", "facilities": mine}],
            "facilities": [
                {
                    "license_number": f.license_number,
                    "name": f.name,
                    "state": f.state,
                    "license_type": f.license_type,
                    "can_create_opening_balance_packages": f.can_create_opening_balance_packages,
                    "can_grow_plants": f.can_grow_plants,
                }
                for f in self.facilities
            ],
            "locations": [
                {"license_number": f.license_number, "name": name, "location_type": kind}
                for f in self.facilities
                for name, kind in f.locations
            ],
            "strains": [
                {"license_number": f.license_number, "name": name}
                for f in self.facilities
                for name in f.strains
            ],
            "items": [
                {
                    "license_number": i.license_number,
                    "name": i.name,
                    "category": i.category,
                    "unit_of_measure": i.unit_of_measure,
                    "strain": i.strain,
                }
                for i in self.items
            ],
            "tags": [
                {"license_number": f.license_number, "type": kind, "count": count}
                for f in self.facilities
                for kind, count in (("Package", f.package_tags), ("Plant", f.plant_tags))
                if count
            ],
            "packages": [
                {
                    "license_number": p.license_number,
                    "item": p.item,
                    "quantity": str(p.quantity),
                    "unit_of_measure": p.unit_of_measure,
                    "location": p.location,
                }
                for p in self.packages
            ],
        }


def facility_today(time_zone: str) -> date:
    return datetime.now(ZoneInfo(time_zone)).date()


def contract_world() -> MetrcWorld:
    """The world the Metrc contract suite runs in: a grower, a store and a partner."""
    return MetrcWorld(
        facilities=(
            WorldFacility(
                GROWER,
                "Grower",
                locations=(
                    ("Vault", "Default"),
                    ("Back Room", "Default"),
                    ("Grow Room", "Planting"),
                    ("Dry Room", "Drying"),
                    ("Packing Room", "Packing"),
                ),
                package_tags=40,
                plant_tags=40,
            ),
            WorldFacility(
                STORE,
                "Store",
                license_type="Marijuana Retail",
                can_create_opening_balance_packages=False,
                can_grow_plants=False,
                locations=(("Sales Floor", "Default"),),
                package_tags=5,
            ),
            WorldFacility(
                PARTNER,
                "Partner",
                license_type="Marijuana Retail",
                accessible=False,
                package_tags=5,
            ),
        ),
        items=(
            WorldItem(GROWER, "Blue Dream Flower", "Buds", "Grams", "Blue Dream"),
            WorldItem(GROWER, "Gummies", "Infused Edible", "Each"),
            WorldItem(STORE, "Blue Dream Flower", "Buds", "Grams", "Blue Dream"),
            WorldItem(PARTNER, "Blue Dream Flower", "Buds", "Grams", "Blue Dream"),
        ),
        packages=(
            WorldPackage(GROWER, "Blue Dream Flower", Decimal("100"), "Grams", "Vault"),
            WorldPackage(GROWER, "Gummies", Decimal("12"), "Each", "Vault"),
            WorldPackage(PARTNER, "Blue Dream Flower", Decimal("10"), "Grams", "Vault"),
        ),
    )
