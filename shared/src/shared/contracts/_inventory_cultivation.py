"""Cultivation in the inventory API (private; import from ``shared.contracts.inventory``):
plant batches, tracked plants, harvests and packages from harvests.

Counts are JSON integers (whole plants: a string, a fraction or ``true`` is refused); weights are
decimal strings as everywhere; dates (``plantedDate``, ``actualDate``, ``harvestDate``) are the
facility's local dates, ``YYYY-MM-DD``, never in the future. Writes on an existing plant batch or
harvest take an optional ``version`` (stale: OPTIMISTIC_LOCK_CONFLICT) and an ``Idempotency-Key``.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Final
from uuid import UUID

from pydantic import BeforeValidator, Field, WithJsonSchema

from shared.contracts._inventory_reads import Batch
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
from shared.contracts.routes import Route
from shared.contracts.types import ApiModel, DecimalString, UtcDateTime

__all__ = [
    "CULTIVATION_ERROR_CODES",
    "CULTIVATION_ROUTES",
    "GrowthPhaseRequest",
    "Harvest",
    "HarvestCreate",
    "HarvestDetail",
    "HarvestFinishRequest",
    "HarvestListQuery",
    "HarvestMovement",
    "HarvestPackageRequest",
    "HarvestPackagesRequest",
    "HarvestPackagesResult",
    "HarvestPage",
    "HarvestPlantRef",
    "HarvestUnfinishRequest",
    "HarvestWasteRequest",
    "HarvestWriteResult",
    "Plant",
    "PlantBatch",
    "PlantBatchAdjustRequest",
    "PlantBatchCreate",
    "PlantBatchDestroyRequest",
    "PlantBatchListQuery",
    "PlantBatchMoveRequest",
    "PlantBatchPage",
    "PlantBatchSplitRequest",
    "PlantBatchSplitResult",
    "PlantBatchWriteResult",
    "PlantListQuery",
    "PlantMovement",
    "PlantMovementPage",
    "PlantMovementQuery",
    "PlantPage",
    "PlantsGrowthPhaseRequest",
    "PlantsMovedIntoGrowthResult",
    "PlantsResult",
]

_ISO_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date_only(value: Any) -> Any:
    # A date is a YYYY-MM-DD string on the wire; a number or a date-time would be read as
    # something else by someone.
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError("must be a date as YYYY-MM-DD")
    return value


LocalDate = Annotated[
    date,
    BeforeValidator(_iso_date_only),
    WithJsonSchema({"type": "string", "format": "date", "example": "2026-03-02"}),
]
"""A facility-local date (Metrc's dates)."""
Count = Annotated[int, Field(strict=True, ge=1, le=100_000, description="Whole plants")]
Version = Annotated[int | None, Field(default=None, ge=1, description="Expected version")]
Name = Annotated[str, Field(min_length=1, max_length=100)]
Text = Annotated[str | None, Field(default=None, max_length=500)]
Tag = Annotated[str, Field(min_length=24, max_length=24, description="A 24-character Metrc tag")]


# ----------------------------------------------------------------------------- reads


class PlantBatch(ApiModel):
    id: UUID
    site_id: UUID
    name: str
    type: PlantBatchType
    strain: str
    location_id: UUID
    location_label: str
    planted_date: date
    count: int = Field(description="Untracked plants in the batch")
    tracked_count: int = Field(description="Plants moved into growth (tagged) so far")
    destroyed_count: int
    source: PlantingSourceKind
    parent_plant_batch_id: UUID | None = None
    version: int
    created_at: UtcDateTime
    updated_at: UtcDateTime


class PlantMovement(ApiModel):
    """A row of a plant batch's ledger (``before + change = after``, whole plants)."""

    id: int
    plant_batch_id: UUID
    version: int
    sequence: int
    type: PlantMovementType
    change: int
    before: int
    after: int
    location_id: UUID
    actual_date: date
    reason: str | None = None
    notes: str | None = None
    performed_by: str
    performed_by_name: str | None = None
    occurred_at: UtcDateTime


class Plant(ApiModel):
    id: UUID
    tag: str
    site_id: UUID
    plant_batch_id: UUID
    plant_batch_name: str
    strain: str
    location_id: UUID
    growth_phase: GrowthPhase
    state: PlantState
    planted_date: date
    vegetative_date: date
    flowering_date: date | None = None
    harvested_date: date | None = None
    harvest_id: UUID | None = None
    harvest_count: int
    version: int


class Harvest(ApiModel):
    """``currentWeight = wetWeight - wasteWeight - packagedWeight`` (never negative)."""

    id: UUID
    site_id: UUID
    name: str
    drying_location_id: UUID
    unit_of_weight: str
    harvest_date: date
    wet_weight: DecimalString
    waste_weight: DecimalString
    packaged_weight: DecimalString
    current_weight: DecimalString
    plant_count: int
    strains: list[str]
    status: HarvestStatus
    finished_date: date | None = None
    version: int
    created_at: UtcDateTime
    updated_at: UtcDateTime


class HarvestMovement(ApiModel):
    """A row of a harvest's ledger (its current weight, in its unit of weight)."""

    id: int
    version: int
    sequence: int
    type: HarvestMovementType
    change: DecimalString
    before: DecimalString
    after: DecimalString
    actual_date: date
    plant_id: UUID | None = None
    batch_id: UUID | None = None
    waste_type: HarvestWasteType | None = None
    performed_by: str
    performed_by_name: str | None = None
    occurred_at: UtcDateTime


class HarvestDetail(ApiModel):
    harvest: Harvest
    movements: list[HarvestMovement]
    plants: list[Plant]


class PlantBatchPage(ApiModel):
    items: list[PlantBatch]
    next_cursor: str | None = None
    has_more: bool


class PlantMovementPage(ApiModel):
    items: list[PlantMovement]
    next_cursor: str | None = None
    has_more: bool


class PlantPage(ApiModel):
    items: list[Plant]
    next_cursor: str | None = None
    has_more: bool


class HarvestPage(ApiModel):
    items: list[Harvest]
    next_cursor: str | None = None
    has_more: bool


class PlantBatchListQuery(ApiModel):
    """Plant batches of a site by name (cursor)."""

    site_id: UUID
    include_empty: bool = Field(default=False, description="Also batches with no plants left")
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=200)


