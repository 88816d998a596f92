"""The seed document that ``POST /_sandbox/reset`` takes, and building a fresh state from it."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field

from metrc_sandbox import catalog
from metrc_sandbox.model import Facility, Item, Location, Package, Strain, Tag, User
from metrc_sandbox.store import SandboxState, Tx
from metrc_sandbox.tags import facility_block, is_tag_label, tag_label


class SeedError(ValueError):
    """The seed document names something that does not exist or breaks a Metrc rule."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SeedUser(_Strict):
    user_key: str = Field(min_length=1)
    name: str = "Sandbox User"
    facilities: list[str] = []


class SeedFacility(_Strict):
    license_number: str = Field(min_length=1)
    name: str
    state: str = "CO"
    license_type: str = "Marijuana Cultivation"
    can_create_opening_balance_packages: bool = True
    can_grow_plants: bool = True


class SeedLocation(_Strict):
    license_number: str
    name: str
    location_type: str = "Default"


class SeedStrain(_Strict):
    license_number: str
    name: str
    testing_status: str = "None"
    indica_percentage: Decimal = Decimal(50)
    sativa_percentage: Decimal = Decimal(50)


class SeedItem(_Strict):
    license_number: str
    name: str
    category: str
    unit_of_measure: str
    strain: str | None = None


class SeedTags(_Strict):
    license_number: str
    type: Literal["Package", "Plant"]
    count: int = Field(ge=0, le=1_000_000)


class SeedPackage(_Strict):
    license_number: str
    tag: str | None = None
    item: str
    quantity: Decimal = Field(ge=0)
    unit_of_measure: str
    location: str | None = None
    packaged_date: date | None = None
    on_hold: bool = False


class SeedDocument(_Strict):
    seed: int = 42
    vendor_keys: list[str] = Field(min_length=1)
    users: list[SeedUser] = Field(min_length=1)
    facilities: list[SeedFacility] = Field(min_length=1)
    locations: list[SeedLocation] = []
    strains: list[SeedStrain] = []
    items: list[SeedItem] = []
    tags: list[SeedTags] = []
    packages: list[SeedPackage] = []


DEFAULT_LICENSE = "SF-SBX-CO-21-8002"
PARTNER_LICENSE = "SF-SBX-CO-22-8002"

# The brief's default seed, plus one trading partner (no user can act for it) so that a transfer
# template has a licensed recipient that is not the shipper itself.
DEFAULT_SEED: dict[str, Any] = {
    "seed": 42,
    "vendor_keys": ["vendor-key"],
    "users": [{"user_key": "user-key", "name": "Demo User", "facilities": [DEFAULT_LICENSE]}],
    "facilities": [
        {
            "license_number": DEFAULT_LICENSE,
            "name": "Canopy Test Facility",
            "state": "CO",
            "license_type": "Marijuana Cultivation",
            "can_create_opening_balance_packages": True,
            "can_grow_plants": True,
        },
        {
            "license_number": PARTNER_LICENSE,
            "name": "Canopy Partner Dispensary",
            "state": "CO",
            "license_type": "Marijuana Retail",
            "can_create_opening_balance_packages": False,
            "can_grow_plants": False,
        },
    ],
    "locations": [{"license_number": DEFAULT_LICENSE, "name": "Vault", "location_type": "Default"}],
    "strains": [{"license_number": DEFAULT_LICENSE, "name": "Blue Dream"}],
    "items": [
        {
            "license_number": DEFAULT_LICENSE,
            "name": "Blue Dream Flower",
            "category": "Buds",
            "unit_of_measure": "Grams",
            "strain": "Blue Dream",
        }
    ],
    "tags": [
        {"license_number": DEFAULT_LICENSE, "type": "Package", "count": 200},
        {"license_number": DEFAULT_LICENSE, "type": "Plant", "count": 200},
    ],
    "packages": [
        {
            "license_number": DEFAULT_LICENSE,
            "item": "Blue Dream Flower",
            "quantity": "100.0",
            "unit_of_measure": "Grams",
            "location": "Vault",
        }
    ],
}


def facility_today(facility: Facility) -> date:
    """Today on the facility's wall clock: Metrc dates are facility-local."""
    try:
        zone: tzinfo = ZoneInfo(facility.timezone)
    except ZoneInfoNotFoundError:
        zone = UTC
    return datetime.now(zone).date()


def issue_tag(state: SandboxState, facility: Facility, kind: str, tx: Tx | None) -> Tag:
    """A brand-new tag for ``facility``, the next serial after every tag it already owns."""
    serial = state.tag_serials.get((facility.id, kind), 0) + 1
    state.tag_serials[(facility.id, kind)] = serial
    if tx is not None:
        tx.on_rollback(lambda: state.tag_serials.__setitem__((facility.id, kind), serial - 1))
    tag = Tag(
        id=state.next_id("tag"),
        facility_id=facility.id,
        label=tag_label(kind, facility.tag_block, serial),
        kind=kind,
    )
    return state.tags.add(tag, tx)


