"""The Metrc writes that mirror cultivation: one intent per plant batch, tracked plant or harvest
change (a harvest's plants one each).

They are submissions like a package's writes (the same ledger, claim, send, read-back and
ordering); their ``batch_id`` is the plant batch's id, so the writes of one plant batch are applied
in the order inventory made them, and a change waits for the writes before it.

Each intent carries what its Metrc call and its read-back need, from the inventory event alone
(compliance never calls inventory): names, counts before and after, the facility-local date,
Canopy's location id (mapped to a Metrc location when it is sent).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING
from uuid import UUID

if TYPE_CHECKING:
    from compliance.domain.submissions import IngredientDraw

__all__ = [
    "CultivationChange",
    "CultivationIntent",
    "HarvestFinish",
    "HarvestPlant",
    "HarvestUnfinish",
    "HarvestWasteRecord",
    "PlantBatchCountChange",
    "PlantBatchDestroy",
    "PlantBatchGrowthPhase",
    "PlantBatchMove",
    "PlantBatchPlanting",
    "PlantBatchSplitOff",
    "PlantGrowthPhase",
    "PlantingSource",
]


@dataclass(frozen=True, kw_only=True)
class PlantingSource:
    """The package a plant batch is planted from: ``quantity`` (in the batch's ``unit``) of
    batch ``batch_id`` (whose package tag is its link's when the planting is sent)."""

    batch_id: UUID
    quantity: Decimal
    unit: str


@dataclass(frozen=True, kw_only=True)
class PlantBatchPlanting:
    """``POST /plantbatches/v2/plantings``: the plant batch's create in Metrc; planted from a
    package (``source``), ``POST /packages/v2/plantings``, which takes the drawn quantity out
    of that package (kind ``PLANT_BATCH_FROM_PACKAGE``)."""

    name: str
    plant_type: str
    """Seed or Clone (not ``type``: the ledger's JSON names each record's class with it)."""
    count: int
    strain: str
    location_id: str
    date: date
    source: PlantingSource | None = None


@dataclass(frozen=True, kw_only=True)
class PlantBatchSplitOff:
    """``POST /plantbatches/v2/split``: ``count`` plants of batch ``name`` become batch
    ``group_name`` (``new_plant_batch_id`` in Canopy); the create of the new batch."""

    name: str
    group_name: str
    new_plant_batch_id: UUID
    count: int
    strain: str
    location_id: str
    date: date
    count_before: int
    count_after: int


@dataclass(frozen=True, kw_only=True)
class PlantBatchCountChange:
    """``POST /plantbatches/v2/adjust``: a signed change of the untracked count, with a reason.
    ``count_before``/``count_after`` let a read-back tell whether Metrc applied it (writes to
    one plant batch go one at a time, so Metrc's count is one or the other)."""

    name: str
    quantity: int
    reason: str
    note: str | None
    date: date
    count_before: int
    count_after: int


@dataclass(frozen=True, kw_only=True)
class PlantBatchMove:
    """``PUT /plantbatches/v2/location``."""

    name: str
    location_id: str
    date: date


@dataclass(frozen=True, kw_only=True)
class PlantBatchDestroy:
    """``DELETE /plantbatches/v2/``: ``count`` plants destroyed, with their waste."""

    name: str
    count: int
    waste_method: str
    waste_reason: str
    waste_weight: Decimal
    waste_unit: str
    material_mixed: str | None
    note: str | None
    date: date
    count_before: int
    count_after: int


@dataclass(frozen=True, kw_only=True)
class PlantBatchGrowthPhase:
    """``POST /plantbatches/v2/growthphase``: ``count`` plants leave the batch as tracked plants
    tagged in sequence from ``tags[0]`` (the read-back looks for these tags)."""

    name: str
    count: int
    tags: tuple[str, ...]
    growth_phase: str
    location_id: str
    date: date
    count_before: int
    count_after: int


@dataclass(frozen=True, kw_only=True)
class PlantGrowthPhase:
    """``PUT /plants/v2/growthphase``: one tracked plant (keyed by its id) into ``growth_phase``.
    Waits while the growth phase change that gave the plant its tag is not accepted."""

    tag: str
    plant_batch_id: UUID
    growth_phase: str
    location_id: str
    date: date


@dataclass(frozen=True, kw_only=True)
class HarvestPlant:
    """``PUT /plants/v2/harvest`` (``partial``: ``POST /plants/v2/manicure``, the plant stays):
    one plant's wet weight into harvest ``harvest_name`` (keyed by the harvest's id). The
    harvest's wet weight before and after tell a read-back whether Metrc applied it."""

    harvest_name: str
    plant_id: UUID
    tag: str
    weight: Decimal
    unit: str
    drying_location_id: str
    date: date
    partial: bool
    wet_before: Decimal
    wet_after: Decimal


@dataclass(frozen=True, kw_only=True)
class HarvestWasteRecord:
    """``POST /harvests/v2/waste``; the harvest's total waste before and after."""

    harvest_name: str
    waste_type: str
    weight: Decimal
    unit: str
    date: date
    waste_before: Decimal
    waste_after: Decimal


@dataclass(frozen=True, kw_only=True)
class HarvestFinish:
    """``PUT /harvests/v2/finish``."""

    harvest_name: str
    date: date


@dataclass(frozen=True, kw_only=True)
class HarvestUnfinish:
    """``PUT /harvests/v2/unfinish``."""

    harvest_name: str


CultivationIntent = (
    PlantBatchPlanting
    | PlantBatchSplitOff
    | PlantBatchCountChange
    | PlantBatchMove
    | PlantBatchDestroy
    | PlantBatchGrowthPhase
    | PlantGrowthPhase
    | HarvestPlant
    | HarvestWasteRecord
    | HarvestFinish
    | HarvestUnfinish
)


@dataclass(frozen=True, kw_only=True)
class CultivationChange:
    """One Metrc write an inventory cultivation event calls for, on ``aggregate_id`` (the plant
    batch, tracked plant or harvest the event is keyed by) of site ``site_id``; or, for a
    packaging, the draw marking where a package took weight out of the harvest."""

    site_id: UUID
    aggregate_id: UUID
    intent: CultivationIntent | IngredientDraw
    actor: str
    occurred_at: datetime
    event_id: UUID | None = None