class PlantListQuery(ApiModel):
    """Tracked plants of a site (optionally of one plant batch, one phase), by tag (cursor)."""

    site_id: UUID
    plant_batch_id: UUID | None = None
    growth_phase: GrowthPhase | None = None
    state: PlantState | None = None
    limit: int = Field(default=100, ge=1, le=500)
    cursor: str | None = Field(default=None, max_length=200)


class HarvestListQuery(ApiModel):
    """Harvests of a site, newest first (cursor)."""

    site_id: UUID
    status: HarvestStatus | None = None
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=200)


class PlantMovementQuery(ApiModel):
    limit: int = Field(default=100, ge=1, le=500)
    cursor: str | None = Field(default=None, max_length=200)


# ----------------------------------------------------------------------------- writes


class PlantBatchCreate(ApiModel):
    """The compliance guide's Plant Batch Creation fields."""

    site_id: UUID
    name: Name
    type: PlantBatchType
    count: Count
    strain: Name
    location_id: UUID
    planted_date: LocalDate
    source: PlantingSourceKind | None = Field(
        default=None,
        description="SEEDS or CLONES (default: as the type says), or PACKAGE: planted from a"
        " batch of seeds or clones (sourceBatchId), drawing sourceQuantity out of it",
    )
    source_batch_id: UUID | None = Field(
        default=None, description="PACKAGE only: the batch (package) planted from"
    )
    source_quantity: DecimalString | None = Field(
        default=None, description="PACKAGE only: how much of the batch the planting takes"
    )


class PlantBatchSplitRequest(ApiModel):
    name: Name = Field(description="The new plant batch's name")
    count: Count
    location_id: UUID | None = Field(default=None, description="Default: the batch's location")
    actual_date: LocalDate
    version: Version


class PlantBatchAdjustRequest(ApiModel):
    quantity: Annotated[int, Field(strict=True, ge=-100_000, le=100_000)] = Field(
        description="Signed whole plants, not 0"
    )
    reason: Text = Field(description="Required: the state's adjustment reason (e.g. Dead)")
    reason_note: Text
    actual_date: LocalDate
    version: Version


class PlantBatchMoveRequest(ApiModel):
    location_id: UUID
    actual_date: LocalDate
    version: Version


class PlantBatchDestroyRequest(ApiModel):
    count: Count
    waste_method: Text = Field(description="Required (e.g. Grinder)")
    waste_reason: Text = Field(description="Required (e.g. Male plants)")
    waste_weight: DecimalString
    waste_unit: str = Field(min_length=1, max_length=30, description="A unit of weight, e.g. Grams")
    waste_material_mixed: Text
    reason_note: Text
    actual_date: LocalDate
    version: Version


class GrowthPhaseRequest(ApiModel):
    count: Count
    starting_tag: Tag = Field(description="First plant tag; the next ones follow in sequence")
    growth_phase: GrowthPhase
    location_id: UUID | None = Field(default=None, description="Default: the batch's location")
    actual_date: LocalDate
    version: Version


class PlantsGrowthPhaseRequest(ApiModel):
    """Move tracked plants (by tag) into another growth phase, e.g. Vegetative -> Flowering."""

    site_id: UUID
    tags: list[Tag] = Field(min_length=1, max_length=5000)
    growth_phase: GrowthPhase
    location_id: UUID | None = Field(default=None, description="Default: where each plant is")
    actual_date: LocalDate


