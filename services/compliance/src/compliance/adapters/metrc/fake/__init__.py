"""``FakeMetrc``: the whole ``MetrcPort`` in memory, for unit tests of the compliance service.

It keeps Metrc's rules as the Metrc sandbox does, and one test suite (``tests/test_metrc_*.py``,
run against both) proves that the two give the same answers and the same row messages:

- a user acts for some facilities; any other facility, or a record of another facility fetched by
  Id or label, is a 401 (``MetrcAuthError``); an unknown record is a 404;
- tags are single-use and belong to one facility and kind; names match in any case;
- a write takes at most 10 objects (``MetrcRequestTooLargeError``), every row is checked, and if
  any fails nothing is applied and every failure comes back as ``MetrcRejectedError.rows``; later
  rows of one write see what earlier rows did;
- quantities are ``Decimal``; a unit of the same kind is converted; nothing goes below zero;
  dates may not be after today at the facility (its own time zone);
- packages: opening balances need the facility's capability, ingredients are taken from their
  sources, adjustments carry a reason (some need a note) and are kept in the history, finishing
  needs zero, unfinish, discontinue, holds; plant batches, plants, harvests, waste and harvest
  packages; transfer templates, and manifests and deliveries once sent;
- every change moves the record's ``LastModified``, and lists filter on it.

What only Metrc's web UI does is ``MetrcControl``: ``hold_package``, ``release_package``,
``send_transfer_template``, ``receive_delivery``. Failures the real client can raise are injected
with ``fail_next`` (nothing applied) and ``lose_next_response`` (applied, then
``MetrcUnknownOutcomeError``).

Example::

    metrc = FakeMetrc.from_world(contract_world())
    tags = await metrc.list_available_tags(GROWER)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Literal, TypeVar

from compliance.adapters.metrc.fake import catalog
from compliance.adapters.metrc.fake.cultivation import FakeCultivation
from compliance.adapters.metrc.fake.records import FakeFacility
from compliance.adapters.metrc.schemas import (
    Facility,
    FacilityLicense,
    FacilityType,
    Item,
    ItemCategory,
    Location,
    Package,
    Strain,
    Tag,
    UnitOfMeasure,
)

if TYPE_CHECKING:
    from compliance.adapters.metrc.testing.world import MetrcWorld

__all__ = ["FakeFacility", "FakeMetrc"]

_TAG_PREFIX = {"Package": "1A4FF01", "Plant": "1A4FF00"}
# The fake's user has worked at every facility since this day; licences run until the other.
_HIRED, _LICENSED_UNTIL = date(2020, 1, 1), date(2099, 12, 31)
_T = TypeVar("_T")


def _known(found: _T | None, what: str, name: str) -> _T:
    """What a seeding call names must exist: a test's mistake is told at once."""
    if found is None:
        raise ValueError(f"unknown {what}: {name}")
    return found


