"""``FakeMetrc``: an in-memory ``MetrcPort`` for unit tests of the compliance service.

Simple, but it keeps the rules a service test relies on: tags are single-use and belong to one
facility; items, locations and adjustment reasons must exist (names match case-insensitively);
a write is validated row by row and applied all-or-nothing, rejected rows come back as
``MetrcRejectedError`` with ``(row, message)``; quantities are ``Decimal`` and never go negative;
ingredients are deducted from their sources; finishing needs a zero quantity; every adjustment
is recorded. No unit conversion: ingredients and adjustments must use the package's unit.

Failure injection mirrors what the real client can raise: ``fail_next`` (nothing applied) and
``lose_next_response`` (applied, then ``MetrcUnknownOutcomeError``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Literal, TypeVar

from compliance.adapters.metrc.endpoints import PackageStatus, PlantBatchStatus
from compliance.adapters.metrc.errors import (
    MetrcAuthError,
    MetrcError,
    MetrcNotFoundError,
    MetrcRejectedError,
    MetrcRequestTooLargeError,
    MetrcUnknownOutcomeError,
)
from compliance.adapters.metrc.paging import ProgressCallback, PullProgress
from compliance.adapters.metrc.payloads import (
    MetrcPayload,
    PackageAdjust,
    PackageCreate,
    PackageFinish,
    PackageLocationChange,
    PackageUnfinish,
    PlantBatchPlanting,
)
from compliance.adapters.metrc.schemas import (
    Facility,
    FacilityLicense,
    FacilityType,
    Item,
    Location,
    Package,
    PackageAdjustment,
    PackageAdjustReason,
    PlantBatch,
    Strain,
    Tag,
    UnitOfMeasure,
    WriteResult,
)

__all__ = ["FakeFacility", "FakeMetrc"]

_DEFAULT_UNITS = (
    UnitOfMeasure(name="Each", abbreviation="ea", quantity_type="CountBased"),
    UnitOfMeasure(name="Grams", abbreviation="g", quantity_type="WeightBased"),
    UnitOfMeasure(name="Kilograms", abbreviation="kg", quantity_type="WeightBased"),
    UnitOfMeasure(name="Milligrams", abbreviation="mg", quantity_type="WeightBased"),
    UnitOfMeasure(name="Ounces", abbreviation="oz", quantity_type="WeightBased"),
    UnitOfMeasure(name="Pounds", abbreviation="lb", quantity_type="WeightBased"),
)
_DEFAULT_REASONS = (
    PackageAdjustReason(name="Drying"),
    PackageAdjustReason(name="Entry Error"),
    PackageAdjustReason(name="Theft", requires_note=True),
    PackageAdjustReason(name="Waste"),
)


@dataclass
class FakeFacility:
    """One facility's state. Tests may read and seed it directly."""

    license_number: str
    name: str = "Fake Facility"
    can_create_opening_balance_packages: bool = True
    items: list[Item] = field(default_factory=list)
    locations: list[Location] = field(default_factory=list)
    strains: list[Strain] = field(default_factory=list)
    available_package_tags: list[str] = field(default_factory=list)
    available_plant_tags: list[str] = field(default_factory=list)
    used_tags: set[str] = field(default_factory=set)
    packages: dict[str, Package] = field(default_factory=dict)
    adjustments: list[PackageAdjustment] = field(default_factory=list)
    plant_batches: dict[str, PlantBatch] = field(default_factory=dict)
    reasons: list[PackageAdjustReason] = field(default_factory=lambda: list(_DEFAULT_REASONS))


@dataclass(frozen=True)
class _Injected:
    operation: str
    error: MetrcError
    apply: bool


