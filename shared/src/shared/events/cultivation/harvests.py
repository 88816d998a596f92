"""The harvest events (keyed by harvest id), with the records they carry."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import Field

from shared.contracts.cultivation_enums import HarvestMovementType, HarvestStatus, HarvestWasteType
from shared.contracts.types import DecimalString, UtcDateTime
from shared.events.cultivation._examples import (
    LOCATION,
    PLANT,
    harvest,
    harvest_example,
    weight_row,
)
from shared.events.inventory import LocationInfo, SiteInfo
from shared.events.models import FrozenModel
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
]


class HarvestSnapshot(FrozenModel):
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


class HarvestMovementInfo(FrozenModel):
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


class HarvestEventBase(FrozenModel):
    harvest: HarvestSnapshot
    movements: list[HarvestMovementInfo]
    actor: str
    occurred_at: UtcDateTime


class HarvestedPlantInfo(FrozenModel):
    plant_id: UUID
    tag: str
    plant_batch_id: UUID
    plant_batch_name: str
    strain: str
    weight: DecimalString = Field(description="Wet weight taken from this plant")


class HarvestPackageInfo(FrozenModel):
    batch_id: UUID
    batch_code: str
    package_tag: str | None = None
    product_id: UUID
    product_name: str
    weight: DecimalString
    location: LocationInfo


@event_type("inventory.harvest.created", version=1, topic=CULTIVATION_EVENTS)
class HarvestCreatedV1(HarvestEventBase):
    """Flowering plants were harvested (``partial``: weight taken, plants left flowering),
    each with its wet weight; ``waste_weight`` recorded at harvest time (Plant Material) is
    the harvest's first waste record."""

    model_config = harvest_example(
        harvest(1),
        [
            weight_row(
                1, "HARVESTED", "1000.0000", "0.0000", "1000.0000", plant_id=PLANT["plant_id"]
            ),
            {
                **weight_row(
                    1, "WASTE", "-50.0000", "1000.0000", "950.0000", waste_type="Plant Material"
                ),
                "sequence": 1,
            },
        ],
        partial=False,
        plants=[PLANT],
        waste_weight="50.0000",
    )

    partial: bool
    plants: list[HarvestedPlantInfo]
    waste_weight: DecimalString | None = None


@event_type("inventory.harvest.waste_recorded", version=1, topic=CULTIVATION_EVENTS)
class HarvestWasteRecordedV1(HarvestEventBase):
    model_config = harvest_example(
        harvest(2, waste_weight="60.0000", current_weight="940.0000"),
        [weight_row(2, "WASTE", "-10.0000", "950.0000", "940.0000", waste_type="Plant Material")],
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

    model_config = harvest_example(
        harvest(3, packaged_weight="100.0000", current_weight="850.0000"),
        [
            weight_row(
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
                "location": LOCATION,
            }
        ],
        actual_date="2026-05-10",
    )

    packages: list[HarvestPackageInfo]
    actual_date: date


@event_type("inventory.harvest.finished", version=1, topic=CULTIVATION_EVENTS)
class HarvestFinishedV1(HarvestEventBase):
    model_config = harvest_example(
        harvest(4, status="FINISHED", finished_date="2026-05-20", current_weight="0.0000",
                waste_weight="900.0000", packaged_weight="100.0000"),
        [],
        actual_date="2026-05-20",
    )  # fmt: skip

    actual_date: date


@event_type("inventory.harvest.unfinished", version=1, topic=CULTIVATION_EVENTS)
class HarvestUnfinishedV1(HarvestEventBase):
    model_config = harvest_example(
        harvest(5, current_weight="0.0000", waste_weight="900.0000", packaged_weight="100.0000"),
        [],
    )
