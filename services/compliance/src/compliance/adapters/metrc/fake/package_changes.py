"""Package changes in the fake: adjustments (with reasons, notes and the history), moves,
finishing and unfinishing, discontinuing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time

from compliance.adapters.metrc.fake import catalog
from compliance.adapters.metrc.fake.core import Rows
from compliance.adapters.metrc.fake.packages import FakePackages, other_kind, place_of, unit_of
from compliance.adapters.metrc.fake.records import FakeFacility
from compliance.adapters.metrc.paging import ProgressCallback
from compliance.adapters.metrc.payloads import (
    PackageAdjust,
    PackageFinish,
    PackageLocationChange,
    PackageUnfinish,
)
from compliance.adapters.metrc.schemas import (
    Package,
    PackageAdjustment,
    PackageAdjustReason,
    WriteResult,
)

__all__ = ["FakePackageChanges"]


def _midnight(day: date | None) -> datetime | None:
    """A Metrc date as the date-time the adjustment history shows it: midnight, UTC offset."""
    return None if day is None else datetime.combine(day, time.min, UTC)


class FakePackageChanges(FakePackages):
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
        own_unit = unit_of(package)
        if unit.quantity_type != own_unit.quantity_type:
            rows.fail(other_kind(unit, package))
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
                self._touch(facility, package, **place_of(location))
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
