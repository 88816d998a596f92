"""Packages in the fake: reads, creating packages (from ingredients or as an opening balance),
and finding a package again after an unknown outcome."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TypedDict

from compliance.adapters.metrc.endpoints import PackageStatus
from compliance.adapters.metrc.fake import catalog
from compliance.adapters.metrc.fake.core import Rows
from compliance.adapters.metrc.fake.fields import FakeFields, PackageState
from compliance.adapters.metrc.fake.records import FakeFacility
from compliance.adapters.metrc.paging import ProgressCallback
from compliance.adapters.metrc.payloads import (
    HarvestPackageCreate,
    PackageCreate,
    PackageIngredient,
)
from compliance.adapters.metrc.schemas import (
    Item,
    Location,
    Package,
    WriteResult,
)

__all__ = ["FakePackages", "Place", "other_kind", "place_of", "unit_of"]

# The statuses a list endpoint shows (a finished package is listed with the inactive ones).
_LISTED: dict[str, tuple[PackageState, ...]] = {
    "active": ("active",),
    "inactive": ("finished", "inactive"),
    "onhold": ("onhold",),
    "intransit": ("intransit",),
}


class FakePackages(FakeFields):
    # --- reads -----------------------------------------------------------------------------------

    async def list_packages(
        self,
        license_number: str,
        status: PackageStatus = "active",
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> list[Package]:
        facility = self.acting(license_number)
        listed = [
            p
            for p in sorted(facility.packages.values(), key=lambda p: p.id)
            if self.package_state(p) in _LISTED[status]
        ]
        return self.window(listed, since, until, on_progress)

    async def get_package(self, license_number: str, id_or_label: int | str) -> Package:
        facility = self.acting(license_number)
        held = self.holder_of(id_or_label)
        self.own(facility, held[0] if held else None, "package", id_or_label)
        assert held is not None
        return held[1]

    # --- writes ----------------------------------------------------------------------------------

    async def create_packages(
        self, license_number: str, packages: Sequence[PackageCreate]
    ) -> WriteResult:
        return self.write(
            "create_packages",
            license_number,
            packages,
            self._create,
            method="POST",
            path="/packages/v2/",
        )

    def _create(self, rows: Rows, facility: FakeFacility, posted: PackageCreate) -> list[int]:
        tag = self.free_tag(rows, facility, posted.tag, "Package")
        item: Item | None = None
        if not posted.use_same_item and self.required(rows, "Item", posted.item):
            item = self.existing(rows, facility.items, "Item", posted.item or "")
        self.positive(rows, "Quantity", posted.quantity)
        unit = self.unit(rows, posted.unit_of_measure)
        location = None
        if posted.location is not None:
            location = self.location(rows, facility, posted.location, "packages")
        self.past_date(rows, facility, "ActualDate", posted.actual_date)
        sources = self._ingredients(rows, facility, posted.ingredients or [])
        if not posted.ingredients and not facility.can_create_opening_balance_packages:
            rows.fail(
                "Ingredients were not specified. Facility "
                f"{facility.license_number} cannot create opening balance packages."
            )
        if posted.use_same_item:
            if sources:
                item = sources[0][0].item
            elif not posted.ingredients:
                rows.fail("UseSameItem requires at least one ingredient package.")
        if item is not None and unit is not None:
            self._fits(rows, item, unit)
        if not rows.ok or tag is None or item is None or unit is None:
            return []
        stamp = self.now()
        for source, amount in sources:
            facility.packages[source.label] = source.model_copy(
                update={"quantity": source.quantity - amount, "last_modified": stamp}
            )
        harvests = dict.fromkeys(
            name
            for source, _ in sources
            for name in (source.source_harvest_names or "").split(", ")
            if name
        )
        package = self.new_package(
            facility,
            tag.label,
            item,
            unit,
            posted.quantity,
            posted.actual_date,
            location,
            posted,
            source_packages=[s.label for s, _ in sources],
            source_harvests=list(harvests),
        )
        return [package.id]

    def new_package(
        self,
        facility: FakeFacility,
        label: str,
        item: Item,
        unit: catalog.Unit,
        quantity: Decimal,
        day: date,
        location: Location | None,
        posted: PackageCreate | HarvestPackageCreate | None = None,
        *,
        source_packages: Sequence[str] = (),
        source_harvests: Sequence[str] = (),
    ) -> Package:
        """A new active package on the tag ``label`` (checked by the caller), at ``facility``."""
        facility.used_tags.add(label)
        package = Package(
            id=self.next_id("package"),
            label=label,
            package_type="Product",
            quantity=quantity,
            original_package_quantity=quantity,
            unit_of_measure_name=unit.name,
            unit_of_measure_abbreviation=unit.abbreviation,
            item=item.model_copy(update={"is_used": True}),
            **place_of(location),
            source_package_labels=", ".join(source_packages) or None,
            source_package_count=len(source_packages),
            source_harvest_names=", ".join(source_harvests) or None,
            source_harvest_count=len(source_harvests),
            packaged_date=day,
            lab_testing_state="NotSubmitted",
            lab_testing_state_date=day,
            is_on_recall=False,
            last_modified=self.now(),
        )
        if posted is not None:
            package = package.model_copy(
                update={
                    "note": posted.note,
                    "patient_license_number": posted.patient_license_number,
                    "expiration_date": posted.expiration_date,
                    "sell_by_date": posted.sell_by_date,
                    "use_by_date": posted.use_by_date,
                    "is_production_batch": posted.is_production_batch,
                    "production_batch_number": posted.production_batch_number,
                    "is_trade_sample": posted.is_trade_sample,
                    "is_donation": posted.is_donation,
                    "product_requires_remediation": posted.product_requires_remediation,
                    "is_finished_good": isinstance(posted, PackageCreate)
                    and posted.is_finished_good,
                }
            )
        facility.packages[label] = package
        return package

    def _ingredients(
        self, rows: Rows, facility: FakeFacility, ingredients: Sequence[PackageIngredient]
    ) -> list[tuple[Package, Decimal]]:
        """Each source package and what to take from it, in the source's own unit."""
        taken: dict[str, tuple[Package, Decimal]] = {}
        for ingredient in ingredients:
            positive = self.positive(rows, "Quantity", ingredient.quantity)
            unit = self.unit(rows, ingredient.unit_of_measure)
            source = self.package(rows, facility, ingredient.package)
            if source is None or not positive or unit is None:
                continue
            own_unit = unit_of(source)
            if unit.quantity_type != own_unit.quantity_type:
                rows.fail(other_kind(unit, source))
                continue
            before = taken.get(source.label, (source, Decimal(0)))[1]
            taken[source.label] = (
                source,
                before + catalog.convert(ingredient.quantity, unit, own_unit),
            )
        for source, amount in taken.values():
            if amount > source.quantity:
                rows.fail(
                    f"Package {source.label} has only "
                    f"{catalog.describe(source.quantity, source.unit_of_measure_name)} available; "
                    f"{catalog.describe(amount, source.unit_of_measure_name)} was requested."
                )
        return list(taken.values())

    @staticmethod
    def _fits(rows: Rows, item: Item, unit: catalog.Unit) -> None:
        kind = item.quantity_type
        if kind is not None and kind != unit.quantity_type:
            rows.fail(f"Unit of Measure {unit.name} is not valid for Item {item.name} ({kind}).")


def unit_of(package: Package) -> catalog.Unit:
    unit = catalog.named(catalog.UNITS, package.unit_of_measure_name)
    assert unit is not None, f"package {package.label} has an unknown unit"
    return unit


def other_kind(unit: catalog.Unit, package: Package) -> str:
    own = unit_of(package)
    return (
        f"Unit of Measure {unit.name} cannot be used with Package {package.label}, which is "
        f"measured in {own.name} ({own.quantity_type})."
    )


class Place(TypedDict):
    location_id: int | None
    location_name: str | None
    location_type_name: str | None


def place_of(location: Location | None) -> Place:
    """A package's location fields."""
    if location is None:
        return Place(location_id=None, location_name=None, location_type_name=None)
    return Place(
        location_id=location.id,
        location_name=location.name,
        location_type_name=location.location_type_name,
    )
