"""Integration events of cultivation in the inventory service, on ``inventory.cultivation.events``
keyed by plant batch id (plant batch events), plant id (a tracked plant's events) or harvest id
(harvest events).

Compliance mirrors each of them to Metrc exactly once without calling inventory back: every
event carries the record *after* the change (site and license, name, type, strain, counts,
location, the facility-local dates Metrc wants), the ledger rows it wrote, and what the Metrc
operation needs beyond that (the growth phase and tags, the waste, the plants' weights). One
event is one Metrc operation:

================================================ =========================================
``inventory.plant_batch.planted``                ``POST /plantbatches/v2/plantings`` (from a
                                                 package: ``POST /packages/v2/plantings``)
``inventory.plant_batch.split``                  ``POST /plantbatches/v2/split`` (the new
                                                 batch comes with it; it gets no ``planted``)
``inventory.plant_batch.count_adjusted``         ``POST /plantbatches/v2/adjust``
``inventory.plant_batch.moved``                  ``PUT /plantbatches/v2/location``
``inventory.plant_batch.destroyed``              ``DELETE /plantbatches/v2/``
``inventory.plant_batch.growth_phase_changed``   ``POST /plantbatches/v2/growthphase``
``inventory.plant.growth_phase_changed``         ``PUT /plants/v2/growthphase`` (one tracked
                                                 plant, keyed by its id)
``inventory.harvest.created``                    ``PUT /plants/v2/harvest`` per plant (or
                                                 ``POST /plants/v2/manicure`` when partial),
                                                 then ``POST /harvests/v2/waste`` for its waste
``inventory.harvest.waste_recorded``             ``POST /harvests/v2/waste``
``inventory.harvest.packaged``                   none: each package is its batch's
                                                 ``inventory.batch.created`` (package source
                                                 HARVEST), which makes it in Metrc
``inventory.harvest.finished`` / ``unfinished``  ``PUT /harvests/v2/finish`` / ``unfinish``
================================================ =========================================

Dates (``*_date``) are the facility's local dates (ISO ``YYYY-MM-DD``); weights are decimal
strings in the harvest's (or waste's) unit; counts are whole plants.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

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
from shared.contracts.types import DecimalString, UtcDateTime
from shared.events.inventory import LocationInfo, SiteInfo
from shared.events.registry import event_type
from shared.events.topics import CULTIVATION_EVENTS

__all__ = [
    "HarvestCreatedV1",
    "HarvestEventBase",
    "HarvestFinishedV1",
    "HarvestMovementInfo",
    "HarvestPackageInfo",
    "HarvestPackagedV1",
    "HarvestSnapshot",
    "HarvestUnfinishedV1",
    "HarvestWasteRecordedV1",
    "HarvestedPlantInfo",
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


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class PlantBatchSnapshot(_Frozen):
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


class PlantMovementInfo(_Frozen):
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


class PlantBatchEventBase(_Frozen):
    plant_batch: PlantBatchSnapshot
    movements: list[PlantMovementInfo]
    actor: str
    occurred_at: UtcDateTime


class PlantWasteInfo(_Frozen):
    method: str
    reason: str
    weight: DecimalString
    unit: str
    material_mixed: str | None = None
    note: str | None = None


class PlantInfo(_Frozen):
    plant_id: UUID
    tag: str


# ---------------------------------------------------------------------------- examples

_SITE: dict[str, Any] = {
    "id": "6a1e2d4c-9b1f-4f53-8f7a-1d2c3b4a5e60",
    "name": "Eugene farm",
    "license_number": "OR-123456",
    "state": "OR",
}
_LOCATION: dict[str, Any] = {
    "id": "5d6e7f80-1a2b-4c3d-8e4f-5a6b7c8d9e0f",
    "site_id": _SITE["id"],
    "zone": "Clone room",
    "rack": None,
    "shelf": None,
    "bin": None,
    "label": "Clone room",
}
_AT = "2026-03-02T17:30:00Z"
_DAY = "2026-03-02"
_ACTOR = "user-17"
_PLANT_BATCH_ID = "3c1f0b8e-2d4a-4e6b-9f7c-8a9b0c1d2e3f"


def _batch(version: int, count: int, **changes: Any) -> dict[str, Any]:
    return {
        "plant_batch_id": _PLANT_BATCH_ID,
        "name": "BD-2026-03-A",
        "type": "Clone",
        "strain": "Blue Dream",
        "site": _SITE,
        "location": _LOCATION,
        "planted_date": _DAY,
        "count": count,
        "tracked_count": 0,
        "destroyed_count": 0,
        "source": "CLONES",
        "parent_plant_batch_id": None,
        "version": version,
        "created_at": _AT,
        "updated_at": _AT,
        **changes,
    }


def _row(version: int, kind: str, change: int, before: int, **extra: Any) -> dict[str, Any]:
    return {
        "version": version,
        "sequence": 0,
        "type": kind,
        "change": change,
        "before": before,
        "after": before + change,
        "location": _LOCATION,
        "actual_date": _DAY,
        "actor": _ACTOR,
        "occurred_at": _AT,
        **extra,
    }


def _example(batch: dict[str, Any], rows: list[dict[str, Any]], **fields: Any) -> ConfigDict:
    example: dict[str, Any] = {
        "plant_batch": batch,
        "movements": rows,
        "actor": _ACTOR,
        "occurred_at": _AT,
    }
    return ConfigDict(frozen=True, json_schema_extra={"examples": [{**example, **fields}]})


# ---------------------------------------------------------------------------- plant batches


class SourcePackageInfo(_Frozen):
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

    model_config = _example(_batch(1, 100), [_row(1, "PLANTED", 100, 0)])

    source_package: SourcePackageInfo | None = None


@event_type("inventory.plant_batch.split", version=1, topic=CULTIVATION_EVENTS)
class PlantBatchSplitV1(PlantBatchEventBase):
    """Plants were split off into a new plant batch (``new_plant_batch``, same type and
    strain, planted on ``actual_date``): SPLIT_OUT here, SPLIT_IN there."""

    model_config = _example(
        _batch(2, 80),
        [_row(2, "SPLIT_OUT", -20, 100)],
        new_plant_batch=_batch(
            1,
            20,
            plant_batch_id="7d2e1f0a-3b4c-4d5e-8f6a-7b8c9d0e1f2a",
            name="BD-2026-03-B",
            source="SPLIT",
            parent_plant_batch_id=_PLANT_BATCH_ID,
        ),
        new_movements=[_row(1, "SPLIT_IN", 20, 0)],
        count=20,
        actual_date=_DAY,
    )

    new_plant_batch: PlantBatchSnapshot
    new_movements: list[PlantMovementInfo]
    count: int
    actual_date: date


@event_type("inventory.plant_batch.count_adjusted", version=1, topic=CULTIVATION_EVENTS)
class PlantBatchCountAdjustedV1(PlantBatchEventBase):
    """The count was corrected by ``quantity`` (signed) with a reason."""

    model_config = _example(
        _batch(2, 97),
        [_row(2, "ADJUSTMENT", -3, 100, reason="Dead")],
        quantity=-3,
        reason="Dead",
        reason_note=None,
        actual_date=_DAY,
    )

    quantity: int
    reason: str
    reason_note: str | None = None
    actual_date: date


@event_type("inventory.plant_batch.moved", version=1, topic=CULTIVATION_EVENTS)
class PlantBatchMovedV1(PlantBatchEventBase):
    """The plant batch moved to ``plant_batch.location`` (a MOVE row, change 0)."""

    model_config = _example(
        _batch(2, 100), [_row(2, "MOVE", 0, 100)], from_location=_LOCATION, actual_date=_DAY
    )

    from_location: LocationInfo
    actual_date: date


@event_type("inventory.plant_batch.destroyed", version=1, topic=CULTIVATION_EVENTS)
class PlantBatchDestroyedV1(PlantBatchEventBase):
    """``count`` plants were destroyed, leaving ``waste``."""

    model_config = _example(
        _batch(2, 95, destroyed_count=5),
        [_row(2, "DESTROYED", -5, 100, reason="Male plants")],
        count=5,
        waste={
            "method": "Grinder",
            "reason": "Male plants",
            "weight": "120.5000",
            "unit": "Grams",
            "material_mixed": "Soil",
            "note": None,
        },
        actual_date=_DAY,
    )

    count: int
    waste: PlantWasteInfo
    actual_date: date


@event_type("inventory.plant_batch.growth_phase_changed", version=1, topic=CULTIVATION_EVENTS)
class PlantBatchGrowthPhaseChangedV1(PlantBatchEventBase):
    """``count`` plants left the batch for ``growth_phase`` as tracked plants at ``location``,
    tagged in sequence from ``starting_tag`` (``plants``, in tag order)."""

    model_config = _example(
        _batch(2, 98, tracked_count=2),
        [_row(2, "GROWTH_PHASE", -2, 100)],
        count=2,
        growth_phase="Flowering",
        starting_tag="1A4FF0100000022000000101",
        location=_LOCATION,
        actual_date=_DAY,
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


class PlantSnapshot(_Frozen):
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
class PlantGrowthPhaseChangedV1(_Frozen):
    """A tracked plant moved from ``from_phase`` into ``plant.growth_phase`` at
    ``plant.location`` on ``actual_date``."""

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "plant": {
                        "plant_id": "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e",
                        "tag": "1A4FF0100000022000000101",
                        "plant_batch_id": _PLANT_BATCH_ID,
                        "plant_batch_name": "BD-2026-03-A",
                        "strain": "Blue Dream",
                        "site": _SITE,
                        "location": _LOCATION,
                        "growth_phase": "Flowering",
                        "state": "TRACKED",
                        "planted_date": _DAY,
                        "vegetative_date": _DAY,
                        "flowering_date": "2026-04-02",
                        "version": 2,
                    },
                    "from_phase": "Vegetative",
                    "actual_date": "2026-04-02",
                    "actor": _ACTOR,
                    "occurred_at": _AT,
                }
            ]
        },
    )

    plant: PlantSnapshot
    from_phase: GrowthPhase
    actual_date: date
    actor: str
    occurred_at: UtcDateTime


# ---------------------------------------------------------------------------- harvests


class HarvestSnapshot(_Frozen):
    harvest_id: UUID
    name: str = Field(description="Unique per facility; Metrc's harvest name")
    site: SiteInfo
    drying_location: LocationInfo
    unit_of_weight: str
    harvest_date: date
    wet_weight: DecimalString
    waste_weight: DecimalString
    packaged_weight: DecimalString
    current_weight: DecimalString = Field(description="wet - waste - packaged, never negative")
    plant_count: int
    strains: list[str]
    status: HarvestStatus
    finished_date: date | None = None
    version: int
    created_at: UtcDateTime
    updated_at: UtcDateTime


class HarvestMovementInfo(_Frozen):
    """One row of the harvest's ledger (its current weight); ``(harvest_id, version, sequence)``
    is unique."""

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
    actor: str
    occurred_at: UtcDateTime


class HarvestEventBase(_Frozen):
    harvest: HarvestSnapshot
    movements: list[HarvestMovementInfo]
    actor: str
    occurred_at: UtcDateTime


class HarvestedPlantInfo(_Frozen):
    plant_id: UUID
    tag: str
    plant_batch_id: UUID
    plant_batch_name: str
    strain: str
    weight: DecimalString = Field(description="Wet weight taken from this plant")


class HarvestPackageInfo(_Frozen):
    batch_id: UUID
    batch_code: str
    package_tag: str | None = None
    product_id: UUID
    product_name: str
    weight: DecimalString
    location: LocationInfo


_HARVEST_ID = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"


def _harvest(version: int, **changes: Any) -> dict[str, Any]:
    return {
        "harvest_id": _HARVEST_ID,
        "name": "BD-H-2026-05-10",
        "site": _SITE,
        "drying_location": {**_LOCATION, "zone": "Dry room", "label": "Dry room"},
        "unit_of_weight": "Grams",
        "harvest_date": "2026-05-10",
        "wet_weight": "1000.0000",
        "waste_weight": "50.0000",
        "packaged_weight": "0.0000",
        "current_weight": "950.0000",
        "plant_count": 1,
        "strains": ["Blue Dream"],
        "status": "ACTIVE",
        "finished_date": None,
        "version": version,
        "created_at": _AT,
        "updated_at": _AT,
        **changes,
    }


def _weight_row(
    version: int, kind: str, change: str, before: str, after: str, **extra: Any
) -> dict[str, Any]:
    return {
        "version": version,
        "sequence": 0,
        "type": kind,
        "change": change,
        "before": before,
        "after": after,
        "actual_date": "2026-05-10",
        "actor": _ACTOR,
        "occurred_at": _AT,
        **extra,
    }


def _harvest_example(
    harvest: dict[str, Any], rows: list[dict[str, Any]], **fields: Any
) -> ConfigDict:
    example: dict[str, Any] = {
        "harvest": harvest,
        "movements": rows,
        "actor": _ACTOR,
        "occurred_at": _AT,
    }
    return ConfigDict(frozen=True, json_schema_extra={"examples": [{**example, **fields}]})


_PLANT = {
    "plant_id": "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e",
    "tag": "1A4FF0100000022000000101",
    "plant_batch_id": _PLANT_BATCH_ID,
    "plant_batch_name": "BD-2026-03-A",
    "strain": "Blue Dream",
    "weight": "1000.0000",
}


@event_type("inventory.harvest.created", version=1, topic=CULTIVATION_EVENTS)
class HarvestCreatedV1(HarvestEventBase):
    """Flowering plants were harvested (``partial``: weight taken, plants left flowering),
    each with its wet weight; ``waste_weight`` recorded at harvest time (Plant Material) is
    the harvest's first waste record."""

    model_config = _harvest_example(
        _harvest(1),
        [
            _weight_row(
                1, "HARVESTED", "1000.0000", "0.0000", "1000.0000", plant_id=_PLANT["plant_id"]
            ),
            {
                **_weight_row(
                    1, "WASTE", "-50.0000", "1000.0000", "950.0000", waste_type="Plant Material"
                ),
                "sequence": 1,
            },
        ],
        partial=False,
        plants=[_PLANT],
        waste_weight="50.0000",
    )

    partial: bool
    plants: list[HarvestedPlantInfo]
    waste_weight: DecimalString | None = None


