"""Cultivation commands: what the service is asked to do with plant batches and harvests, in its
own terms (an HTTP route builds them in ``entrypoints/cultivation_commands.py``; compliance or a
consumer could build them alike). ``version`` None: not checked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from inventory.domain.cultivation import (
    GrowthPhase,
    HarvestWasteType,
    PlantBatchType,
    PlantingSourceKind,
)

__all__ = [
    "AdjustPlantCount",
    "ChangePlantsPhase",
    "CreatePlantBatch",
    "DestroyPlants",
    "FinishHarvest",
    "HarvestPackage",
    "HarvestPlant",
    "HarvestPlants",
    "MoveIntoGrowth",
    "MovePlantBatch",
    "PackageHarvest",
    "RecordHarvestWaste",
    "SplitPlantBatch",
    "UnfinishHarvest",
]


@dataclass(frozen=True, slots=True)
class CreatePlantBatch:
    site_id: UUID
    name: str
    type: PlantBatchType
    count: int
    strain: str
    location_id: UUID
    planted_date: date
    source: PlantingSourceKind | None = None
    source_batch_id: UUID | None = None
    """PACKAGE: the batch (package) of seeds or clones planted from."""
    source_quantity: Decimal | None = None
    """PACKAGE: how much of it the planting takes (in the batch's unit)."""


@dataclass(frozen=True, slots=True)
class SplitPlantBatch:
    plant_batch_id: UUID
    name: str
    count: int
    actual_date: date
    location_id: UUID | None = None
    version: int | None = None


@dataclass(frozen=True, slots=True)
class AdjustPlantCount:
    plant_batch_id: UUID
    quantity: int
    reason: str | None
    actual_date: date
    reason_note: str | None = None
    version: int | None = None


@dataclass(frozen=True, slots=True)
class MovePlantBatch:
    plant_batch_id: UUID
    location_id: UUID
    actual_date: date
    version: int | None = None


@dataclass(frozen=True, slots=True)
class DestroyPlants:
    plant_batch_id: UUID
    count: int
    waste_method: str | None
    waste_reason: str | None
    waste_weight: Decimal
    waste_unit: str
    actual_date: date
    waste_material_mixed: str | None = None
    reason_note: str | None = None
    version: int | None = None


@dataclass(frozen=True, slots=True)
class MoveIntoGrowth:
    plant_batch_id: UUID
    count: int
    starting_tag: str
    growth_phase: GrowthPhase
    actual_date: date
    location_id: UUID | None = None
    version: int | None = None


@dataclass(frozen=True, slots=True)
class ChangePlantsPhase:
    site_id: UUID
    tags: tuple[str, ...]
    growth_phase: GrowthPhase
    actual_date: date
    location_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class HarvestPlant:
    tag: str
    weight: Decimal


@dataclass(frozen=True, slots=True)
class HarvestPlants:
    site_id: UUID
    name: str
    drying_location_id: UUID
    unit_of_weight: str
    harvest_date: date
    plants: tuple[HarvestPlant, ...]
    partial: bool = False
    waste_weight: Decimal | None = None


@dataclass(frozen=True, slots=True)
class RecordHarvestWaste:
    harvest_id: UUID
    waste_type: HarvestWasteType
    weight: Decimal
    actual_date: date
    version: int | None = None


@dataclass(frozen=True, slots=True)
class FinishHarvest:
    harvest_id: UUID
    actual_date: date
    version: int | None = None


@dataclass(frozen=True, slots=True)
class UnfinishHarvest:
    harvest_id: UUID
    version: int | None = None


@dataclass(frozen=True, slots=True)
class HarvestPackage:
    product_id: UUID
    weight: Decimal
    location_id: UUID
    package_tag: str | None = None
    code: str | None = None
    unit_cogs: Decimal | None = None


@dataclass(frozen=True, slots=True)
class PackageHarvest:
    harvest_id: UUID
    packages: tuple[HarvestPackage, ...]
    actual_date: date
    version: int | None = None
