"""The plant batch events (keyed by plant batch id) and a tracked plant's growth phase change
(keyed by plant id), with the records they carry."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import Field

from shared.contracts.cultivation_enums import (
    GrowthPhase,
    PlantBatchType,
    PlantingSourceKind,
    PlantMovementType,
    PlantState,
)
from shared.contracts.types import DecimalString, UtcDateTime
from shared.events.cultivation._examples import (
    ACTOR,
    AT,
    DAY,
    LOCATION,
    PLANT_BATCH_ID,
    SITE,
    plant_batch,
    plant_batch_example,
    plant_row,
)
from shared.events.inventory import LocationInfo, SiteInfo
from shared.events.models import FrozenModel, with_example
from shared.events.registry import event_type
from shared.events.topics import CULTIVATION_EVENTS

__all__ = [
    "PlantBatchCountAdjustedV1",
    "PlantBatchDestroyedV1",
    "PlantBatchEventBase",
    "PlantBatchGrowthPhaseChangedV1",
    "PlantBatchMovedV1",
    "PlantBatchPlantedV1",
    "PlantBatchSnapshot",
    "PlantBatchSplitV1",
    "PlantGrowthPhaseChangedV1",
    "PlantInfo",
    "PlantMovementInfo",
    "PlantSnapshot",
    "PlantWasteInfo",
    "SourcePackageInfo",
]


class PlantBatchSnapshot(FrozenModel):
    plant_batch_id: UUID
    name: str = Field(description="Unique per facility; Metrc's plant batch name")
    type: PlantBatchType
    strain: str
    site: SiteInfo
    location: LocationInfo
    planted_date: date
    count: int = Field(description="Untracked plants in the batch")
    tracked_count: int = Field(description="Plants moved into growth so far")
    destroyed_count: int
    source: PlantingSourceKind
    parent_plant_batch_id: UUID | None = None
    version: int
    created_at: UtcDateTime
    updated_at: UtcDateTime


class PlantMovementInfo(FrozenModel):
    """One row of the plant batch's ledger; ``(plant_batch_id, version, sequence)`` is unique."""

    version: int
    sequence: int
    type: PlantMovementType
    change: int
    before: int
    after: int
    location: LocationInfo
    actual_date: date
    reason: str | None = None
    notes: str | None = None
    actor: str
    occurred_at: UtcDateTime


class PlantBatchEventBase(FrozenModel):
    plant_batch: PlantBatchSnapshot
    movements: list[PlantMovementInfo]
    actor: str
    occurred_at: UtcDateTime


class PlantWasteInfo(FrozenModel):
    method: str
    reason: str
    weight: DecimalString
    unit: str
    material_mixed: str | None = None
    note: str | None = None


class PlantInfo(FrozenModel):
    plant_id: UUID
    tag: str


class SourcePackageInfo(FrozenModel):
    """The package (a batch of seeds or clones) a planting drew from: in Metrc the planting is
    ``POST /packages/v2/plantings`` on it, which takes ``quantity`` out of the package."""

    batch_id: UUID
    batch_code: str
    package_tag: str | None = None
    quantity: DecimalString
    unit: str


@event_type("inventory.plant_batch.planted", version=1, topic=CULTIVATION_EVENTS)
class PlantBatchPlantedV1(PlantBatchEventBase):
    """A plant batch was planted (one PLANTED row); from a package (source PACKAGE), the
    package's batch was drawn (``inventory.batch.consumed``, CONSUMPTION referencing
    ``PLANT_BATCH <id>``) and ``source_package`` names it."""

    model_config = plant_batch_example(plant_batch(1, 100), [plant_row(1, "PLANTED", 100, 0)])

    source_package: SourcePackageInfo | None = None


@event_type("inventory.plant_batch.split", version=1, topic=CULTIVATION_EVENTS)
class PlantBatchSplitV1(PlantBatchEventBase):
    """Plants were split off into a new plant batch (``new_plant_batch``, same type and
    strain, planted on ``actual_date``): SPLIT_OUT here, SPLIT_IN there."""

    model_config = plant_batch_example(
        plant_batch(2, 80),
        [plant_row(2, "SPLIT_OUT", -20, 100)],
        new_plant_batch=plant_batch(
            1,
            20,
            plant_batch_id="7d2e1f0a-3b4c-4d5e-8f6a-7b8c9d0e1f2a",
            name="BD-2026-03-B",
            source="SPLIT",
            parent_plant_batch_id=PLANT_BATCH_ID,
        ),
        new_movements=[plant_row(1, "SPLIT_IN", 20, 0)],
        count=20,
        actual_date=DAY,
    )

    new_plant_batch: PlantBatchSnapshot
    new_movements: list[PlantMovementInfo]
    count: int
    actual_date: date