def build_state(document: SeedDocument) -> SandboxState:
    """A fresh state from ``document``; the same document always gives the same ids and tags."""
    state = SandboxState(document.seed)
    rng = random.Random(document.seed)
    state.vendor_keys = set(document.vendor_keys)
    for index, seed_facility in enumerate(document.facilities, start=1):
        if seed_facility.license_number in state.facilities_by_license:
            raise SeedError(f"facility {seed_facility.license_number} is listed twice")
        facility = Facility(
            id=index,
            license_number=seed_facility.license_number,
            name=seed_facility.name,
            state=seed_facility.state.upper(),
            license_type=seed_facility.license_type,
            can_create_opening_balance_packages=seed_facility.can_create_opening_balance_packages,
            can_grow_plants=seed_facility.can_grow_plants,
            tag_block=facility_block(rng),
            timezone=catalog.STATE_TIMEZONES.get(seed_facility.state.upper(), "UTC"),
            hire_date=date(2020, 1, 1),
        )
        state.facilities[facility.id] = facility
        state.facilities_by_license[facility.license_number] = facility
    for seed_user in document.users:
        ids = frozenset(_facility(state, license).id for license in seed_user.facilities)
        state.users[seed_user.user_key] = User(seed_user.user_key, seed_user.name, ids)
    tx = Tx(state)
    for loc in document.locations:
        _seed_location(state, loc, tx)
    for strain in document.strains:
        _seed_strain(state, strain, tx)
    for item in document.items:
        _seed_item(state, item, tx)
    for tags in document.tags:
        facility = _facility(state, tags.license_number)
        for _ in range(tags.count):
            issue_tag(state, facility, tags.type, tx)
    for package in document.packages:
        seed_package(state, package, tx)
    return state


def seed_package(state: SandboxState, seed: SeedPackage, tx: Tx | None) -> Package:
    facility = _facility(state, seed.license_number)
    item = state.item_named(facility.id, seed.item)
    if item is None:
        raise SeedError(f"item {seed.item!r} does not exist at {facility.license_number}")
    unit = catalog.unit_named(seed.unit_of_measure)
    category = catalog.category_named(item.category)
    if unit is None or category is None or unit.quantity_type != category.quantity_type:
        raise SeedError(f"unit {seed.unit_of_measure!r} does not fit item {item.name!r}")
    location_id = None
    if seed.location is not None:
        location = state.location_named(facility.id, seed.location)
        if location is None:
            raise SeedError(
                f"location {seed.location!r} does not exist at {facility.license_number}"
            )
        location_id = location.id
    tag = _free_package_tag(state, facility, seed.tag, tx)
    if tx is not None:
        tx.touch(tag)
    tag.used = True
    package = Package(
        id=state.next_id("package"),
        facility_id=facility.id,
        label=tag.label,
        item_id=item.id,
        quantity=seed.quantity,
        original_quantity=seed.quantity,
        unit_of_measure=unit.name,
        packaged_date=seed.packaged_date or facility_today(facility),
        location_id=location_id,
        status="onhold" if seed.on_hold else "active",
    )
    return state.packages.add(package, tx)


def _free_package_tag(
    state: SandboxState, facility: Facility, label: str | None, tx: Tx | None
) -> Tag:
    if label is not None:
        if not is_tag_label(label):
            raise SeedError(f"tag {label!r} is not 24 characters of 0-9A-Z")
        tag = state.tags.get_key(label)
        if tag is None:
            tag = state.tags.add(
                Tag(id=state.next_id("tag"), facility_id=facility.id, label=label, kind="Package"),
                tx,
            )
        if tag.used or tag.facility_id != facility.id or tag.kind != "Package":
            raise SeedError(
                f"tag {label} is not an unused package tag of {facility.license_number}"
            )
        return tag
    free = next(
        (
            tag
            for tag in state.tags
            if tag.facility_id == facility.id and tag.kind == "Package" and not tag.used
        ),
        None,
    )
    return free if free is not None else issue_tag(state, facility, "Package", tx)


def _facility(state: SandboxState, license_number: str) -> Facility:
    facility = state.facilities_by_license.get(license_number)
    if facility is None:
        raise SeedError(f"unknown facility {license_number}")
    return facility


def _seed_location(state: SandboxState, seed: SeedLocation, tx: Tx) -> None:
    facility = _facility(state, seed.license_number)
    location_type = catalog.location_type_named(seed.location_type)
    if location_type is None:
        raise SeedError(f"unknown location type {seed.location_type!r}")
    loc = Location(state.next_id("location"), facility.id, seed.name, location_type.name)
    state.locations.add(loc, tx)


def _seed_strain(state: SandboxState, seed: SeedStrain, tx: Tx) -> None:
    facility = _facility(state, seed.license_number)
    strain = Strain(
        state.next_id("strain"),
        facility.id,
        seed.name,
        testing_status=seed.testing_status,
        indica_percentage=seed.indica_percentage,
        sativa_percentage=seed.sativa_percentage,
    )
    state.strains.add(strain, tx)


def _seed_item(state: SandboxState, seed: SeedItem, tx: Tx) -> None:
    facility = _facility(state, seed.license_number)
    category = catalog.category_named(seed.category)
    unit = catalog.unit_named(seed.unit_of_measure)
    if category is None:
        raise SeedError(f"unknown item category {seed.category!r}")
    if unit is None or unit.quantity_type != category.quantity_type:
        raise SeedError(f"unit {seed.unit_of_measure!r} does not fit category {category.name!r}")
    strain_id = None
    if seed.strain is not None:
        strain = state.strain_named(facility.id, seed.strain)
        if strain is None:
            raise SeedError(f"unknown strain {seed.strain!r} at {facility.license_number}")
        strain_id = strain.id
    item = Item(
        state.next_id("item"), facility.id, seed.name, category.name, unit.name, strain_id=strain_id
    )
    state.items.add(item, tx)