class FakeMetrc(FakeCultivation):
    """In-memory Metrc for one user. ``writes`` logs every write that reached "Metrc"."""

    def __init__(
        self,
        *,
        max_write_objects: int = 10,
        now: Callable[[], datetime] | None = None,
        user_name: str = "Fake User",
    ) -> None:
        super().__init__(max_write_objects=max_write_objects, now=now, user_name=user_name)

    # --- loading ---------------------------------------------------------------------------------

    @classmethod
    def from_world(
        cls, world: MetrcWorld, *, now: Callable[[], datetime] | None = None
    ) -> FakeMetrc:
        """A fake holding ``world``, as the sandbox holds it once reset with its seed."""
        fake = cls(now=now, user_name="Test User")
        for f in world.facilities:
            fake.add_facility(
                f.license_number,
                name=f.name,
                time_zone=f.time_zone,
                license_type=f.license_type,
                can_create_opening_balance_packages=f.can_create_opening_balance_packages,
                can_grow_plants=f.can_grow_plants,
                accessible=f.accessible,
            )
            for name, kind in f.locations:
                fake.add_location(f.license_number, name, kind)
            for name in f.strains:
                fake.add_strain(f.license_number, name)
            fake.issue_tags(f.license_number, "Package", f.package_tags)
            fake.issue_tags(f.license_number, "Plant", f.plant_tags)
        for i in world.items:
            fake.add_item(i.license_number, i.name, i.category, i.unit_of_measure, strain=i.strain)
        for p in world.packages:
            fake.add_package(p.license_number, p.item, p.quantity, p.unit_of_measure, p.location)
        return fake

    def add_facility(
        self,
        license_number: str,
        *,
        name: str = "Fake Facility",
        time_zone: str = "America/Denver",
        license_type: str = "Marijuana Cultivation",
        can_create_opening_balance_packages: bool = True,
        can_grow_plants: bool = True,
        accessible: bool = True,
    ) -> FakeFacility:
        facility = FakeFacility(
            license_number,
            name,
            self.next_id("facility"),
            time_zone=time_zone,
            license_type=license_type,
            can_create_opening_balance_packages=can_create_opening_balance_packages,
            can_grow_plants=can_grow_plants,
            accessible=accessible,
        )
        self.facilities[license_number] = facility
        return facility

    def add_location(
        self, license_number: str, name: str, location_type: str = "Default"
    ) -> Location:
        kind = _known(
            catalog.named(catalog.LOCATION_TYPES, location_type), "location type", location_type
        )
        location = Location(
            id=self.next_id("location"),
            name=name,
            location_type_id=kind.id,
            location_type_name=kind.name,
            for_plant_batches=kind.for_plant_batches,
            for_plants=kind.for_plants,
            for_harvests=kind.for_harvests,
            for_packages=kind.for_packages,
            last_modified=self.now(),
        )
        self.facilities[license_number].locations.append(location)
        return location

    def add_strain(self, license_number: str, name: str) -> Strain:
        strain = Strain(
            id=self.next_id("strain"),
            name=name,
            testing_status="None",
            indica_percentage=50,
            sativa_percentage=50,
            genetics="50% Indica / 50% Sativa",
            last_modified=self.now(),
        )
        self.facilities[license_number].strains.append(strain)
        return strain

    def add_item(
        self,
        license_number: str,
        name: str,
        category: str,
        unit_of_measure: str,
        *,
        strain: str | None = None,
    ) -> Item:
        facility = self.facilities[license_number]
        kind = _known(catalog.named(catalog.ITEM_CATEGORIES, category), "item category", category)
        unit = _known(catalog.named(catalog.UNITS, unit_of_measure), "unit", unit_of_measure)
        if unit.quantity_type != kind.quantity_type:
            raise ValueError(f"{unit.name} does not measure {kind.name} ({kind.quantity_type})")
        of_strain = None
        if strain is not None:
            of_strain = _known(catalog.named(facility.strains, strain), "strain", strain)
        item = Item(
            id=self.next_id("item"),
            name=name,
            product_category_name=kind.name,
            product_category_type=kind.product_category_type,
            quantity_type=kind.quantity_type,
            default_lab_testing_state="NotSubmitted",
            unit_of_measure_name=unit.name,
            approval_status="Approved",
            item_brand_id=0,
            strain_id=of_strain.id if of_strain else None,
            strain_name=of_strain.name if of_strain else None,
            last_modified=self.now(),
        )
        item = item.model_copy(update={"approval_status_date_time": item.last_modified})
        facility.items.append(item)
        return item

    def issue_tags(
        self, license_number: str, kind: Literal["Package", "Plant"], count: int
    ) -> list[str]:
        """``count`` new tags with sequential serials, so a starting tag and a count name a run
        of them (as plant batches use them)."""
        facility = self.facilities[license_number]
        block = f"{facility.facility_id:08X}"
        serial = sum(1 for t in facility.tags.values() if t.tag_type_name == f"Cannabis{kind}")
        issued = []
        for n in range(serial + 1, serial + count + 1):
            tag = Tag(
                id=self.next_id("tag"),
                label=f"{_TAG_PREFIX[kind]}{block}{n:09d}",
                tag_type_name=f"Cannabis{kind}",
                tag_inventory_type_name=f"{'Medical' if facility.is_medical else ''}{kind}",
                max_group_size=0,
                facility_id=facility.facility_id,
            )
            facility.tags[tag.label] = tag
            issued.append(tag.label)
        return issued

    def add_package(
        self,
        license_number: str,
        item: str,
        quantity: Decimal,
        unit_of_measure: str,
        location: str | None = None,
        *,
        packaged: date | None = None,
    ) -> Package:
        """An active package on the facility's first free package tag (a new one if none)."""
        facility = self.facilities[license_number]
        free = [t for t in facility.tags.values() if t.tag_type_name == "CannabisPackage"]
        label = next((t.label for t in free if t.label not in facility.used_tags), None)
        label = label or self.issue_tags(license_number, "Package", 1)[0]
        found = _known(catalog.named(facility.items, item), "item", item)
        unit = _known(catalog.named(catalog.UNITS, unit_of_measure), "unit", unit_of_measure)
        place = None
        if location is not None:
            place = _known(catalog.named(facility.locations, location), "location", location)
        return self.new_package(
            facility, label, found, unit, quantity, packaged or self.today(facility), place
        )

    # --- lookups ---------------------------------------------------------------------------------

    async def list_facilities(self) -> list[Facility]:
        return [
            Facility(
                facility_id=f.facility_id,
                name=f.name,
                alias=f.name,
                display_name=f.name,
                is_manager=True,
                hire_date=_HIRED,
                credentialed_date=_HIRED,
                license=FacilityLicense(
                    number=f.license_number,
                    license_type=f.license_type,
                    start_date=_HIRED,
                    end_date=_LICENSED_UNTIL,
                ),
                facility_type=FacilityType(
                    is_medical=f.is_medical,
                    is_retail=f.is_retail,
                    can_grow_plants=f.can_grow_plants,
                    can_tag_plant_batches=f.can_grow_plants,
                    can_track_vegetative_plants=f.can_grow_plants,
                    can_create_opening_balance_packages=f.can_create_opening_balance_packages,
                    can_create_derived_packages=True,
                    can_assign_locations_to_packages=True,
                    can_update_locations_on_packages=True,
                ),
            )
            for f in self.facilities.values()
            if f.accessible
        ]

    async def list_locations(
        self, license_number: str, *, since: datetime | None = None, until: datetime | None = None
    ) -> list[Location]:
        return self.window(self.acting(license_number).locations, since, until)

    async def list_items(
        self, license_number: str, *, since: datetime | None = None, until: datetime | None = None
    ) -> list[Item]:
        facility = self.acting(license_number)
        used = {p.item.id for f in self.facilities.values() for p in f.packages.values() if p.item}
        items = [i.model_copy(update={"is_used": i.id in used}) for i in facility.items]
        return self.window(items, since, until)

    async def list_item_categories(self, license_number: str) -> list[ItemCategory]:
        self.acting(license_number)
        return [
            ItemCategory(
                name=c.name,
                product_category_type=c.product_category_type,
                quantity_type=c.quantity_type,
                requires_strain=c.requires_strain,
                can_contain_seeds=c.can_contain_seeds,
                can_be_remediated=True,
                can_be_destroyed=True,
            )
            for c in catalog.ITEM_CATEGORIES
        ]

    async def list_strains(
        self, license_number: str, *, since: datetime | None = None, until: datetime | None = None
    ) -> list[Strain]:
        facility = self.acting(license_number)
        used = {i.strain_id for i in facility.items}
        strains = [s.model_copy(update={"is_used": s.id in used}) for s in facility.strains]
        return self.window(strains, since, until)

    async def list_units_of_measure(self) -> list[UnitOfMeasure]:
        return [
            UnitOfMeasure(name=u.name, abbreviation=u.abbreviation, quantity_type=u.quantity_type)
            for u in catalog.UNITS
        ]

    async def list_available_tags(
        self, license_number: str, kind: Literal["package", "plant"] = "package"
    ) -> list[Tag]:
        facility = self.acting(license_number)
        wanted = "CannabisPackage" if kind == "package" else "CannabisPlant"
        return [
            tag
            for tag in facility.tags.values()
            if tag.tag_type_name == wanted and tag.label not in facility.used_tags
        ]
