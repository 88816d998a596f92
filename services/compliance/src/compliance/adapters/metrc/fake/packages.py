"""Packages in the fake: reads, create (from ingredients or as an opening balance), adjust,
move, finish, unfinish, discontinue, and the read-back helpers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import TypedDict

from compliance.adapters.metrc.endpoints import PackageStatus
from compliance.adapters.metrc.errors import MetrcNotFoundError
from compliance.adapters.metrc.fake import catalog
from compliance.adapters.metrc.fake.core import FakeCore, PackageState, Rows
from compliance.adapters.metrc.fake.records import FakeFacility
from compliance.adapters.metrc.paging import ProgressCallback, adjustment_read_back_day
from compliance.adapters.metrc.payloads import (
    PackageAdjust,
    PackageCreate,
    PackageFinish,
    PackageIngredient,
    PackageLocationChange,
    PackageUnfinish,
)
from compliance.adapters.metrc.schemas import (
    Item,
    Location,
    Package,
    PackageAdjustment,
    PackageAdjustReason,
    WriteResult,
)

__all__ = ["FakePackages"]

# The statuses a list endpoint shows (a finished package is listed with the inactive ones).
_LISTED: dict[str, tuple[PackageState, ...]] = {
    "active": ("active",),
    "inactive": ("finished", "inactive"),
    "onhold": ("onhold",),
    "intransit": ("intransit",),
}
# How far a read-back window reaches past now, for clock skew (as MetrcClient reads back).
_SKEW = timedelta(minutes=2)


def _midnight(day: date | None) -> datetime | None:
    """A Metrc date as the date-time the adjustment history shows it: midnight, UTC offset."""
    return None if day is None else datetime.combine(day, time.min, UTC)


class FakePackages(FakeCore):
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

    async def list_package_adjust_reasons(self, license_number: str) -> list[PackageAdjustReason]:
        self.acting(license_number)
        return [
            PackageAdjustReason(name=name, requires_note=note)
            for name, note in catalog.ADJUST_REASONS.items()
        ]

    async def list_package_adjustments(
        self, license_number: str, *, on_progress: ProgressCallback | None = None
    ) -> list[PackageAdjustment]:
        adjustments = list(self.acting(license_number).adjustments)
        self.report(on_progress, len(adjustments))
        return adjustments

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
            item = self.item(rows, facility, posted.item or "")
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
        facility.used_tags.add(tag.label)
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
        package = Package(
            id=self.next_id("package"),
            label=tag.label,
            package_type="Product",
            quantity=posted.quantity,
            original_package_quantity=posted.quantity,
            unit_of_measure_name=unit.name,
            unit_of_measure_abbreviation=unit.abbreviation,
            item=item.model_copy(update={"is_used": True}),
            **_place(location),
            note=posted.note,
            patient_license_number=posted.patient_license_number,
            source_package_labels=", ".join(s.label for s, _ in sources) or None,
            source_package_count=len(sources),
            source_harvest_names=", ".join(harvests) or None,
            source_harvest_count=len(harvests),
            packaged_date=posted.actual_date,
            expiration_date=posted.expiration_date,
            sell_by_date=posted.sell_by_date,
            use_by_date=posted.use_by_date,
            lab_testing_state="NotSubmitted",
            lab_testing_state_date=posted.actual_date,
            is_production_batch=posted.is_production_batch,
            production_batch_number=posted.production_batch_number,
            is_trade_sample=posted.is_trade_sample,
            is_donation=posted.is_donation,
            product_requires_remediation=posted.product_requires_remediation,
            is_finished_good=posted.is_finished_good,
            is_on_recall=False,
            last_modified=stamp,
        )
        facility.packages[package.label] = package
        return [package.id]

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
            own_unit = _unit_of(source)
            if unit.quantity_type != own_unit.quantity_type:
                rows.fail(_other_kind(unit, source))
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

    async def adjust_packages(
        self, license_number: str, adjustments: Sequence[PackageAdjust]
    ) -> WriteResult:
        return self.write(
            "adjust_packages",
            license_number,
            adjustments,
            self._adjust,
            method="POST",
            path="/packages/v2/adjust",
        )

    def _adjust(self, rows: Rows, facility: FakeFacility, posted: PackageAdjust) -> list[int]:
        package = self.package(rows, facility, posted.label)
        unit = self.unit(rows, posted.unit_of_measure)
        self.past_date(rows, facility, "AdjustmentDate", posted.adjustment_date)
        reason = catalog.one_of(catalog.ADJUST_REASONS, posted.adjustment_reason)
        if reason is None:
            rows.fail(f"Adjustment Reason {posted.adjustment_reason} is not valid.")
        elif catalog.ADJUST_REASONS[reason] and not posted.reason_note:
            rows.fail(f"ReasonNote is required for the Adjustment Reason {reason}.")
        if posted.quantity == 0:
            rows.fail("Quantity cannot be 0.")
        if package is None or unit is None or reason is None or not rows.ok:
            return []
        own_unit = _unit_of(package)
        if unit.quantity_type != own_unit.quantity_type:
            rows.fail(_other_kind(unit, package))
            return []
        after = package.quantity + catalog.convert(posted.quantity, unit, own_unit)
        if after < 0:
            rows.fail(
                f"Package {package.label} cannot be adjusted below zero: it holds "
                f"{catalog.describe(package.quantity, package.unit_of_measure_name)} and the "
                f"adjustment is {catalog.describe(posted.quantity, unit.name)}."
            )
            return []
        stamp = self.now()
        facility.packages[package.label] = package.model_copy(
            update={"quantity": after, "last_modified": stamp}
        )
        facility.adjustments.append(
            PackageAdjustment(
                package_id=package.id,
                package_label=package.label,
                item_name=package.item_name,
                item_category_name=package.item.product_category_name if package.item else None,
                adjustment_quantity=posted.quantity,
                adjustment_unit_of_measure_name=unit.name,
                adjustment_unit_of_measure_abbreviation=unit.abbreviation,
                adjustment_reason_name=reason,
                adjustment_note=posted.reason_note,
                adjustment_date=_midnight(posted.adjustment_date),
                packaged_date=_midnight(package.packaged_date),
                adjusted_by_user_name=self.user_name,
            )
        )
        return [package.id]

    async def change_package_locations(
        self, license_number: str, moves: Sequence[PackageLocationChange]
    ) -> WriteResult:
        def move(rows: Rows, facility: FakeFacility, posted: PackageLocationChange) -> list[int]:
            package = self.package(rows, facility, posted.label, ("active", "onhold"))
            location = self.location(rows, facility, posted.location, "packages")
            self.past_date(rows, facility, "MoveDate", posted.move_date)
            if package is not None and location is not None and rows.ok:
                self._touch(facility, package, **_place(location))
            return []

        return self.write(
            "change_package_locations",
            license_number,
            moves,
            move,
            method="PUT",
            path="/packages/v2/location",
        )

    async def finish_packages(
        self, license_number: str, finishes: Sequence[PackageFinish]
    ) -> WriteResult:
        def finish(rows: Rows, facility: FakeFacility, posted: PackageFinish) -> list[int]:
            package = self.package(rows, facility, posted.label)
            self.past_date(rows, facility, "ActualDate", posted.actual_date)
            if package is None or not rows.ok:
                return []
            if package.quantity != 0:
                rows.fail(
                    f"Package {package.label} cannot be finished while it holds "
                    f"{catalog.describe(package.quantity, package.unit_of_measure_name)}; its "
                    "quantity must be 0."
                )
                return []
            self._touch(facility, package, is_finished=True, finished_date=posted.actual_date)
            return []

        return self.write(
            "finish_packages",
            license_number,
            finishes,
            finish,
            method="PUT",
            path="/packages/v2/finish",
        )

    async def unfinish_packages(
        self, license_number: str, unfinishes: Sequence[PackageUnfinish]
    ) -> WriteResult:
        def unfinish(rows: Rows, facility: FakeFacility, posted: PackageUnfinish) -> list[int]:
            package = self.package(rows, facility, posted.label, ("finished", "active"))
            if package is None:
                return []
            if not package.is_finished:
                rows.fail(f"Package {package.label} is not finished.")
                return []
            self._touch(facility, package, is_finished=False, finished_date=None)
            return []

        return self.write(
            "unfinish_packages",
            license_number,
            unfinishes,
            unfinish,
            method="PUT",
            path="/packages/v2/unfinish",
        )

    async def discontinue_package(self, license_number: str, package_id: int) -> WriteResult:
        facility = self.acting(license_number)
        held = self.holder_of(package_id)
        self.own(facility, held[0] if held else None, "package", f"Id {package_id}")
        assert held is not None

        def discontinue(rows: Rows, facility: FakeFacility, label: str) -> list[int]:
            package = self.package(rows, facility, label, ("active", "onhold"))
            if package is not None:
                self._touch(facility, package, archived_date=self.today(facility))
            return []

        return self.write(
            "discontinue_package",
            license_number,
            [held[1].label],
            discontinue,
            method="DELETE",
            path="/packages/v2/{id}",
        )

    def _touch(self, facility: FakeFacility, package: Package, **changes: object) -> None:
        facility.packages[package.label] = package.model_copy(
            update={**changes, "last_modified": self.now()}
        )

    # --- read-back after an unknown outcome ------------------------------------------------------

    async def find_package(self, license_number: str, label: str) -> Package | None:
        try:
            return await self.get_package(license_number, label)
        except MetrcNotFoundError:
            return None

    async def recent_packages(
        self,
        license_number: str,
        *,
        within: timedelta = timedelta(minutes=15),
        statuses: Sequence[PackageStatus] = ("active", "onhold", "intransit", "inactive"),
    ) -> list[Package]:
        now = self._clock()
        found: dict[int, Package] = {}
        for status in statuses:
            for package in await self.list_packages(
                license_number, status, since=now - within - _SKEW, until=now + _SKEW
            ):
                found[package.id] = package
        return list(found.values())

    async def package_adjustments_since(
        self, license_number: str, label: str, since: datetime
    ) -> list[PackageAdjustment]:
        day = adjustment_read_back_day(since)
        return [
            a
            for a in await self.list_package_adjustments(license_number)
            if a.package_label == label
            and (a.adjustment_date is None or a.adjustment_date.date() >= day)
        ]


def _unit_of(package: Package) -> catalog.Unit:
    unit = catalog.named(catalog.UNITS, package.unit_of_measure_name)
    assert unit is not None, f"package {package.label} has an unknown unit"
    return unit


def _other_kind(unit: catalog.Unit, package: Package) -> str:
    own = _unit_of(package)
    return (
        f"Unit of Measure {unit.name} cannot be used with Package {package.label}, which is "
        f"measured in {own.name} ({own.quantity_type})."
    )


class _Place(TypedDict):
    location_id: int | None
    location_name: str | None
    location_type_name: str | None


def _place(location: Location | None) -> _Place:
    """A package's location fields."""
    if location is None:
        return _Place(location_id=None, location_name=None, location_type_name=None)
    return _Place(
        location_id=location.id,
        location_name=location.name,
        location_type_name=location.location_type_name,
    )
