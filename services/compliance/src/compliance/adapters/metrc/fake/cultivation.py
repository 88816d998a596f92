"""Cultivation in the fake: plant batches, tracked plants and their growth phases, harvests,
harvest waste, packages from a harvest, finishing harvests and destroying plants."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from compliance.adapters.metrc.endpoints import HarvestStatus, PlantBatchStatus, PlantStatus
from compliance.adapters.metrc.fake import catalog
from compliance.adapters.metrc.fake.core import Rows
from compliance.adapters.metrc.fake.packages import FakePackages
from compliance.adapters.metrc.fake.records import FakeFacility
from compliance.adapters.metrc.payloads import (
    HarvestFinish,
    HarvestPackageCreate,
    HarvestUnfinish,
    HarvestWaste,
    PlantBatchDestroy,
    PlantBatchGrowthPhaseChange,
    PlantBatchPlanting,
    PlantGrowthPhaseChange,
    PlantHarvest,
)
from compliance.adapters.metrc.schemas import Harvest, Package, Plant, PlantBatch, WriteResult

__all__ = ["FakeCultivation"]

_SERIAL_DIGITS = 9


def _run_of_tags(starting: str, count: int) -> list[str] | None:
    """``count`` tag labels from ``starting`` on: tags are issued with sequential serials."""
    stem, serial = starting[:-_SERIAL_DIGITS], starting[-_SERIAL_DIGITS:]
    if not serial.isdigit() or int(serial) + count > 10**_SERIAL_DIGITS:
        return None
    return [f"{stem}{int(serial) + n:0{_SERIAL_DIGITS}d}" for n in range(count)]


class FakeCultivation(FakePackages):
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

    async def find_plant_batch(
        self, license_number: str, name: str, *, modified_since: datetime | None = None
    ) -> PlantBatch | None:
        statuses: tuple[PlantBatchStatus, ...] = ("active", "inactive")
        for status in statuses:
            batches = await self.list_plant_batches(license_number, status, since=modified_since)
            found = catalog.named(batches, name)
            if found is not None:
                return found
        return None

    @staticmethod
    def _active_batch(facility: FakeFacility, name: str) -> PlantBatch | None:
        batches = (b for b in facility.plant_batches.values() if b.untracked_count > 0)
        return catalog.named(batches, name)

    def _batch(self, rows: Rows, facility: FakeFacility, name: str) -> PlantBatch | None:
        found = self._active_batch(facility, name)
        if found is None:
            rows.fail(f"Plant Batch {name} does not exist in the current Facility.")
        return found

    async def create_plant_batch_plantings(
        self, license_number: str, plantings: Sequence[PlantBatchPlanting]
    ) -> WriteResult:
        def plant(rows: Rows, facility: FakeFacility, posted: PlantBatchPlanting) -> list[int]:
            strain = self.strain(rows, facility, posted.strain)
            location = self.location(rows, facility, posted.location, "plant batches")
            self.past_date(rows, facility, "ActualDate", posted.actual_date)
            kind = catalog.one_of(catalog.PLANT_BATCH_TYPES, posted.type)
            if kind is None:
                rows.fail(f"Type {posted.type} is not valid. Valid values are: Seed, Clone.")
            if posted.count <= 0:
                rows.fail("Count must be greater than 0.")
            if self._active_batch(facility, posted.name) is not None:
                rows.fail(
                    f"A Plant Batch named {posted.name} already exists in the current Facility."
                )
            if not rows.ok or strain is None or location is None or kind is None:
                return []
            batch = PlantBatch(
                id=self.next_id("plant_batch"),
                name=posted.name,
                plant_batch_type_id=catalog.PLANT_BATCH_TYPES[kind],
                plant_batch_type_name=kind,
                location_id=location.id,
                location_name=location.name,
                strain_id=strain.id,
                strain_name=strain.name,
                patient_license_number=posted.patient_license_number,
                untracked_count=posted.count,
                planted_date=posted.actual_date,
                last_modified=self.now(),
            )
            facility.plant_batches[batch.id] = batch
            return [batch.id]

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

    async def harvest_plants(
        self, license_number: str, harvests: Sequence[PlantHarvest]
    ) -> WriteResult:
        def harvest(rows: Rows, facility: FakeFacility, posted: PlantHarvest) -> list[int]:
            plant = self._tracked(rows, facility, None, posted.plant)
            self.positive(rows, "Weight", posted.weight)
            unit = self.weight_unit(rows, "UnitOfWeight", posted.unit_of_weight)
            drying = self.location(rows, facility, posted.drying_location, "harvests")
            self.past_date(rows, facility, "ActualDate", posted.actual_date)
            if plant is not None and plant.growth_phase != "Flowering":
                rows.fail(f"Plant {plant.label} is not in the Flowering phase.")
            if not rows.ok or plant is None or unit is None or drying is None:
                return []
            stamp = self.now()
            name = posted.harvest_name or f"{plant.strain_name or 'Harvest'} {posted.actual_date}"
            into = self._open_harvest(facility, name) or Harvest(
                id=self.next_id("harvest"),
                name=name,
                harvest_type="WholePlant",
                drying_location_id=drying.id,
                drying_location_name=drying.name,
                unit_of_weight_name=unit.name,
                harvest_start_date=posted.actual_date,
            )
            strains = [s for s in (into.source_strain_names or "").split(", ") if s]
            if plant.strain_name and plant.strain_name not in strains:
                strains.append(plant.strain_name)
            added = catalog.convert(posted.weight, unit, _unit(into.unit_of_weight_name))
            facility.harvests[into.id] = into.model_copy(
                update={
                    "plant_count": into.plant_count + 1,
                    "total_wet_weight": into.total_wet_weight + added,
                    "current_weight": into.current_weight + added,
                    "source_strain_names": ", ".join(strains) or None,
                    "source_strain_count": len(strains),
                    "last_modified": stamp,
                }
            )
            facility.plants[plant.id] = plant.model_copy(
                update={
                    "state": "Harvested",
                    "harvest_id": into.id,
                    "harvest_count": 1,
                    "harvested_date": posted.actual_date,
                    "harvested_wet_weight": posted.weight,
                    "harvested_unit_of_weight_name": unit.name,
                    "last_modified": stamp,
                }
            )
            return []

        return self.write(
            "harvest_plants",
            license_number,
            harvests,
            harvest,
            method="PUT",
            path="/plants/v2/harvest",
            grows=True,
        )

    # --- harvests --------------------------------------------------------------------------------

    async def list_harvests(
        self,
        license_number: str,
        status: HarvestStatus = "active",
        *,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[Harvest]:
        facility = self.acting(license_number)
        active = status == "active"
        harvests = [h for h in facility.harvests.values() if (h.finished_date is None) is active]
        return self.window(harvests, since, until)

    @staticmethod
    def _open_harvest(facility: FakeFacility, name: str) -> Harvest | None:
        return catalog.named(
            (h for h in facility.harvests.values() if h.finished_date is None), name
        )

    @staticmethod
    def _harvest(
        rows: Rows, facility: FakeFacility, harvest_id: int, *, finished: bool = False
    ) -> Harvest | None:
        found = facility.harvests.get(harvest_id)
        if found is None:
            rows.fail(f"Harvest {harvest_id} does not exist in the current Facility.")
            return None
        if (found.finished_date is not None) is not finished:
            rows.fail(f"Harvest {found.name} is {'not ' if finished else ''}finished.")
            return None
        return found

    async def create_harvest_packages(
        self, license_number: str, packages: Sequence[HarvestPackageCreate]
    ) -> WriteResult:
        def package(rows: Rows, facility: FakeFacility, posted: HarvestPackageCreate) -> list[int]:
            tag = self.free_tag(rows, facility, posted.tag, "Package")
            item = self.item(rows, facility, posted.item)
            unit = self.weight_unit(rows, "UnitOfWeight", posted.unit_of_weight)
            location = None
            if posted.location is not None:
                location = self.location(rows, facility, posted.location, "packages")
            self.past_date(rows, facility, "ActualDate", posted.actual_date)
            if not posted.ingredients:
                rows.fail("Ingredients were not specified.")
            taken: dict[int, tuple[Harvest, Decimal]] = {}
            total = Decimal(0)
            for ingredient in posted.ingredients:
                harvest = self._harvest(rows, facility, ingredient.harvest_id)
                weight_ok = self.positive(rows, "Weight", ingredient.weight)
                weight_unit = self.weight_unit(rows, "UnitOfWeight", ingredient.unit_of_weight)
                if harvest is None or not weight_ok or weight_unit is None:
                    continue
                before = taken.get(harvest.id, (harvest, Decimal(0)))[1]
                own = _unit(harvest.unit_of_weight_name)
                taken[harvest.id] = (
                    harvest,
                    before + catalog.convert(ingredient.weight, weight_unit, own),
                )
                if unit is not None:
                    total += catalog.convert(ingredient.weight, weight_unit, unit)
            for harvest, amount in taken.values():
                if amount > harvest.current_weight:
                    rows.fail(_short(harvest, amount, "was requested"))
            if item is not None and unit is not None and item.quantity_type != "WeightBased":
                rows.fail(f"Item {item.name} is not measured by weight.")
            if not rows.ok or tag is None or item is None or unit is None:
                return []
            stamp = self.now()
            facility.used_tags.add(tag.label)
            for harvest, amount in taken.values():
                facility.harvests[harvest.id] = harvest.model_copy(
                    update={
                        "current_weight": harvest.current_weight - amount,
                        "total_packaged_weight": harvest.total_packaged_weight + amount,
                        "package_count": harvest.package_count + 1,
                        "last_modified": stamp,
                    }
                )
            names = [harvest.name for harvest, _ in taken.values()]
            created = Package(
                id=self.next_id("package"),
                label=tag.label,
                package_type="Product",
                quantity=total,
                original_package_quantity=total,
                unit_of_measure_name=unit.name,
                unit_of_measure_abbreviation=unit.abbreviation,
                item=item.model_copy(update={"is_used": True}),
                location_id=location.id if location else None,
                location_name=location.name if location else None,
                location_type_name=location.location_type_name if location else None,
                note=posted.note,
                source_harvest_names=", ".join(names),
                source_harvest_count=len(names),
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
                is_on_recall=False,
                last_modified=stamp,
            )
            facility.packages[created.label] = created
            return [created.id]

        return self.write(
            "create_harvest_packages",
            license_number,
            packages,
            package,
            method="POST",
            path="/harvests/v2/packages",
        )

    async def record_harvest_waste(
        self, license_number: str, wastes: Sequence[HarvestWaste]
    ) -> WriteResult:
        def waste(rows: Rows, facility: FakeFacility, posted: HarvestWaste) -> list[int]:
            harvest = self._harvest(rows, facility, posted.id)
            unit = self.weight_unit(rows, "UnitOfWeight", posted.unit_of_weight)
            weight_ok = self.positive(rows, "WasteWeight", posted.waste_weight)
            self.past_date(rows, facility, "ActualDate", posted.actual_date)
            if catalog.one_of(catalog.HARVEST_WASTE_TYPES, posted.waste_type) is None:
                valid = ", ".join(catalog.HARVEST_WASTE_TYPES)
                rows.fail(
                    f"Waste Type {posted.waste_type} is not valid. Valid values are: {valid}."
                )
            if harvest is None or unit is None or not weight_ok or not rows.ok:
                return []
            amount = catalog.convert(posted.waste_weight, unit, _unit(harvest.unit_of_weight_name))
            if amount > harvest.current_weight:
                rows.fail(_short(harvest, amount, "of waste cannot be recorded"))
                return []
            facility.harvests[harvest.id] = harvest.model_copy(
                update={
                    "current_weight": harvest.current_weight - amount,
                    "total_waste_weight": harvest.total_waste_weight + amount,
                    "last_modified": self.now(),
                }
            )
            waste_id = self.next_id("harvest_waste")
            facility.harvest_waste[waste_id] = (harvest.id, amount)
            return [waste_id]

        return self.write(
            "record_harvest_waste",
            license_number,
            wastes,
            waste,
            method="POST",
            path="/harvests/v2/waste",
        )

    async def finish_harvests(
        self, license_number: str, finishes: Sequence[HarvestFinish]
    ) -> WriteResult:
        def finish(rows: Rows, facility: FakeFacility, posted: HarvestFinish) -> list[int]:
            harvest = self._harvest(rows, facility, posted.id)
            dated = self.past_date(rows, facility, "ActualDate", posted.actual_date)
            if harvest is None or not dated or not rows.ok:
                return []
            started = harvest.harvest_start_date
            if started is not None and posted.actual_date < started:
                rows.fail(
                    f"ActualDate cannot be before the harvest date of Harvest {harvest.name}."
                )
                return []
            # Metrc books whatever weight is left as moisture loss; it does not demand zero.
            return self._set_finished(facility, harvest, posted.actual_date)

        return self.write(
            "finish_harvests",
            license_number,
            finishes,
            finish,
            method="PUT",
            path="/harvests/v2/finish",
        )

    async def unfinish_harvests(
        self, license_number: str, unfinishes: Sequence[HarvestUnfinish]
    ) -> WriteResult:
        def unfinish(rows: Rows, facility: FakeFacility, posted: HarvestUnfinish) -> list[int]:
            harvest = self._harvest(rows, facility, posted.id, finished=True)
            if harvest is None:
                return []
            return self._set_finished(facility, harvest, None)

        return self.write(
            "unfinish_harvests",
            license_number,
            unfinishes,
            unfinish,
            method="PUT",
            path="/harvests/v2/unfinish",
        )

    def _set_finished(
        self, facility: FakeFacility, harvest: Harvest, day: date | None
    ) -> list[int]:
        facility.harvests[harvest.id] = harvest.model_copy(
            update={"finished_date": day, "last_modified": self.now()}
        )
        return [harvest.id]


def _unit(name: str | None) -> catalog.Unit:
    unit = catalog.named(catalog.UNITS, name or "")
    assert unit is not None, f"unknown unit {name}"
    return unit


def _short(harvest: Harvest, amount: Decimal, outcome: str) -> str:
    unit = harvest.unit_of_weight_name or ""
    return (
        f"Harvest {harvest.name} has only {catalog.describe(harvest.current_weight, unit)} "
        f"remaining; {catalog.describe(amount, unit)} {outcome}."
    )
