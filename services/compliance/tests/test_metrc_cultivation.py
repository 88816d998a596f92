"""Metrc's cultivation rules, the same on both backends (``FakeMetrc`` and the sandbox through
``MetrcClient``): plant batches, tracked plants and their growth phases, harvests, harvest waste,
packages from a harvest, finishing harvests and destroying plants.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from compliance.adapters.metrc import (
    HarvestFinish,
    HarvestPackageCreate,
    HarvestPackageIngredient,
    HarvestUnfinish,
    HarvestWaste,
    MetrcAuthError,
    MetrcNotFoundError,
    MetrcPort,
    MetrcRejectedError,
    PlantBatchDestroy,
    PlantBatchGrowthPhaseChange,
    PlantGrowthPhaseChange,
    PlantHarvest,
)
from compliance.adapters.metrc.testing import GROWER, STORE, MetrcBackend
from compliance.adapters.metrc.testing.bodies import planting

FLOWER = "Blue Dream Flower"


def to_plants(
    name: str, starting_tag: str, day: date, count: int, **changes: object
) -> PlantBatchGrowthPhaseChange:
    change = PlantBatchGrowthPhaseChange(
        name=name,
        count=count,
        starting_tag=starting_tag,
        growth_phase="Vegetative",
        new_location="Grow Room",
        growth_date=day,
    )
    return change.model_copy(update=changes)


def flowering(label: str, day: date, **changes: object) -> PlantGrowthPhaseChange:
    change = PlantGrowthPhaseChange(
        label=label, growth_phase="Flowering", new_location="Grow Room", growth_date=day
    )
    return change.model_copy(update=changes)


def harvest_of(label: str, day: date, weight: str, **changes: object) -> PlantHarvest:
    harvest = PlantHarvest(
        plant=label,
        weight=Decimal(weight),
        unit_of_weight="Grams",
        drying_location="Dry Room",
        harvest_name="H-1",
        actual_date=day,
    )
    return harvest.model_copy(update=changes)


def destroy(batch: str, day: date, count: int, **changes: object) -> PlantBatchDestroy:
    destroyed = PlantBatchDestroy(
        plant_batch=batch,
        count=count,
        waste_method_name="Grinder",
        waste_material_mixed="Soil",
        waste_reason_name="Contamination",
        reason_note="mould",
        waste_weight=Decimal("1"),
        waste_unit_of_measure="Grams",
        actual_date=day,
    )
    return destroyed.model_copy(update=changes)


async def rejected(call: object) -> list[tuple[int | None, str]]:
    with pytest.raises(MetrcRejectedError) as caught:
        await call  # type: ignore[misc]
    return caught.value.rows


async def plant_tags(metrc: MetrcPort, count: int) -> list[str]:
    return [t.label for t in (await metrc.list_available_tags(GROWER, "plant"))[:count]]


async def flowering_plants(backend: MetrcBackend, count: int) -> list[str]:
    """``count`` flowering plants of batch BD-1 (planted with 10 clones)."""
    metrc, day = backend.metrc, backend.world.today(GROWER)
    labels = await plant_tags(metrc, count)
    await metrc.create_plant_batch_plantings(GROWER, [planting("BD-1", day)])
    await metrc.change_plant_batch_growth_phase(GROWER, [to_plants("BD-1", labels[0], day, count)])
    await metrc.change_plant_growth_phases(GROWER, [flowering(label, day) for label in labels])
    return labels


# --- plant batches -------------------------------------------------------------------------------


async def test_a_planting_creates_a_plant_batch_found_by_name_in_any_case(
    backend: MetrcBackend,
) -> None:
    metrc, day = backend.metrc, backend.world.today(GROWER)

    result = await metrc.create_plant_batch_plantings(GROWER, [planting("BD-1", day, 12)])

    batch = await metrc.find_plant_batch(GROWER, "bd-1")
    assert batch is not None
    assert result.ids == [batch.id]
    assert (batch.name, batch.plant_batch_type_name, batch.strain_name, batch.location_name) == (
        "BD-1",
        "Clone",
        "Blue Dream",
        "Grow Room",
    )
    assert (batch.untracked_count, batch.tracked_count, batch.destroyed_count) == (12, 0, 0)
    assert batch.planted_date == day
    assert [b.name for b in await metrc.list_plant_batches(GROWER)] == ["BD-1"]
    assert await metrc.list_plant_batches(GROWER, "inactive") == []
    assert await metrc.find_plant_batch(GROWER, "BD-2") is None


async def test_plantings_are_checked_row_by_row(backend: MetrcBackend) -> None:
    metrc, day = backend.metrc, backend.world.today(GROWER)
    await metrc.create_plant_batch_plantings(GROWER, [planting("BD-1", day)])

    rows = await rejected(
        metrc.create_plant_batch_plantings(
            GROWER,
            [
                planting("bd-1", day),
                planting("BD-2", day, type="Cutting"),
                planting("BD-3", day, count=0),
                planting("BD-4", day, strain="Nope"),
                planting("BD-5", day, location="Dry Room"),
                planting("BD-6", day),
                planting("BD-6", day),
            ],
        )
    )

    assert rows == [
        (0, "A Plant Batch named bd-1 already exists in the current Facility."),
        (1, "Type Cutting is not valid. Valid values are: Seed, Clone."),
        (2, "Count must be greater than 0."),
        (3, "Strain Nope does not exist in the current Facility."),
        (4, "Location Dry Room cannot hold plant batches."),
        (6, "A Plant Batch named BD-6 already exists in the current Facility."),
    ]
    assert [b.name for b in await metrc.list_plant_batches(GROWER)] == ["BD-1"]


async def test_a_facility_that_cannot_grow_plants_is_refused_with_401(
    backend: MetrcBackend,
) -> None:
    with pytest.raises(MetrcAuthError):
        await backend.metrc.create_plant_batch_plantings(
            STORE, [planting("BD-1", backend.world.today(STORE), location="Sales Floor")]
        )


async def test_plants_leave_their_batch_on_sequential_tags(backend: MetrcBackend) -> None:
    metrc, day = backend.metrc, backend.world.today(GROWER)
    labels = await plant_tags(metrc, 4)
    await metrc.create_plant_batch_plantings(GROWER, [planting("BD-1", day, 4)])

    result = await metrc.change_plant_batch_growth_phase(
        GROWER, [to_plants("BD-1", labels[0], day, 3)]
    )

    plants = await metrc.list_plants(GROWER, "vegetative")
    assert sorted(p.id for p in plants) == sorted(result.ids)
    assert sorted(p.label for p in plants) == labels[:3]
    plant = await metrc.get_plant(GROWER, labels[0])
    assert (plant.state, plant.growth_phase, plant.plant_batch_name, plant.strain_name) == (
        "Tracked",
        "Vegetative",
        "BD-1",
        "Blue Dream",
    )
    assert (plant.location_name, plant.planted_date, plant.vegetative_date) == (
        "Grow Room",
        day,
        day,
    )
    assert await metrc.get_plant(GROWER, plant.id) == plant
    batch = await metrc.find_plant_batch(GROWER, "BD-1")
    assert batch is not None
    assert (batch.untracked_count, batch.tracked_count) == (1, 3)
    assert labels[0] not in [t.label for t in await metrc.list_available_tags(GROWER, "plant")]

    # The last untracked plant leaves: the batch is done.
    await metrc.change_plant_batch_growth_phase(GROWER, [to_plants("BD-1", labels[3], day, 1)])
    assert [b.name for b in await metrc.list_plant_batches(GROWER, "inactive")] == ["BD-1"]
    assert await metrc.list_plant_batches(GROWER) == []


async def test_a_batch_growth_phase_change_is_checked(backend: MetrcBackend) -> None:
    metrc, day = backend.metrc, backend.world.today(GROWER)
    labels = await plant_tags(metrc, 4)
    await metrc.create_plant_batch_plantings(GROWER, [planting("BD-1", day, 5)])
    await metrc.change_plant_batch_growth_phase(GROWER, [to_plants("BD-1", labels[0], day, 1)])

    rows = await rejected(
        metrc.change_plant_batch_growth_phase(
            GROWER,
            [
                to_plants("BD-1", labels[1], day, 5),
                to_plants("BD-1", labels[0], day, 2),
                to_plants("BD-1", labels[1], day, 1, growth_phase="Budding"),
                to_plants("BD-1", labels[1], day, 1, new_location="Dry Room"),
                to_plants("BD-9", labels[1], day, 1),
            ],
        )
    )

    assert rows == [
        (0, "Plant Batch BD-1 has 4 untracked plants; 5 cannot be moved."),
        (1, f"Tag {labels[0]} has already been used."),
        (2, "GrowthPhase Budding is not valid. Valid values are: Vegetative, Flowering."),
        (3, "Location Dry Room cannot hold plants."),
        (4, "Plant Batch BD-9 does not exist in the current Facility."),
    ]


async def test_a_plant_flowers_once_and_may_take_a_new_tag(backend: MetrcBackend) -> None:
    metrc, day = backend.metrc, backend.world.today(GROWER)
    labels = await plant_tags(metrc, 3)
    await metrc.create_plant_batch_plantings(GROWER, [planting("BD-1", day)])
    await metrc.change_plant_batch_growth_phase(GROWER, [to_plants("BD-1", labels[0], day, 2)])
    first = await metrc.get_plant(GROWER, labels[0])

    result = await metrc.change_plant_growth_phases(GROWER, [flowering(labels[0], day)])
    assert result.ids == []
    second = await metrc.get_plant(GROWER, labels[1])
    by_id = PlantGrowthPhaseChange(
        id=second.id, growth_phase="Flowering", new_location="Grow Room", growth_date=day
    )
    await metrc.change_plant_growth_phases(GROWER, [by_id])

    assert sorted(p.label for p in await metrc.list_plants(GROWER, "flowering")) == labels[:2]
    assert (await metrc.get_plant(GROWER, labels[0])).flowering_date == day
    assert await rejected(
        metrc.change_plant_growth_phases(
            GROWER, [flowering(labels[0], day, growth_phase="Vegetative")]
        )
    ) == [(0, f"Plant {labels[0]} is Flowering and cannot go back to Vegetative.")]

    await metrc.change_plant_growth_phases(GROWER, [flowering(labels[0], day, new_tag=labels[2])])
    retagged = await metrc.get_plant(GROWER, labels[2])
    assert retagged.id == first.id
    with pytest.raises(MetrcNotFoundError):
        await metrc.get_plant(GROWER, labels[0])


# --- harvests ------------------------------------------------------------------------------------


async def test_harvesting_flowering_plants_gathers_their_weight_in_one_harvest(
    backend: MetrcBackend,
) -> None:
    metrc, day = backend.metrc, backend.world.today(GROWER)
    first, second = await flowering_plants(backend, 2)

    await metrc.harvest_plants(
        GROWER,
        [harvest_of(first, day, "500.5"), harvest_of(second, day, "1", unit_of_weight="Kilograms")],
    )

    [harvest] = await metrc.list_harvests(GROWER)
    assert (harvest.name, harvest.unit_of_weight_name, harvest.drying_location_name) == (
        "H-1",
        "Grams",
        "Dry Room",
    )
    assert (harvest.current_weight, harvest.total_wet_weight, harvest.plant_count) == (
        Decimal("1500.5"),
        Decimal("1500.5"),
        2,
    )
    assert (harvest.harvest_start_date, harvest.source_strain_names) == (day, "Blue Dream")
    plant = await metrc.get_plant(GROWER, first)
    assert (plant.state, plant.harvest_id, plant.harvested_date) == ("Harvested", harvest.id, day)
    assert (plant.harvested_wet_weight, plant.harvested_unit_of_weight_name) == (
        Decimal("500.5"),
        "Grams",
    )
    assert {p.label for p in await metrc.list_plants(GROWER, "inactive")} == {first, second}
    assert await metrc.list_plants(GROWER, "flowering") == []


async def test_only_a_flowering_tracked_plant_is_harvested_into_a_drying_location(
    backend: MetrcBackend,
) -> None:
    metrc, day = backend.metrc, backend.world.today(GROWER)
    [ripe] = await flowering_plants(backend, 1)
    [young] = await plant_tags(metrc, 1)
    await metrc.change_plant_batch_growth_phase(GROWER, [to_plants("BD-1", young, day, 1)])
    await metrc.harvest_plants(GROWER, [harvest_of(ripe, day, "10")])

    rows = await rejected(
        metrc.harvest_plants(
            GROWER,
            [
                harvest_of(young, day, "10"),
                harvest_of(ripe, day, "10"),
                harvest_of(young, day, "10", drying_location="Grow Room"),
                harvest_of(young, day, "10", unit_of_weight="Each"),
            ],
        )
    )

    assert rows == [
        (0, f"Plant {young} is not in the Flowering phase."),
        (1, f"Plant {ripe} has been harvested."),
        (2, "Location Grow Room cannot hold harvests."),
        (2, f"Plant {young} is not in the Flowering phase."),
        (3, "UnitOfWeight Each is not a unit of weight."),
        (3, f"Plant {young} is not in the Flowering phase."),
    ]


async def test_waste_and_packages_are_taken_from_the_harvest_weight(
    backend: MetrcBackend,
) -> None:
    metrc, day = backend.metrc, backend.world.today(GROWER)
    [plant] = await flowering_plants(backend, 1)
    await metrc.harvest_plants(GROWER, [harvest_of(plant, day, "500.5")])
    [harvest] = await metrc.list_harvests(GROWER)
    [tag] = [t.label for t in (await metrc.list_available_tags(GROWER))[:1]]

    wasted = await metrc.record_harvest_waste(
        GROWER,
        [
            HarvestWaste(
                id=harvest.id,
                waste_type="plant material",
                unit_of_weight="Grams",
                waste_weight=Decimal("0.5"),
                actual_date=day,
            )
        ],
    )
    assert len(wasted.ids) == 1
    created = await metrc.create_harvest_packages(
        GROWER,
        [
            HarvestPackageCreate(
                tag=tag,
                item=FLOWER,
                unit_of_weight="Grams",
                actual_date=day,
                location="Vault",
                ingredients=[
                    HarvestPackageIngredient(
                        harvest_id=harvest.id,
                        harvest_name="H-1",
                        weight=Decimal("500"),
                        unit_of_weight="Grams",
                    )
                ],
            )
        ],
    )

    package = await metrc.get_package(GROWER, tag)
    assert created.ids == [package.id]
    assert (package.quantity, package.unit_of_measure_name, package.item_name) == (
        Decimal("500"),
        "Grams",
        FLOWER,
    )
    assert (package.source_harvest_names, package.source_harvest_count) == ("H-1", 1)
    [emptied] = await metrc.list_harvests(GROWER)
    assert (emptied.current_weight, emptied.total_waste_weight) == (0, Decimal("0.5"))
    assert (emptied.total_packaged_weight, emptied.package_count) == (Decimal("500"), 1)


async def test_harvest_waste_and_packages_are_checked(backend: MetrcBackend) -> None:
    metrc, day = backend.metrc, backend.world.today(GROWER)
    [plant] = await flowering_plants(backend, 1)
    await metrc.harvest_plants(GROWER, [harvest_of(plant, day, "10")])
    [harvest] = await metrc.list_harvests(GROWER)
    first, second = [t.label for t in (await metrc.list_available_tags(GROWER))[:2]]

    def waste(kind: str, grams: str) -> HarvestWaste:
        return HarvestWaste(
            id=harvest.id,
            waste_type=kind,
            unit_of_weight="Grams",
            waste_weight=Decimal(grams),
            actual_date=day,
        )

    def package(tag: str, item: str, grams: str) -> HarvestPackageCreate:
        return HarvestPackageCreate(
            tag=tag,
            item=item,
            unit_of_weight="Grams",
            actual_date=day,
            ingredients=[
                HarvestPackageIngredient(
                    harvest_id=harvest.id, weight=Decimal(grams), unit_of_weight="Grams"
                )
            ],
        )

    assert await rejected(
        metrc.record_harvest_waste(GROWER, [waste("Leaves", "1"), waste("Fibrous", "11")])
    ) == [
        (
            0,
            "Waste Type Leaves is not valid. Valid values are: Plant Material, Fibrous, Root Ball.",
        ),
        (1, "Harvest H-1 has only 10 Grams remaining; 11 Grams of waste cannot be recorded."),
    ]
    assert await rejected(
        metrc.create_harvest_packages(
            GROWER, [package(first, FLOWER, "10.5"), package(second, "Gummies", "1")]
        )
    ) == [
        (0, "Harvest H-1 has only 10 Grams remaining; 10.5 Grams was requested."),
        (1, "Item Gummies is not measured by weight."),
    ]


async def test_a_harvest_is_finished_and_unfinished(backend: MetrcBackend) -> None:
    metrc, day = backend.metrc, backend.world.today(GROWER)
    [plant] = await flowering_plants(backend, 1)
    await metrc.harvest_plants(GROWER, [harvest_of(plant, day, "10")])
    [harvest] = await metrc.list_harvests(GROWER)

    assert await rejected(
        metrc.finish_harvests(
            GROWER, [HarvestFinish(id=harvest.id, actual_date=day - timedelta(days=1))]
        )
    ) == [(0, "ActualDate cannot be before the harvest date of Harvest H-1.")]
    # Metrc books the weight left over as moisture loss: finishing does not need zero.
    result = await metrc.finish_harvests(GROWER, [HarvestFinish(id=harvest.id, actual_date=day)])
    assert result.ids == [harvest.id]
    [finished] = await metrc.list_harvests(GROWER, "inactive")
    assert (finished.name, finished.finished_date) == ("H-1", day)
    assert await metrc.list_harvests(GROWER) == []
    assert await rejected(
        metrc.finish_harvests(GROWER, [HarvestFinish(id=harvest.id, actual_date=day)])
    ) == [(0, "Harvest H-1 is finished.")]

    assert (await metrc.unfinish_harvests(GROWER, [HarvestUnfinish(id=harvest.id)])).ids == [
        harvest.id
    ]
    assert [h.finished_date for h in await metrc.list_harvests(GROWER)] == [None]
    assert await rejected(metrc.unfinish_harvests(GROWER, [HarvestUnfinish(id=harvest.id)])) == [
        (0, "Harvest H-1 is not finished.")
    ]
    assert await rejected(metrc.unfinish_harvests(GROWER, [HarvestUnfinish(id=99)])) == [
        (0, "Harvest 99 does not exist in the current Facility.")
    ]


# --- destroying plants ---------------------------------------------------------------------------


async def test_destroying_plants_of_a_batch_counts_them_as_destroyed(
    backend: MetrcBackend,
) -> None:
    metrc, day = backend.metrc, backend.world.today(GROWER)
    await metrc.create_plant_batch_plantings(GROWER, [planting("BD-1", day, 3)])

    result = await metrc.destroy_plant_batches(GROWER, [destroy("BD-1", day, 2)])

    batch = await metrc.find_plant_batch(GROWER, "BD-1")
    assert batch is not None
    assert result.ids == [batch.id]
    assert (batch.untracked_count, batch.destroyed_count) == (1, 2)
    assert await rejected(
        metrc.destroy_plant_batches(
            GROWER,
            [
                destroy("BD-1", day, 2),
                destroy("BD-1", day, 1, waste_method_name="Burn"),
                destroy("BD-1", day, 1, waste_reason_name="Boredom"),
            ],
        )
    ) == [
        (0, "Plant Batch BD-1 has 1 untracked plants; 2 cannot be destroyed."),
        (1, "Waste Method Burn is not valid."),
        (2, "Waste Reason Boredom is not valid."),
    ]
    await metrc.destroy_plant_batches(GROWER, [destroy("BD-1", day, 1)])
    assert [b.name for b in await metrc.list_plant_batches(GROWER, "inactive")] == ["BD-1"]
