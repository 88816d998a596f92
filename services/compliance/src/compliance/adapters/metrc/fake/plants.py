"""Plants in the fake: plant batches (untracked plants), tracked plants and their growth phases,
destroying plants."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from compliance.adapters.metrc.endpoints import PlantBatchStatus, PlantStatus
from compliance.adapters.metrc.fake import catalog
from compliance.adapters.metrc.fake.core import Rows
from compliance.adapters.metrc.fake.package_changes import FakePackageChanges
from compliance.adapters.metrc.fake.records import FakeFacility
from compliance.adapters.metrc.payloads import (
    PlantBatchDestroy,
    PlantBatchGrowthPhaseChange,
    PlantBatchPlanting,
    PlantGrowthPhaseChange,
)
from compliance.adapters.metrc.schemas import Location, Plant, PlantBatch, Strain, WriteResult

__all__ = ["FakePlants"]

_SERIAL_DIGITS = 9


def _run_of_tags(starting: str, count: int) -> list[str] | None:
    """``count`` tag labels from ``starting`` on: tags are issued with sequential serials."""
    stem, serial = starting[:-_SERIAL_DIGITS], starting[-_SERIAL_DIGITS:]
    if not serial.isdigit() or int(serial) + count > 10**_SERIAL_DIGITS:
        return None
    return [f"{stem}{int(serial) + n:0{_SERIAL_DIGITS}d}" for n in range(count)]


class FakePlants(FakePackageChanges):
    # --- plant batches ---------------------------------------------------------------------------

    async def list_plant_batches(
        self,
        license_number: str,
        status: PlantBatchStatus = "active",
        *,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[PlantBatch]:
        facility = self.acting(license_number)
        active = status == "active"
        batches = [b for b in facility.plant_batches.values() if (b.untracked_count > 0) is active]
        return self.window(batches, since, until)

    @staticmethod
    def _active_batch(facility: FakeFacility, name: str) -> PlantBatch | None:
        batches = (b for b in facility.plant_batches.values() if b.untracked_count > 0)
        return catalog.named(batches, name)

    def _batch(self, rows: Rows, facility: FakeFacility, name: str) -> PlantBatch | None:
        found = self._active_batch(facility, name)
        if found is None:
            rows.fail(f"Plant Batch {name} does not exist in the current Facility.")
        return found

    def _new_batch_name(self, rows: Rows, facility: FakeFacility, name: str) -> bool:
        if self._active_batch(facility, name) is not None:
            rows.fail(f"A Plant Batch named {name} already exists in the current Facility.")
            return False
        return True

    def _add_plant_batch(
        self,
        facility: FakeFacility,
        *,
        name: str,
        kind: str,
        location: Location,
        strain: Strain,
        patient_license_number: str | None,
        count: int,
        planted_date: date,
        source_package_label: str | None = None,
    ) -> list[int]:
        """A new plant batch of ``count`` untracked plants (a planting, or one from a package)."""
        batch = PlantBatch(
            id=self.next_id("plant_batch"),
            name=name,
            plant_batch_type_id=catalog.PLANT_BATCH_TYPES[kind],
            plant_batch_type_name=kind,
            location_id=location.id,
            location_name=location.name,
            strain_id=strain.id,
            strain_name=strain.name,
            patient_license_number=patient_license_number,
            untracked_count=count,
            source_package_label=source_package_label,
            planted_date=planted_date,
            last_modified=self.now(),
        )
        facility.plant_batches[batch.id] = batch
        return [batch.id]

    async def create_plant_batch_plantings(
        self, license_number: str, plantings: Sequence[PlantBatchPlanting]
    ) -> WriteResult:
        def plant(rows: Rows, facility: FakeFacility, posted: PlantBatchPlanting) -> list[int]:
            strain = self.existing(rows, facility.strains, "Strain", posted.strain)
            location = self.location(rows, facility, posted.location, "plant batches")
            self.past_date(rows, facility, "ActualDate", posted.actual_date)
            kind = catalog.one_of(catalog.PLANT_BATCH_TYPES, posted.type)
            if kind is None:
                rows.fail(f"Type {posted.type} is not valid. Valid values are: Seed, Clone.")
            if posted.count <= 0:
                rows.fail("Count must be greater than 0.")
            self._new_batch_name(rows, facility, posted.name)
            if not rows.ok or strain is None or location is None or kind is None:
                return []
            return self._add_plant_batch(
                facility,
                name=posted.name,
                kind=kind,
                location=location,
                strain=strain,
                patient_license_number=posted.patient_license_number,
                count=posted.count,
                planted_date=posted.actual_date,
            )

        return self.write(
            "create_plant_batch_plantings",
            license_number,
            plantings,
            plant,
            method="POST",
            path="/plantbatches/v2/plantings",
            grows=True,
        )

    def _phase(self, rows: Rows, field: str, name: str) -> str | None:
        phase = catalog.one_of(catalog.GROWTH_PHASES, name)
        if phase is None:
            rows.fail(f"{field} {name} is not valid. Valid values are: Vegetative, Flowering.")
        return phase

    async def change_plant_batch_growth_phase(
        self, license_number: str, changes: Sequence[PlantBatchGrowthPhaseChange]
    ) -> WriteResult:
        def grow(
            rows: Rows, facility: FakeFacility, posted: PlantBatchGrowthPhaseChange
        ) -> list[int]:
            batch = self._batch(rows, facility, posted.name)
            phase = self._phase(rows, "GrowthPhase", posted.growth_phase)
            location = self.location(rows, facility, posted.new_location, "plants")
            self.past_date(rows, facility, "GrowthDate", posted.growth_date)
            count: int | None = posted.count
            if posted.count <= 0:
                rows.fail("Count must be greater than 0.")
                count = None
            if batch is not None and count is not None and count > batch.untracked_count:
                rows.fail(
                    f"Plant Batch {batch.name} has {batch.untracked_count} untracked plants; "
                    f"{count} cannot be moved."
                )
            tags = []
            if count is not None:
                labels = _run_of_tags(posted.starting_tag, count)
                if labels is None:
                    rows.fail(f"Tag {posted.starting_tag} is not valid.")
                else:
                    tags = [self.free_tag(rows, facility, label, "Plant") for label in labels]
            if not rows.ok or batch is None or phase is None or location is None:
                return []
            stamp, ids = self.now(), []
            for tag in tags:
                assert tag is not None
                facility.used_tags.add(tag.label)
                plant = Plant(
                    id=self.next_id("plant"),
                    label=tag.label,
                    state="Tracked",
                    growth_phase=phase,
                    plant_batch_id=batch.id,
                    plant_batch_name=batch.name,
                    plant_batch_type_name=batch.plant_batch_type_name,
                    strain_id=batch.strain_id,
                    strain_name=batch.strain_name,
                    location_id=location.id,
                    location_name=location.name,
                    planted_date=batch.planted_date,
                    vegetative_date=posted.growth_date,
                    flowering_date=posted.growth_date if phase == "Flowering" else None,
                    last_modified=stamp,
                )
                facility.plants[plant.id] = plant
                ids.append(plant.id)
            moved = len(tags)
            facility.plant_batches[batch.id] = batch.model_copy(
                update={
                    "untracked_count": batch.untracked_count - moved,
                    "tracked_count": batch.tracked_count + moved,
                    "last_modified": stamp,
                }
            )
            return ids

        return self.write(
            "change_plant_batch_growth_phase",
            license_number,
            changes,
            grow,
            method="POST",
            path="/plantbatches/v2/growthphase",
            grows=True,
        )

    async def destroy_plant_batches(
        self, license_number: str, destroys: Sequence[PlantBatchDestroy]
    ) -> WriteResult:
        def destroy(rows: Rows, facility: FakeFacility, posted: PlantBatchDestroy) -> list[int]:
            batch = self._batch(rows, facility, posted.plant_batch)
            method, reason = posted.waste_method_name, posted.waste_reason_name
            self.required(rows, "WasteMethodName", method)
            self.required(rows, "WasteReasonName", reason)
            if self.required(rows, "WasteWeight", posted.waste_weight):
                assert posted.waste_weight is not None
                self.positive(rows, "WasteWeight", posted.waste_weight, allow_zero=True)
            self.weight_unit(rows, "WasteUnitOfMeasure", posted.waste_unit_of_measure)
            self.past_date(rows, facility, "ActualDate", posted.actual_date)
            if method and catalog.one_of(catalog.PLANT_WASTE_METHODS, method) is None:
                rows.fail(f"Waste Method {method} is not valid.")
            if reason and catalog.one_of(catalog.PLANT_WASTE_REASONS, reason) is None:
                rows.fail(f"Waste Reason {reason} is not valid.")
            if posted.count <= 0:
                rows.fail("Count must be greater than 0.")
            elif batch is not None and posted.count > batch.untracked_count:
                rows.fail(
                    f"Plant Batch {batch.name} has {batch.untracked_count} untracked plants; "
                    f"{posted.count} cannot be destroyed."
                )
            if not rows.ok or batch is None:
                return []
            facility.plant_batches[batch.id] = batch.model_copy(
                update={
                    "untracked_count": batch.untracked_count - posted.count,
                    "destroyed_count": batch.destroyed_count + posted.count,
                    "last_modified": self.now(),
                }
            )
            return [batch.id]

        return self.write(
            "destroy_plant_batches",
            license_number,
            destroys,
            destroy,
            method="DELETE",
            path="/plantbatches/v2/",
            grows=True,
        )

    # --- plants ----------------------------------------------------------------------------------

    async def list_plants(
        self,
        license_number: str,
        status: PlantStatus = "vegetative",
        *,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[Plant]:
        facility = self.acting(license_number)
        phase = {"vegetative": "Vegetative", "flowering": "Flowering"}.get(status)
        # vegetative and flowering list tracked plants; inactive the harvested and destroyed.
        plants = [
            p
            for p in facility.plants.values()
            if (p.state == "Tracked" and p.growth_phase == phase if phase else p.state != "Tracked")
        ]
        return self.window(plants, since, until)

    async def get_plant(self, license_number: str, id_or_label: int | str) -> Plant:
        facility = self.acting(license_number)
        for owner in self.facilities.values():
            for plant in owner.plants.values():
                if id_or_label in (plant.id, plant.label):
                    self.own(facility, owner, "plant", id_or_label)
                    return plant
        self.own(facility, None, "plant", id_or_label)
        raise AssertionError("own() raises for a missing record")

    def _tracked(
        self, rows: Rows, facility: FakeFacility, plant_id: int | None, label: str | None
    ) -> Plant | None:
        """A tracked plant of the facility, by Id or else by label."""
        if plant_id is None and not self.required(rows, "Label", label):
            return None
        key = plant_id if plant_id is not None else label
        found = next((p for p in facility.plants.values() if key in (p.id, p.label)), None)
        if found is None:
            rows.fail(f"Plant {key} does not exist in the current Facility.")
            return None
        if found.state != "Tracked":
            rows.fail(f"Plant {found.label} has been {(found.state or '').lower()}.")
            return None
        return found

    async def change_plant_growth_phases(
        self, license_number: str, changes: Sequence[PlantGrowthPhaseChange]
    ) -> WriteResult:
        def grow(rows: Rows, facility: FakeFacility, posted: PlantGrowthPhaseChange) -> list[int]:
            plant = self._tracked(rows, facility, posted.id, posted.label)
            new_tag = None
            if posted.new_tag is not None:
                new_tag = self.free_tag(rows, facility, posted.new_tag, "Plant")
            phase = self._phase(rows, "GrowthPhase", posted.growth_phase)
            location = self.location(rows, facility, posted.new_location, "plants")
            self.past_date(rows, facility, "GrowthDate", posted.growth_date)
            if plant is not None and phase == "Vegetative" and plant.growth_phase == "Flowering":
                rows.fail(f"Plant {plant.label} is Flowering and cannot go back to Vegetative.")
            if not rows.ok or plant is None or phase is None or location is None:
                return []
            changed: dict[str, object] = {
                "growth_phase": phase,
                "location_id": location.id,
                "location_name": location.name,
                "last_modified": self.now(),
            }
            if new_tag is not None:
                facility.used_tags.add(new_tag.label)
                changed["label"] = new_tag.label
            if phase == "Flowering" and plant.growth_phase != "Flowering":
                changed["flowering_date"] = posted.growth_date
            facility.plants[plant.id] = plant.model_copy(update=changed)
            return []

        return self.write(
            "change_plant_growth_phases",
            license_number,
            changes,
            grow,
            method="PUT",
            path="/plants/v2/growthphase",
            grows=True,
        )
