"""The fields of a posted row, resolved the way Metrc resolves them: names and labels into the
facility's records, quantities, dates and units checked, each failure as Metrc's row message."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Literal, TypeVar

from compliance.adapters.metrc.fake import catalog
from compliance.adapters.metrc.fake.core import FakeCore, Rows
from compliance.adapters.metrc.fake.records import FakeFacility
from compliance.adapters.metrc.schemas import Item, Location, Package, Strain, Tag

__all__ = ["FakeFields", "PackageState"]

_Named = TypeVar("_Named", Item, Strain)
PackageState = Literal["active", "onhold", "intransit", "finished", "inactive"]
_PROBLEMS: dict[str, str] = {
    "onhold": "is on hold",
    "intransit": "is in transit",
    "finished": "is finished",
    "inactive": "has been discontinued",
}


class FakeFields(FakeCore):
    def past_date(self, rows: Rows, facility: FakeFacility, field: str, value: date) -> bool:
        if value > self.today(facility):
            rows.fail(f"{field} {value.isoformat()} cannot be a future date.")
            return False
        return True

    @staticmethod
    def positive(rows: Rows, field: str, value: Decimal, *, allow_zero: bool = False) -> bool:
        if value < 0:
            rows.fail(f"{field} cannot be negative ({catalog.number_text(value)}).")
            return False
        if value == 0 and not allow_zero:
            rows.fail(f"{field} must be greater than 0.")
            return False
        return True

    @staticmethod
    def required(rows: Rows, field: str, value: object) -> bool:
        if value is None or value == "":
            rows.fail(f"{field} was not specified.")
            return False
        return True

    @staticmethod
    def unit(rows: Rows, name: str) -> catalog.Unit | None:
        found = catalog.named(catalog.UNITS, name)
        if found is None:
            rows.fail(f"Unit of Measure {name} is not valid.")
        return found

    def weight_unit(self, rows: Rows, field: str, name: str | None) -> catalog.Unit | None:
        if not self.required(rows, field, name):
            return None
        assert name is not None
        found = self.unit(rows, name)
        if found is not None and found.quantity_type != "WeightBased":
            rows.fail(f"{field} {found.name} is not a unit of weight.")
            return None
        return found

    @staticmethod
    def location(rows: Rows, facility: FakeFacility, name: str, purpose: str) -> Location | None:
        """A location of the facility whose type may hold ``purpose`` (packages, plants ...)."""
        found = catalog.named(facility.locations, name)
        if found is None:
            rows.fail(f"Location {name} does not exist in the current Facility.")
            return None
        kind = catalog.named(catalog.LOCATION_TYPES, found.location_type_name or "")
        if kind is None or not kind.holds(purpose):
            rows.fail(f"Location {found.name} cannot hold {purpose}.")
            return None
        return found

    @staticmethod
    def existing(rows: Rows, records: Sequence[_Named], what: str, name: str) -> _Named | None:
        """The facility's ``what`` (Item, Strain) called ``name``, any case."""
        found = catalog.named(records, name)
        if found is None:
            rows.fail(f"{what} {name} does not exist in the current Facility.")
        return found

    @staticmethod
    def free_tag(rows: Rows, facility: FakeFacility, label: str, kind: str) -> Tag | None:
        """An unused ``kind`` tag (Package or Plant) of this facility; checks, marks nothing."""
        tag = facility.tags.get(label)
        if tag is None or tag.tag_type_name != f"Cannabis{kind}":
            rows.fail(f"Tag {label} is not valid.")
            return None
        if label in facility.used_tags:
            rows.fail(f"Tag {label} has already been used.")
            return None
        return tag

    def package(
        self,
        rows: Rows,
        facility: FakeFacility,
        label: str,
        states: Sequence[PackageState] = ("active",),
    ) -> Package | None:
        """The facility's package labelled ``label``, if it is in one of ``states``."""
        found = facility.packages.get(label)
        if found is None:
            rows.fail(f"Package {label} does not exist in the current Facility.")
            return None
        state = self.package_state(found)
        if state not in states:
            rows.fail(f"Package {label} {_PROBLEMS.get(state, 'is not active')}.")
            return None
        return found

    def package_state(self, package: Package) -> PackageState:
        if package.is_finished:
            return "finished"
        if package.archived_date is not None:
            return "inactive"
        for delivery in self.shipping.deliveries.values():
            if delivery.received_at is None and any(
                shipped.package_id == package.id for shipped in delivery.packages
            ):
                return "intransit"
        return "onhold" if package.is_on_hold else "active"
