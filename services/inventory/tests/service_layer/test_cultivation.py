"""Cultivation in the service layer, over the in-memory unit of work: plant batches, growth into
tracked plants, harvests and packages from them; each change writes its state, ledger rows and
one event together, and a refused one writes nothing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest
from inventory.domain import ValidationError
from inventory.domain.cultivation import (
    GrowthPhase,
    HarvestWasteType,
    HarvestWeightExceededError,
    InsufficientPlantsError,
    PlantBatchType,
    PlantingSourceKind,
    PlantState,
)
from inventory.domain.intake import METRC_UNITS_OF_MEASURE as UNITS
from inventory.service_layer import cultivation_commands as c
from inventory.service_layer import harvests, plant_batches, plants
from inventory.service_layer.caller import utc_now
from inventory.service_layer.errors import DuplicateError, NotFoundError, SiteAccessDeniedError
from shared.database import in_transaction
from shared.events import EventEnvelope, decode
from shared.events import cultivation as ev
from shared.events import inventory as inv

TODAY = date(2026, 1, 15)  # in the past wherever the site is
TAG = "1A4FF0100000022000000101"


async def run(world: Any, handler: Any, cmd: Any, caller: Any = None, **kw: Any) -> Any:
    return await in_transaction(
        world.db.unit_of_work, lambda uow: handler(uow, caller or world.admin, cmd, **kw)
    )


def events(world: Any) -> list[Any]:
    return [decode(EventEnvelope.from_bytes(m.envelope)) for m in world.db.tables.outbox]


def create(world: Any, **overrides: Any) -> c.CreatePlantBatch:
    fields: dict[str, Any] = {
        "site_id": world.site_id,
        "name": "BD-A",
        "type": PlantBatchType.CLONE,
        "count": 100,
        "strain": "Blue Dream",
        "location_id": world.location_a,
        "planted_date": TODAY,
    }
    fields.update(overrides)
    return c.CreatePlantBatch(**fields)


async def planted(world: Any, **overrides: Any) -> Any:
    return await run(world, plant_batches.create_plant_batch, create(world, **overrides))


async def flowering(world: Any, count: int = 2) -> Any:
    batch = await planted(world)
    return await run(
        world,
        plant_batches.move_into_growth,
        c.MoveIntoGrowth(
            plant_batch_id=batch.state.plant_batch_id,
            count=count,
            starting_tag=TAG,
            growth_phase=GrowthPhase.FLOWERING,
            actual_date=TODAY,
            location_id=world.location_b,
        ),
    )


class TestPlantBatches:
    async def test_planting_writes_the_batch_its_ledger_row_and_planted_event(
        self, world: Any
    ) -> None:
        outcome = await planted(world)
        tables = world.db.tables
        assert list(tables.plant_batches) == [outcome.state.plant_batch_id]
        ((_, row),) = tables.plant_movements
        assert (row.type.value, row.change, row.after) == ("PLANTED", 100, 100)
        (event,) = events(world)
        assert isinstance(event, ev.PlantBatchPlantedV1)
        assert event.plant_batch.site.license_number == "OR-1"
        assert event.plant_batch.location.label == "Vault"
        assert (event.plant_batch.count, event.plant_batch.planted_date) == (100, TODAY)
        envelope = EventEnvelope.from_bytes(tables.outbox[0].envelope)
        assert envelope.aggregate_id == outcome.state.plant_batch_id
        assert tables.outbox[0].topic == "inventory.cultivation.events"

    async def test_a_name_is_unique_per_facility(self, world: Any) -> None:
        await planted(world)
        with pytest.raises(DuplicateError):
            await planted(world, count=5)
        assert len(world.db.tables.plant_batches) == 1
        assert len(world.db.tables.outbox) == 1

    async def test_a_planted_date_in_the_future_is_refused(self, world: Any) -> None:
        with pytest.raises(ValidationError):
            await planted(world, planted_date=utc_now().date() + timedelta(days=2))
        assert world.db.tables.plant_batches == {}

    @pytest.mark.parametrize("source", [PlantingSourceKind.PACKAGE, PlantingSourceKind.SPLIT])
    async def test_a_planting_from_a_package_or_a_split_is_not_taken_yet(
        self, world: Any, source: PlantingSourceKind
    ) -> None:
        with pytest.raises(ValidationError):
            await planted(world, source=source)
        assert world.db.tables.plant_batches == {}

    async def test_another_sites_location_or_site_is_refused(self, world: Any) -> None:
        with pytest.raises(NotFoundError):
            await planted(world, location_id=uuid4())
        with pytest.raises(SiteAccessDeniedError):
            await run(world, plant_batches.create_plant_batch, create(world), world.stranger)

    async def test_a_split_is_one_event_carrying_the_new_batch(self, world: Any) -> None:
        batch = await planted(world)
        outcome = await run(
            world,
            plant_batches.split_plant_batch,
            c.SplitPlantBatch(
                plant_batch_id=batch.state.plant_batch_id, name="BD-B", count=40,
                actual_date=TODAY, location_id=world.location_b,
            ),
        )  # fmt: skip
        assert (outcome.state.count, outcome.new.state.count) == (60, 40)
        split = events(world)[-1]
        assert isinstance(split, ev.PlantBatchSplitV1)
        assert (split.new_plant_batch.name, split.new_plant_batch.location.label) == (
            "BD-B", "Floor",
        )  # fmt: skip
        assert len(events(world)) == 2

    async def test_adjust_move_and_destroy_each_write_a_row_and_an_event(self, world: Any) -> None:
        batch = await planted(world)
        pb = batch.state.plant_batch_id
        await run(world, plant_batches.adjust_plant_count,
                  c.AdjustPlantCount(plant_batch_id=pb, quantity=-3, reason="Dead",
                                     actual_date=TODAY, version=1))  # fmt: skip
        await run(world, plant_batches.move_plant_batch,
                  c.MovePlantBatch(plant_batch_id=pb, location_id=world.location_b,
                                   actual_date=TODAY))  # fmt: skip
        await run(world, plant_batches.destroy_plants,
                  c.DestroyPlants(plant_batch_id=pb, count=7, waste_method="Grinder",
                                  waste_reason="Male plants", waste_weight=Decimal("12.5"),
                                  waste_unit="Grams", actual_date=TODAY))  # fmt: skip
        state = world.db.tables.plant_batches[pb]
        assert (state.count, state.destroyed_count, state.version) == (90, 7, 4)
        kinds = [type(e).__name__ for e in events(world)]
        assert kinds == [
            "PlantBatchPlantedV1", "PlantBatchCountAdjustedV1", "PlantBatchMovedV1",
            "PlantBatchDestroyedV1",
        ]  # fmt: skip
        destroyed = events(world)[-1]
        assert destroyed.waste.weight == Decimal("12.5000")
        assert sum(m.change for _, m in world.db.tables.plant_movements) == state.count

    async def test_a_refused_change_writes_nothing(self, world: Any) -> None:
        batch = await planted(world, count=5)
        with pytest.raises(InsufficientPlantsError):
            await run(world, plant_batches.adjust_plant_count,
                      c.AdjustPlantCount(plant_batch_id=batch.state.plant_batch_id, quantity=-6,
                                         reason="Dead", actual_date=TODAY))  # fmt: skip
        assert world.db.tables.plant_batches[batch.state.plant_batch_id].version == 1
        assert len(world.db.tables.outbox) == 1

    async def test_growth_tags_tracked_plants_in_sequence_and_refuses_taken_tags(
        self, world: Any
    ) -> None:
        grown = await flowering(world, 3)
        assert sorted(p.tag for p in world.db.tables.plants.values()) == [
            TAG, "1A4FF0100000022000000102", "1A4FF0100000022000000103",
        ]  # fmt: skip
        event = events(world)[-1]
        assert isinstance(event, ev.PlantBatchGrowthPhaseChangedV1)
        assert (event.count, event.growth_phase, event.location.label) == (
            3, GrowthPhase.FLOWERING, "Floor",
        )  # fmt: skip
        with pytest.raises(DuplicateError):
            await run(world, plant_batches.move_into_growth,
                      c.MoveIntoGrowth(plant_batch_id=grown.state.plant_batch_id, count=1,
                                       starting_tag="1A4FF0100000022000000103",
                                       growth_phase=GrowthPhase.VEGETATIVE,
                                       actual_date=TODAY))  # fmt: skip
        assert len(world.db.tables.plants) == 3


class TestTrackedPlants:
    async def test_each_plant_moved_into_flowering_has_its_own_event(self, world: Any) -> None:
        batch = await planted(world)
        await run(world, plant_batches.move_into_growth,
                  c.MoveIntoGrowth(plant_batch_id=batch.state.plant_batch_id, count=2,
                                   starting_tag=TAG, growth_phase=GrowthPhase.VEGETATIVE,
                                   actual_date=TODAY))  # fmt: skip
        tags = ("1A4FF0100000022000000102", TAG)
        moved = await run(world, plants.change_plants_phase,
                          c.ChangePlantsPhase(site_id=world.site_id, tags=tags,
                                              growth_phase=GrowthPhase.FLOWERING,
                                              actual_date=TODAY, location_id=world.location_b))  # fmt: skip
        assert [p.tag for p in moved] == list(tags)
        changed = events(world)[-2:]
        assert all(isinstance(e, ev.PlantGrowthPhaseChangedV1) for e in changed)
        assert [(e.plant.tag, e.from_phase, e.plant.location.label) for e in changed] == [
            (tags[0], GrowthPhase.VEGETATIVE, "Floor"), (tags[1], GrowthPhase.VEGETATIVE, "Floor"),
        ]  # fmt: skip
        keys = [
            EventEnvelope.from_bytes(m.envelope).aggregate_id for m in world.db.tables.outbox[-2:]
        ]
        assert keys == [p.plant_id for p in moved]

    async def test_an_unknown_tag_changes_no_plant(self, world: Any) -> None:
        await flowering(world, 1)
        with pytest.raises(NotFoundError):
            await run(world, plants.change_plants_phase,
                      c.ChangePlantsPhase(site_id=world.site_id,
                                          tags=(TAG, "1A4FF0100000022000000999"),
                                          growth_phase=GrowthPhase.VEGETATIVE,
                                          actual_date=TODAY))  # fmt: skip
        assert {p.growth_phase for p in world.db.tables.plants.values()} == {GrowthPhase.FLOWERING}


async def harvest(world: Any, **overrides: Any) -> Any:
    fields: dict[str, Any] = {
        "site_id": world.site_id,
        "name": "H-1",
        "drying_location_id": world.location_b,
        "unit_of_weight": "Grams",
        "harvest_date": TODAY,
        "plants": (
            c.HarvestPlant(tag=TAG, weight=Decimal("600.25")),
            c.HarvestPlant(tag="1A4FF0100000022000000102", weight=Decimal("399.75")),
        ),
        "waste_weight": Decimal("50"),
    }
    fields.update(overrides)
    return await run(world, harvests.harvest_plants, c.HarvestPlants(**fields))


async def product(world: Any, unit: str = "Grams") -> Any:
    brand = await world.db.unit_of_work().reference.create_brand(name="Own", vendor_id=None)
    return await world.db.unit_of_work().reference.create_product(
        {"name": f"Bulk flower {unit}", "category": "Flower", "subcategory": None,
         "strain": "Blue Dream", "unit_of_measure": unit, "sku": None, "brand_id": brand["id"]},
        find_existing=False,
    )  # fmt: skip


class TestHarvests:
    async def test_a_harvest_takes_the_plants_and_records_its_waste(self, world: Any) -> None:
        await flowering(world)
        outcome = await harvest(world)
        assert outcome.state.current_weight == Decimal("950.00")
        assert all(p.state is PlantState.HARVESTED for p in world.db.tables.plants.values())
        event = events(world)[-1]
        assert isinstance(event, ev.HarvestCreatedV1)
        assert [p.weight for p in event.plants] == [Decimal("600.25"), Decimal("399.75")]
        assert event.plants[0].plant_batch_name == "BD-A"
        assert event.waste_weight == Decimal("50")

    async def test_an_unknown_plant_is_not_found_and_nothing_is_written(self, world: Any) -> None:
        await flowering(world)
        with pytest.raises(NotFoundError):
            await harvest(world, plants=(c.HarvestPlant(tag="1A4FF0100000022000000999",
                                                        weight=Decimal(1)),))  # fmt: skip
        assert world.db.tables.harvests == {}

    async def test_packages_become_batches_and_lower_the_harvest_exactly(self, world: Any) -> None:
        await flowering(world)
        h = (await harvest(world)).state
        flower = await product(world)
        outcome = await run(
            world,
            harvests.package_harvest,
            c.PackageHarvest(
                harvest_id=h.harvest_id,
                packages=(
                    c.HarvestPackage(product_id=flower["id"], weight=Decimal("333.3333"),
                                     location_id=world.location_a,
                                     package_tag="1A4FF0100000022000000201"),
                    c.HarvestPackage(product_id=flower["id"], weight=Decimal("100"),
                                     location_id=world.location_a),
                ),
                actual_date=TODAY,
            ),
            units=UNITS,
        )  # fmt: skip
        assert outcome.state.current_weight == Decimal("516.6667")
        assert [b.record.state.buckets.on_hand for b in outcome.batches] == [
            Decimal("333.3333"), Decimal("100"),
        ]  # fmt: skip
        created = [e for e in events(world) if isinstance(e, inv.BatchCreatedV1)]
        assert len(created) == 2
        source = created[0].batch.package_source
        assert source is not None
        assert (source.kind, str(source.harvest_id), source.harvest_name) == (
            "HARVEST", h.harvest_id, "H-1",
        )  # fmt: skip
        assert created[0].batch.vendor.name == "Eugene"
        assert created[0].batch.lot.code == "H-1"
        packaged = events(world)[-1]
        assert isinstance(packaged, ev.HarvestPackagedV1)
        assert [p.weight for p in packaged.packages] == [Decimal("333.3333"), Decimal("100")]

    async def test_over_packaging_is_refused_and_takes_in_no_batch(self, world: Any) -> None:
        await flowering(world)
        h = (await harvest(world)).state
        flower = await product(world)
        before = len(world.db.tables.outbox)
        with pytest.raises(HarvestWeightExceededError) as refused:
            await run(
                world,
                harvests.package_harvest,
                c.PackageHarvest(
                    harvest_id=h.harvest_id,
                    packages=(c.HarvestPackage(product_id=flower["id"],
                                               weight=Decimal("950.0001"),
                                               location_id=world.location_a),),
                    actual_date=TODAY,
                ),
                units=UNITS,
            )  # fmt: skip
        assert refused.value.code == "HARVEST_WEIGHT_EXCEEDED"
        assert world.db.tables.batches == {}
        assert len(world.db.tables.outbox) == before

    async def test_a_product_in_another_unit_is_refused(self, world: Any) -> None:
        await flowering(world)
        h = (await harvest(world)).state
        each = await product(world, "Each")
        with pytest.raises(ValidationError):
            await run(world, harvests.package_harvest,
                      c.PackageHarvest(harvest_id=h.harvest_id,
                                       packages=(c.HarvestPackage(product_id=each["id"],
                                                                  weight=Decimal(1),
                                                                  location_id=world.location_a),),
                                       actual_date=TODAY), units=UNITS)  # fmt: skip

    async def test_waste_finish_and_unfinish(self, world: Any) -> None:
        await flowering(world)
        h = (await harvest(world)).state
        await run(world, harvests.record_harvest_waste,
                  c.RecordHarvestWaste(harvest_id=h.harvest_id,
                                       waste_type=HarvestWasteType.PLANT_MATERIAL,
                                       weight=Decimal("950"), actual_date=TODAY))  # fmt: skip
        finished = await run(world, harvests.finish_harvest,
                             c.FinishHarvest(harvest_id=h.harvest_id, actual_date=TODAY))  # fmt: skip
        assert finished.state.status.value == "FINISHED"
        back = await run(
            world, harvests.unfinish_harvest, c.UnfinishHarvest(harvest_id=h.harvest_id)
        )
        assert back.state.status.value == "ACTIVE"
        kinds = [type(e).__name__ for e in events(world)][-3:]
        assert kinds == ["HarvestWasteRecordedV1", "HarvestFinishedV1", "HarvestUnfinishedV1"]

    async def test_another_sites_caller_does_not_see_the_harvest(self, world: Any) -> None:
        await flowering(world)
        h = (await harvest(world)).state
        with pytest.raises(NotFoundError):
            await run(world, harvests.unfinish_harvest,
                      c.UnfinishHarvest(harvest_id=h.harvest_id), world.stranger)  # fmt: skip