class PlantsResult(ApiModel):
    plants: list[Plant]


class PlantBatchWriteResult(ApiModel):
    plant_batch: PlantBatch
    movements: list[PlantMovement]


class PlantBatchSplitResult(PlantBatchWriteResult):
    new_plant_batch: PlantBatch
    new_movements: list[PlantMovement]


class PlantsMovedIntoGrowthResult(PlantBatchWriteResult):
    plants: list[Plant]


class HarvestPlantRef(ApiModel):
    tag: Tag
    weight: DecimalString = Field(description="Wet weight taken from the plant")


class HarvestCreate(ApiModel):
    site_id: UUID
    name: Name = Field(description="Unique per facility")
    drying_location_id: UUID
    unit_of_weight: str = Field(description="Grams, Kilograms, Ounces or Pounds")
    harvest_date: LocalDate
    plants: list[HarvestPlantRef] = Field(min_length=1, max_length=5000)
    partial: bool = Field(
        default=False, description="Take weight only; the plants stay flowering (manicure)"
    )
    waste_weight: DecimalString | None = Field(
        default=None, description="Waste at harvest time (recorded as Plant Material)"
    )


class HarvestWasteRequest(ApiModel):
    waste_type: HarvestWasteType
    weight: DecimalString
    actual_date: LocalDate
    version: Version


class HarvestFinishRequest(ApiModel):
    actual_date: LocalDate
    version: Version


class HarvestUnfinishRequest(ApiModel):
    version: Version


class HarvestPackageRequest(ApiModel):
    """One package of the harvest: it becomes a batch of ``productId`` (measured in the
    harvest's unit of weight) at ``locationId``."""

    product_id: UUID
    weight: DecimalString
    location_id: UUID
    package_tag: str | None = Field(default=None, description="Its Metrc tag, if known")
    code: str | None = Field(default=None, max_length=100, description="Batch code (generated)")
    unit_cogs: DecimalString | None = Field(default=None, description="Unit cost (default 0)")


class HarvestPackagesRequest(ApiModel):
    packages: list[HarvestPackageRequest] = Field(min_length=1, max_length=100)
    actual_date: LocalDate
    version: Version


class HarvestWriteResult(ApiModel):
    harvest: Harvest
    movements: list[HarvestMovement]


class HarvestPackagesResult(HarvestWriteResult):
    batches: list[Batch]


# ----------------------------------------------------------------------------- routes

_PB = "/v1/plant-batches/{plantBatchId}"
_H = "/v1/harvests/{harvestId}"

CULTIVATION_ROUTES: Final[tuple[Route, ...]] = (
    Route("GET", "/v1/plant-batches", "inventory:read", "Plant batches of a site, by name"),
    Route("POST", "/v1/plant-batches", "inventory:create", "Plant a plant batch"),
    Route("GET", _PB, "inventory:read", "Get one plant batch"),
    Route("GET", f"{_PB}/movements", "inventory:read", "The plant batch's ledger (cursor)"),
    Route("POST", f"{_PB}/split", "inventory:update", "Split plants off into a new plant batch"),
    Route("POST", f"{_PB}/adjustments", "inventory:update", "Adjust the count, with a reason"),
    Route("POST", f"{_PB}/move", "inventory:update", "Move the plant batch to another location"),
    Route("POST", f"{_PB}/destroy", "inventory:update", "Destroy plants, with their waste"),
    Route(
        "POST",
        f"{_PB}/growth-phase",
        "inventory:update",
        "Move plants into growth (vegetative or flowering) as tracked plants with tags",
    ),
    Route("GET", "/v1/plants", "inventory:read", "Tracked plants of a site, by tag"),
    Route(
        "POST",
        "/v1/plants/growth-phase",
        "inventory:update",
        "Move tracked plants into another growth phase (e.g. flowering)",
    ),
    Route("GET", "/v1/harvests", "inventory:read", "Harvests of a site, newest first"),
    Route("POST", "/v1/harvests", "inventory:create", "Harvest flowering plants"),
    Route("GET", _H, "inventory:read", "A harvest with its ledger and plants"),
    Route("POST", f"{_H}/waste", "inventory:update", "Record waste of a harvest"),
    Route("POST", f"{_H}/finish", "inventory:update", "Finish a harvest (nothing left)"),
    Route("POST", f"{_H}/unfinish", "inventory:update", "Unfinish a harvest"),
    Route(
        "POST",
        f"{_H}/packages",
        "inventory:create",
        "Make packages from a harvest: each becomes a batch",
    ),
)

CULTIVATION_ERROR_CODES: Final[dict[str, tuple[int, str]]] = {
    "INSUFFICIENT_PLANTS": (422, "More plants than the plant batch holds"),
    "HARVEST_WEIGHT_EXCEEDED": (422, "More weight than the harvest has left"),
    "HARVEST_NOT_EMPTY": (422, "A harvest with weight left cannot be finished"),
}
