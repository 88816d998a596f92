"""Cultivation requests of the HTTP contract -> the service layer's cultivation commands (the
one place that knows both, as ``commands.py`` is for batches). Fields of the same name pass as
they are; the shared vocabulary's enums are the domain's own."""

from __future__ import annotations

from dataclasses import fields
from typing import Any, TypeVar
from uuid import UUID

from pydantic import BaseModel
from shared.contracts import inventory as api

from inventory.service_layer import cultivation_commands as c

C = TypeVar("C")


def _command(command: type[C], request: BaseModel, **different: Any) -> C:
    names = {f.name for f in fields(command)}  # type: ignore[arg-type]
    same = {
        name: getattr(request, name)
        for name in names - different.keys()
        if name in type(request).model_fields
    }
    return command(**same, **different)


def create_plant_batch(body: api.PlantBatchCreate) -> c.CreatePlantBatch:
    return _command(c.CreatePlantBatch, body)


def split_plant_batch(plant_batch_id: UUID, body: api.PlantBatchSplitRequest) -> c.SplitPlantBatch:
    return _command(c.SplitPlantBatch, body, plant_batch_id=plant_batch_id)


def adjust_plant_count(
    plant_batch_id: UUID, body: api.PlantBatchAdjustRequest
) -> c.AdjustPlantCount:
    return _command(c.AdjustPlantCount, body, plant_batch_id=plant_batch_id)


def move_plant_batch(plant_batch_id: UUID, body: api.PlantBatchMoveRequest) -> c.MovePlantBatch:
    return _command(c.MovePlantBatch, body, plant_batch_id=plant_batch_id)


def destroy_plants(plant_batch_id: UUID, body: api.PlantBatchDestroyRequest) -> c.DestroyPlants:
    return _command(c.DestroyPlants, body, plant_batch_id=plant_batch_id)


def move_into_growth(plant_batch_id: UUID, body: api.GrowthPhaseRequest) -> c.MoveIntoGrowth:
    return _command(c.MoveIntoGrowth, body, plant_batch_id=plant_batch_id)


def change_plants_phase(body: api.PlantsGrowthPhaseRequest) -> c.ChangePlantsPhase:
    return _command(c.ChangePlantsPhase, body, tags=tuple(body.tags))


def harvest_plants(body: api.HarvestCreate) -> c.HarvestPlants:
    return _command(
        c.HarvestPlants,
        body,
        plants=tuple(c.HarvestPlant(tag=p.tag, weight=p.weight) for p in body.plants),
    )


def record_harvest_waste(harvest_id: UUID, body: api.HarvestWasteRequest) -> c.RecordHarvestWaste:
    return _command(c.RecordHarvestWaste, body, harvest_id=harvest_id)


def finish_harvest(harvest_id: UUID, body: api.HarvestFinishRequest) -> c.FinishHarvest:
    return _command(c.FinishHarvest, body, harvest_id=harvest_id)


def unfinish_harvest(harvest_id: UUID, body: api.HarvestUnfinishRequest) -> c.UnfinishHarvest:
    return _command(c.UnfinishHarvest, body, harvest_id=harvest_id)


def package_harvest(harvest_id: UUID, body: api.HarvestPackagesRequest) -> c.PackageHarvest:
    return _command(
        c.PackageHarvest,
        body,
        harvest_id=harvest_id,
        packages=tuple(_command(c.HarvestPackage, p) for p in body.packages),
    )
