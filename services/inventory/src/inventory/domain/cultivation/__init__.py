"""Cultivation: plant batches, tracked plants and harvests (pure; see each module)."""

from shared.contracts.cultivation_enums import (
    GrowthPhase,
    HarvestMovementType,
    HarvestStatus,
    HarvestWasteType,
    PlantBatchType,
    PlantingSourceKind,
    PlantMovementType,
    PlantState,
)

from inventory.domain.cultivation.common import (
    HarvestNotEmptyError,
    HarvestWeightExceededError,
    InsufficientPlantsError,
    facility_today,
)
from inventory.domain.cultivation.harvest import (
    UNITS_OF_WEIGHT,
    Harvest,
    HarvestChange,
    HarvestedPlant,
    HarvestMovement,
    HarvestState,
)
from inventory.domain.cultivation.plant_batch import (
    PlantBatch,
    PlantBatchChange,
    PlantBatchState,
    Planting,
    PlantMovement,
    PlantWaste,
)
from inventory.domain.cultivation.plants import Plant, change_growth_phase, sequential_tags

__all__ = [
    "UNITS_OF_WEIGHT",
    "GrowthPhase",
    "Harvest",
    "HarvestChange",
    "HarvestMovement",
    "HarvestMovementType",
    "HarvestNotEmptyError",
    "HarvestState",
    "HarvestStatus",
    "HarvestWasteType",
    "HarvestWeightExceededError",
    "HarvestedPlant",
    "InsufficientPlantsError",
    "Plant",
    "PlantBatch",
    "PlantBatchChange",
    "PlantBatchState",
    "PlantBatchType",
    "PlantMovement",
    "PlantMovementType",
    "PlantState",
    "PlantWaste",
    "Planting",
    "PlantingSourceKind",
    "change_growth_phase",
    "facility_today",
    "sequential_tags",
]