@event_type("inventory.harvest.waste_recorded", version=1, topic=CULTIVATION_EVENTS)
class HarvestWasteRecordedV1(HarvestEventBase):
    model_config = _harvest_example(
        _harvest(2, waste_weight="60.0000", current_weight="940.0000"),
        [_weight_row(2, "WASTE", "-10.0000", "950.0000", "940.0000", waste_type="Plant Material")],
        waste_type="Plant Material",
        weight="10.0000",
        actual_date="2026-05-10",
    )

    waste_type: HarvestWasteType
    weight: DecimalString
    actual_date: date


@event_type("inventory.harvest.packaged", version=1, topic=CULTIVATION_EVENTS)
class HarvestPackagedV1(HarvestEventBase):
    """Packages were made from the harvest, each a new batch (its ``inventory.batch.created``
    has package source HARVEST with this harvest's id and name); the harvest's current weight
    went down by their weights. No Metrc call of its own: Metrc lowers the harvest's weight by
    the packages' ingredients."""

    model_config = _harvest_example(
        _harvest(3, packaged_weight="100.0000", current_weight="850.0000"),
        [
            _weight_row(
                3,
                "PACKAGED",
                "-100.0000",
                "950.0000",
                "850.0000",
                batch_id="0f8b8a52-5a43-4d8e-8a57-2f7b2b1f0c11",
            )
        ],
        packages=[
            {
                "batch_id": "0f8b8a52-5a43-4d8e-8a57-2f7b2b1f0c11",
                "batch_code": "B-20260510-0001",
                "package_tag": "1A4FF0100000022000000201",
                "product_id": "9d3c1a7e-2b4f-4e8a-9c1d-5f6e7a8b9c0d",
                "product_name": "Blue Dream bulk flower",
                "weight": "100.0000",
                "location": _LOCATION,
            }
        ],
        actual_date="2026-05-10",
    )

    packages: list[HarvestPackageInfo]
    actual_date: date


@event_type("inventory.harvest.finished", version=1, topic=CULTIVATION_EVENTS)
class HarvestFinishedV1(HarvestEventBase):
    model_config = _harvest_example(
        _harvest(4, status="FINISHED", finished_date="2026-05-20", current_weight="0.0000",
                 waste_weight="900.0000", packaged_weight="100.0000"),
        [],
        actual_date="2026-05-20",
    )  # fmt: skip

    actual_date: date


@event_type("inventory.harvest.unfinished", version=1, topic=CULTIVATION_EVENTS)
class HarvestUnfinishedV1(HarvestEventBase):
    model_config = _harvest_example(
        _harvest(5, current_weight="0.0000", waste_weight="900.0000", packaged_weight="100.0000"),
        [],
    )
