"""Harvests in the fake: harvesting plants, harvest waste, packages from a harvest, finishing
and unfinishing harvests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from compliance.adapters.metrc.endpoints import HarvestStatus
from compliance.adapters.metrc.fake import catalog
from compliance.adapters.metrc.fake.core import Rows
from compliance.adapters.metrc.fake.plants import FakePlants
from compliance.adapters.metrc.fake.records import FakeFacility
from compliance.adapters.metrc.payloads import (
    HarvestFinish,
    HarvestPackageCreate,
    HarvestUnfinish,
    HarvestWaste,
    PlantHarvest,
)
from compliance.adapters.metrc.schemas import Harvest, Location, Plant, WriteResult

__all__ = ["FakeHarvests"]


class FakeHarvests(FakePlants):
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
            into = self.into_harvest(
                facility,
                plant,
                posted.weight,
                unit,
                drying,
                posted.harvest_name,
                posted.actual_date,
            )
            facility.plants[plant.id] = plant.model_copy(
                update={
                    "state": "Harvested",
                    "harvest_id": into.id,
                    "harvest_count": plant.harvest_count + 1,
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

    def into_harvest(
        self,
        facility: FakeFacility,
        plant: Plant,
        weight: Decimal,
        unit: catalog.Unit,
        drying: Location,
        name: str | None,
        day: date,
        plant_count: int = 1,
    ) -> Harvest:
        """Add ``weight`` cut from ``plant`` to the open harvest ``name`` (created on first use;
        unnamed: the strain and the date), as a harvest and a manicure both do."""
        name = name or f"{plant.strain_name or 'Harvest'} {day}"
        into = self._open_harvest(facility, name) or Harvest(
            id=self.next_id("harvest"),
            name=name,
            harvest_type="WholePlant",
            drying_location_id=drying.id,
            drying_location_name=drying.name,
            unit_of_weight_name=unit.name,
            harvest_start_date=day,
        )
        strains = [s for s in (into.source_strain_names or "").split(", ") if s]
        if plant.strain_name and plant.strain_name not in strains:
            strains.append(plant.strain_name)
        added = catalog.convert(weight, unit, _unit(into.unit_of_weight_name))
        into = into.model_copy(
            update={
                "plant_count": into.plant_count + plant_count,
                "total_wet_weight": into.total_wet_weight + added,
                "current_weight": into.current_weight + added,
                "source_strain_names": ", ".join(strains) or None,
                "source_strain_count": len(strains),
                "last_modified": self.now(),
            }
        )
        facility.harvests[into.id] = into
        return into

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
            item = self.existing(rows, facility.items, "Item", posted.item)
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
            for harvest, amount in taken.values():
                facility.harvests[harvest.id] = harvest.model_copy(
                    update={
                        "current_weight": harvest.current_weight - amount,
                        "total_packaged_weight": harvest.total_packaged_weight + amount,
                        "package_count": harvest.package_count + 1,
                        "last_modified": stamp,
                    }
                )
            created = self.new_package(
                facility,
                tag.label,
                item,
                unit,
                total,
                posted.actual_date,
                location,
                posted,
                source_harvests=[harvest.name for harvest, _ in taken.values()],
            )
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