@event_type("inventory.plant_batch.count_adjusted", version=1, topic=CULTIVATION_EVENTS)
class PlantBatchCountAdjustedV1(PlantBatchEventBase):
    """The count was corrected by ``quantity`` (signed) with a reason."""

    model_config = plant_batch_example(
        plant_batch(2, 97),
        [plant_row(2, "ADJUSTMENT", -3, 100, reason="Dead")],
        quantity=-3,
        reason="Dead",
        reason_note=None,
        actual_date=DAY,
    )

    quantity: int
    reason: str
    reason_note: str | None = None
    actual_date: date


@event_type("inventory.plant_batch.moved", version=1, topic=CULTIVATION_EVENTS)
class PlantBatchMovedV1(PlantBatchEventBase):
    """The plant batch moved to ``plant_batch.location`` (a MOVE row, change 0)."""

    model_config = plant_batch_example(
        plant_batch(2, 100),
        [plant_row(2, "MOVE", 0, 100)],
        from_location=LOCATION,
        actual_date=DAY,
    )

    from_location: LocationInfo
    actual_date: date


@event_type("inventory.plant_batch.destroyed", version=1, topic=CULTIVATION_EVENTS)
class PlantBatchDestroyedV1(PlantBatchEventBase):
    """``count`` plants were destroyed, leaving ``waste``."""

    model_config = plant_batch_example(
        plant_batch(2, 95, destroyed_count=5),
        [plant_row(2, "DESTROYED", -5, 100, reason="Male plants")],
        count=5,
        waste={
            "method": "Grinder",
            "reason": "Male plants",
            "weight": "120.5000",
            "unit": "Grams",
            "material_mixed": "Soil",
            "note": None,
        },
        actual_date=DAY,
    )

    count: int
    waste: PlantWasteInfo
    actual_date: date


@event_type("inventory.plant_batch.growth_phase_changed", version=1, topic=CULTIVATION_EVENTS)
class PlantBatchGrowthPhaseChangedV1(PlantBatchEventBase):
    """``count`` plants left the batch for ``growth_phase`` as tracked plants at ``location``,
    tagged in sequence from ``starting_tag`` (``plants``, in tag order)."""

    model_config = plant_batch_example(
        plant_batch(2, 98, tracked_count=2),
        [plant_row(2, "GROWTH_PHASE", -2, 100)],
        count=2,
        growth_phase="Flowering",
        starting_tag="1A4FF0100000022000000101",
        location=LOCATION,
        actual_date=DAY,
        plants=[
            {"plant_id": "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e", "tag": "1A4FF0100000022000000101"},
            {"plant_id": "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f", "tag": "1A4FF0100000022000000102"},
        ],
    )

    count: int
    growth_phase: GrowthPhase
    starting_tag: str
    location: LocationInfo
    actual_date: date
    plants: list[PlantInfo]


class PlantSnapshot(FrozenModel):
    """A tracked plant after the change."""

    plant_id: UUID
    tag: str
    plant_batch_id: UUID
    plant_batch_name: str
    strain: str
    site: SiteInfo
    location: LocationInfo
    growth_phase: GrowthPhase
    state: PlantState
    planted_date: date
    vegetative_date: date
    flowering_date: date | None = None
    version: int


@event_type("inventory.plant.growth_phase_changed", version=1, topic=CULTIVATION_EVENTS)
class PlantGrowthPhaseChangedV1(FrozenModel):
    """A tracked plant moved from ``from_phase`` into ``plant.growth_phase`` at
    ``plant.location`` on ``actual_date``."""

    model_config = with_example(
        {
            "plant": {
                "plant_id": "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e",
                "tag": "1A4FF0100000022000000101",
                "plant_batch_id": PLANT_BATCH_ID,
                "plant_batch_name": "BD-2026-03-A",
                "strain": "Blue Dream",
                "site": SITE,
                "location": LOCATION,
                "growth_phase": "Flowering",
                "state": "TRACKED",
                "planted_date": DAY,
                "vegetative_date": DAY,
                "flowering_date": "2026-04-02",
                "version": 2,
            },
            "from_phase": "Vegetative",
            "actual_date": "2026-04-02",
            "actor": ACTOR,
            "occurred_at": AT,
        }
    )

    plant: PlantSnapshot
    from_phase: GrowthPhase
    actual_date: date
    actor: str
    occurred_at: UtcDateTime