class FakeMetrc:
    """In-memory Metrc for one user. ``writes`` logs every write that reached "Metrc"."""

    def __init__(
        self,
        *,
        max_write_objects: int = 10,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.facilities: dict[str, FakeFacility] = {}
        self.units = list(_DEFAULT_UNITS)
        self.max_write_objects = max_write_objects
        self.writes: list[tuple[str, str, list[MetrcPayload]]] = []
        self._now = now or (lambda: datetime.now(UTC))
        self._next_id = 1000
        self._injected: list[_Injected] = []

    # --- seeding -----------------------------------------------------------------------------

    def add_facility(
        self,
        license_number: str,
        *,
        items: Sequence[tuple[str, str]] = (),
        locations: Sequence[str] = (),
        strains: Sequence[str] = (),
        package_tags: Sequence[str] = (),
        plant_tags: Sequence[str] = (),
        can_create_opening_balance_packages: bool = True,
    ) -> FakeFacility:
        """Seed a facility: ``items`` are ``(name, unit of measure)`` pairs."""
        facility = FakeFacility(
            license_number,
            can_create_opening_balance_packages=can_create_opening_balance_packages,
        )
        for name, unit in items:
            facility.items.append(Item(id=self._id(), name=name, unit_of_measure_name=unit))
        for name in locations:
            facility.locations.append(
                Location(id=self._id(), name=name, for_packages=True, for_plants=True)
            )
        for name in strains:
            facility.strains.append(Strain(id=self._id(), name=name))
        facility.available_package_tags.extend(package_tags)
        facility.available_plant_tags.extend(plant_tags)
        self.facilities[license_number] = facility
        return facility

    def fail_next(self, operation: str, error: MetrcError) -> None:
        """The next ``operation`` (a method name, e.g. ``"adjust_packages"``) raises ``error``
        without applying anything."""
        self._injected.append(_Injected(operation, error, apply=False))

    def lose_next_response(self, operation: str) -> None:
        """The next ``operation`` is applied, then raises ``MetrcUnknownOutcomeError``."""
        error = MetrcUnknownOutcomeError(
            "no response after the request was sent (injected)", method="POST", path=operation
        )
        self._injected.append(_Injected(operation, error, apply=True))

    # --- lookups -------------------------------------------------------------------------------

    async def list_facilities(self) -> list[Facility]:
        return [
            Facility(
                name=f.name,
                license=FacilityLicense(number=f.license_number),
                facility_type=FacilityType(
                    can_create_opening_balance_packages=f.can_create_opening_balance_packages
                ),
            )
            for f in self.facilities.values()
        ]

    async def list_locations(
        self, license_number: str, *, since: datetime | None = None, until: datetime | None = None
    ) -> list[Location]:
        return list(self._facility(license_number).locations)

    async def list_items(
        self, license_number: str, *, since: datetime | None = None, until: datetime | None = None
    ) -> list[Item]:
        return list(self._facility(license_number).items)

    async def list_strains(
        self, license_number: str, *, since: datetime | None = None, until: datetime | None = None
    ) -> list[Strain]:
        return list(self._facility(license_number).strains)

    async def list_units_of_measure(self) -> list[UnitOfMeasure]:
        return list(self.units)

    async def list_available_tags(
        self, license_number: str, kind: Literal["package", "plant"] = "package"
    ) -> list[Tag]:
        facility = self._facility(license_number)
        labels = (
            facility.available_package_tags if kind == "package" else facility.available_plant_tags
        )
        return [Tag(label=label) for label in labels]

    async def list_package_adjust_reasons(self, license_number: str) -> list[PackageAdjustReason]:
        return list(self._facility(license_number).reasons)

    # --- package reads -----------------------------------------------------------------------

    async def list_packages(
        self,
        license_number: str,
        status: PackageStatus = "active",
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> list[Package]:
        packages = [
            p
            for p in self._facility(license_number).packages.values()
            if _status(p) == status and _in_window(p.last_modified, since, until)
        ]
        if on_progress is not None:
            on_progress(PullProgress(1, 1, len(packages), 1, 1))
        return packages

    async def get_package(self, license_number: str, id_or_label: int | str) -> Package:
        for package in self._facility(license_number).packages.values():
            if package.label == id_or_label or package.id == id_or_label:
                return package
        raise MetrcNotFoundError(
            "Package not found.", method="GET", path="/packages/v2/{key}", status_code=404
        )

    async def list_package_adjustments(
        self, license_number: str, *, on_progress: ProgressCallback | None = None
    ) -> list[PackageAdjustment]:
        return list(self._facility(license_number).adjustments)

    # --- package writes ------------------------------------------------------------------------

    async def create_packages(
        self, license_number: str, packages: Sequence[PackageCreate]
    ) -> WriteResult:
        facility = self._begin("create_packages", license_number, packages)
        errors: list[tuple[int | None, str]] = []
        draw: dict[str, Decimal] = {}
        tags_in_request: set[str] = set()
        for row, p in enumerate(packages):
            if p.tag not in facility.available_package_tags or p.tag in tags_in_request:
                errors.append((row, f"Tag {p.tag} is not valid."))
            tags_in_request.add(p.tag)
            source_item: str | None = None
            if p.ingredients:
                for ingredient in p.ingredients:
                    source = facility.packages.get(ingredient.package)
                    if source is None or _status(source) != "active":
                        errors.append(
                            (
                                row,
                                f"Package {ingredient.package} does not exist in the current Facility.",
                            )
                        )
                        continue
                    source_item = source.item_name
                    if (
                        ingredient.unit_of_measure.casefold()
                        != source.unit_of_measure_name.casefold()
                    ):
                        errors.append(
                            (
                                row,
                                f"Unit {ingredient.unit_of_measure} differs from package {source.label} ({source.unit_of_measure_name}).",
                            )
                        )
                    total = draw.get(source.label, Decimal(0)) + ingredient.quantity
                    draw[source.label] = total
                    if total > source.quantity:
                        errors.append((row, f"Package {source.label} has insufficient quantity."))
            elif not facility.can_create_opening_balance_packages:
                errors.append((row, "Facility cannot create packages without ingredients."))
            item_name = source_item if p.use_same_item else p.item
            if item_name is None or _find(facility.items, item_name) is None:
                errors.append((row, f"Item {item_name} does not exist in the current Facility."))
            if p.location is not None and _find(facility.locations, p.location) is None:
                errors.append(
                    (row, f"Location {p.location} does not exist in the current Facility.")
                )
            if p.quantity <= 0:
                errors.append((row, "Quantity must be greater than zero."))
        self._reject_if(errors, "POST", "/packages/v2/")

        ids: list[int] = []
        for p in packages:
            for ingredient in p.ingredients or []:
                source = facility.packages[ingredient.package]
                facility.packages[source.label] = self._touch(
                    source, quantity=source.quantity - ingredient.quantity
                )
            item = _find(facility.items, p.item or "") if not p.use_same_item else None
            if item is None and p.ingredients:
                first_source = facility.packages[p.ingredients[0].package]
                item = first_source.item
            package = Package(
                id=self._id(),
                label=p.tag,
                quantity=p.quantity,
                original_package_quantity=p.quantity,
                unit_of_measure_name=p.unit_of_measure,
                item=item,
                location_name=p.location,
                note=p.note,
                packaged_date=p.actual_date,
                last_modified=self._now(),
            )
            facility.packages[p.tag] = package
            facility.available_package_tags.remove(p.tag)
            facility.used_tags.add(p.tag)
            ids.append(package.id)
        return self._finish("create_packages", WriteResult(ids=ids))

    async def adjust_packages(
        self, license_number: str, adjustments: Sequence[PackageAdjust]
    ) -> WriteResult:
        facility = self._begin("adjust_packages", license_number, adjustments)
        errors: list[tuple[int | None, str]] = []
        running: dict[str, Decimal] = {}
        for row, a in enumerate(adjustments):
            package = facility.packages.get(a.label)
            if package is None or _status(package) != "active":
                errors.append((row, f"Package {a.label} does not exist in the current Facility."))
                continue
            reason = _find(facility.reasons, a.adjustment_reason)
            if reason is None:
                errors.append((row, f"Adjustment reason {a.adjustment_reason} is not valid."))
            elif reason.requires_note and not a.reason_note:
                errors.append((row, "Reason note is required."))
            if a.unit_of_measure.casefold() != package.unit_of_measure_name.casefold():
                errors.append((row, f"Unit {a.unit_of_measure} differs from the package's."))
            after = running.get(a.label, package.quantity) + a.quantity
            running[a.label] = after
            if after < 0:
                errors.append((row, f"Package {a.label} would have a negative quantity."))
            if a.adjustment_date > self._now().date():
                errors.append((row, "Adjustment date cannot be in the future."))
        self._reject_if(errors, "POST", "/packages/v2/adjust")

        for a in adjustments:
            package = facility.packages[a.label]
            facility.packages[a.label] = self._touch(
                package, quantity=package.quantity + a.quantity
            )
            facility.adjustments.append(
                PackageAdjustment(
                    package_id=package.id,
                    package_label=a.label,
                    item_name=package.item_name,
                    adjustment_quantity=a.quantity,
                    adjustment_unit_of_measure_name=a.unit_of_measure,
                    adjustment_reason_name=a.adjustment_reason,
                    adjustment_note=a.reason_note,
                    adjustment_date=datetime.combine(a.adjustment_date, datetime.min.time(), UTC),
                )
            )
        return self._finish("adjust_packages", WriteResult(ids=[self._id() for _ in adjustments]))

    async def change_package_locations(
        self, license_number: str, moves: Sequence[PackageLocationChange]
    ) -> WriteResult:
        facility = self._begin("change_package_locations", license_number, moves)
        errors = self._check_active(facility, [m.label for m in moves])
        errors += [
            (row, f"Location {m.location} does not exist in the current Facility.")
            for row, m in enumerate(moves)
            if _find(facility.locations, m.location) is None
        ]
        self._reject_if(errors, "PUT", "/packages/v2/location")
        for m in moves:
            package = facility.packages[m.label]
            facility.packages[m.label] = self._touch(package, location_name=m.location)
        return self._finish("change_package_locations", WriteResult())

    async def finish_packages(
        self, license_number: str, finishes: Sequence[PackageFinish]
    ) -> WriteResult:
        facility = self._begin("finish_packages", license_number, finishes)
        errors = self._check_active(facility, [f.label for f in finishes])
        errors += [
            (row, f"Package {f.label} has a non-zero quantity and cannot be finished.")
            for row, f in enumerate(finishes)
            if f.label in facility.packages and facility.packages[f.label].quantity != 0
        ]
        self._reject_if(errors, "PUT", "/packages/v2/finish")
        for f in finishes:
            package = facility.packages[f.label]
            facility.packages[f.label] = self._touch(
                package, is_finished=True, finished_date=f.actual_date
            )
        return self._finish("finish_packages", WriteResult())

    async def unfinish_packages(
        self, license_number: str, unfinishes: Sequence[PackageUnfinish]
    ) -> WriteResult:
        facility = self._begin("unfinish_packages", license_number, unfinishes)
        errors: list[tuple[int | None, str]] = [
            (row, f"Package {u.label} is not finished.")
            for row, u in enumerate(unfinishes)
            if u.label not in facility.packages or not facility.packages[u.label].is_finished
        ]
        self._reject_if(errors, "PUT", "/packages/v2/unfinish")
        for u in unfinishes:
            package = facility.packages[u.label]
            facility.packages[u.label] = self._touch(package, is_finished=False, finished_date=None)
        return self._finish("unfinish_packages", WriteResult())

    async def discontinue_package(self, license_number: str, package_id: int) -> WriteResult:
        facility = self._begin("discontinue_package", license_number, [])
        for label, package in facility.packages.items():
            if package.id == package_id and _status(package) == "active":
                facility.packages[label] = self._touch(package, archived_date=self._now().date())
                return self._finish("discontinue_package", WriteResult())
        raise MetrcNotFoundError(
            f"Package {package_id} not found.",
            method="DELETE",
            path="/packages/v2/{id}",
            license_number=license_number,
            status_code=404,
        )

    # --- plant batches -------------------------------------------------------------------------

    async def list_plant_batches(
        self,
        license_number: str,
        status: PlantBatchStatus = "active",
        *,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[PlantBatch]:
        return [
            b
            for b in self._facility(license_number).plant_batches.values()
            if (status == "active") == (b.untracked_count > 0)
            and _in_window(b.last_modified, since, until)
        ]

    async def create_plant_batch_plantings(
        self, license_number: str, plantings: Sequence[PlantBatchPlanting]
    ) -> WriteResult:
        facility = self._begin("create_plant_batch_plantings", license_number, plantings)
        errors: list[tuple[int | None, str]] = []
        names: set[str] = set()
        for row, p in enumerate(plantings):
            key = p.name.casefold()
            if key in names or any(key == b.casefold() for b in facility.plant_batches):
                errors.append((row, f"Plant Batch {p.name} already exists."))
            names.add(key)
            if _find(facility.strains, p.strain) is None:
                errors.append((row, f"Strain {p.strain} does not exist in the current Facility."))
            if _find(facility.locations, p.location) is None:
                errors.append(
                    (row, f"Location {p.location} does not exist in the current Facility.")
                )
            if p.count <= 0:
                errors.append((row, "Count must be greater than zero."))
        self._reject_if(errors, "POST", "/plantbatches/v2/plantings")
        ids = []
        for p in plantings:
            batch = PlantBatch(
                id=self._id(),
                name=p.name,
                plant_batch_type_name=p.type,
                strain_name=p.strain,
                location_name=p.location,
                untracked_count=p.count,
                planted_date=p.actual_date,
                last_modified=self._now(),
            )
            facility.plant_batches[p.name] = batch
            ids.append(batch.id)
        return self._finish("create_plant_batch_plantings", WriteResult(ids=ids))

    # --- read-back -----------------------------------------------------------------------------

    async def find_package(self, license_number: str, label: str) -> Package | None:
        return self._facility(license_number).packages.get(label)

    async def recent_packages(
        self,
        license_number: str,
        *,
        within: timedelta = timedelta(minutes=15),
        statuses: Sequence[PackageStatus] = ("active", "onhold", "intransit", "inactive"),
    ) -> list[Package]:
        since = self._now() - within
        return [
            p
            for p in self._facility(license_number).packages.values()
            if _status(p) in statuses and _in_window(p.last_modified, since, None)
        ]

    async def package_adjustments_since(
        self, license_number: str, label: str, since: datetime
    ) -> list[PackageAdjustment]:
        # AdjustmentDate is the facility's local date, which trails the UTC date by up to a day
        # (UTC-12): a day earlier catches them all, and the intent id in the note tells them apart.
        day = since.astimezone(UTC).date() - timedelta(days=1)
        return [
            a
            for a in self._facility(license_number).adjustments
            if a.package_label == label
            and (a.adjustment_date is None or a.adjustment_date.date() >= day)
        ]

    async def find_plant_batch(
        self, license_number: str, name: str, *, modified_since: datetime | None = None
    ) -> PlantBatch | None:
        for batch in self._facility(license_number).plant_batches.values():
            if batch.name.casefold() == name.casefold() and _in_window(
                batch.last_modified, modified_since, None
            ):
                return batch
        return None

    # --- internals -----------------------------------------------------------------------------

    def _id(self) -> int:
        self._next_id += 1
        return self._next_id

    def _facility(self, license_number: str) -> FakeFacility:
        facility = self.facilities.get(license_number)
        if facility is None:
            raise MetrcAuthError(
                "Authorization has been denied for this request.",
                license_number=license_number,
                status_code=401,
            )
        return facility

    def _begin(
        self, operation: str, license_number: str, objects: Sequence[MetrcPayload]
    ) -> FakeFacility:
        facility = self._facility(license_number)
        if len(objects) > self.max_write_objects:
            raise MetrcRequestTooLargeError(
                "Request Entity Too Large", license_number=license_number, status_code=413
            )
        for injected in self._injected:
            if injected.operation == operation and not injected.apply:
                self._injected.remove(injected)
                raise injected.error
        self.writes.append((operation, license_number, list(objects)))
        return facility

    def _finish(self, operation: str, result: WriteResult) -> WriteResult:
        for injected in self._injected:
            if injected.operation == operation and injected.apply:
                self._injected.remove(injected)
                raise injected.error
        return result

    def _reject_if(self, errors: list[tuple[int | None, str]], method: str, path: str) -> None:
        if errors:
            raise MetrcRejectedError(
                "; ".join(m for _, m in errors),
                rows=errors,
                method=method,
                path=path,
                status_code=400,
            )

    def _check_active(
        self, facility: FakeFacility, labels: Sequence[str]
    ) -> list[tuple[int | None, str]]:
        return [
            (row, f"Package {label} does not exist in the current Facility.")
            for row, label in enumerate(labels)
            if label not in facility.packages or _status(facility.packages[label]) != "active"
        ]

    def _touch(self, package: Package, **changes: object) -> Package:
        return package.model_copy(update={**changes, "last_modified": self._now()})


def _status(package: Package) -> PackageStatus:
    if package.is_finished or package.archived_date is not None:
        return "inactive"
    if package.is_on_hold:
        return "onhold"
    return "active"


def _in_window(moment: datetime | None, since: datetime | None, until: datetime | None) -> bool:
    if moment is None:
        return since is None and until is None
    return (since is None or moment >= since) and (until is None or moment <= until)


_Named = TypeVar("_Named", Item, Location, Strain, PackageAdjustReason)


def _find(records: Sequence[_Named], name: str) -> _Named | None:
    wanted = name.casefold()
    return next((r for r in records if r.name.casefold() == wanted), None)
