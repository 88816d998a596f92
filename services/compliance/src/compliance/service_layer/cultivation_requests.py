"""Cultivation submissions as Metrc calls (payloads in Metrc's words, METRC.md 4.8), and the
read-back of one whose outcome is unknown. ``metrc_requests.write`` hands these kinds here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from compliance.adapters.metrc.cultivation_payloads import (
    PlantBatchAdjust,
    PlantBatchLocationChange,
    PlantBatchSplit,
)
from compliance.adapters.metrc.payloads import (
    PlantBatchDestroy as PlantBatchDestroyBody,
)
from compliance.adapters.metrc.payloads import (
    PlantBatchGrowthPhaseChange,
)
from compliance.adapters.metrc.payloads import (
    PlantBatchPlanting as PlantBatchPlantingBody,
)
from compliance.adapters.metrc.port import MetrcPort
from compliance.adapters.metrc.schemas import WriteResult
from compliance.domain import Submission, SubmissionKind
from compliance.domain.cultivation_intents import (
    PlantBatchCountChange,
    PlantBatchDestroy,
    PlantBatchGrowthPhase,
    PlantBatchMove,
    PlantBatchPlanting,
    PlantBatchSplitOff,
)
from compliance.domain.cultivation_read_back import (
    MetrcPlantBatchView,
    PlantBatchReadBack,
    read_back_name,
)
from compliance.service_layer.harvest_requests import (
    HARVEST_OPERATIONS,
    observe_plant_or_harvest,
    write_plant_or_harvest,
)

__all__ = ["CULTIVATION_OPERATIONS", "observe_plant_batch", "write_cultivation"]

CULTIVATION_OPERATIONS: dict[SubmissionKind, str] = {
    SubmissionKind.PLANT_BATCH_PLANTING: "plantbatches.plantings",
    SubmissionKind.PLANT_BATCH_SPLIT: "plantbatches.split",
    SubmissionKind.PLANT_BATCH_ADJUST: "plantbatches.adjust",
    SubmissionKind.PLANT_BATCH_LOCATION: "plantbatches.location",
    SubmissionKind.PLANT_BATCH_DESTROY: "plantbatches.destroy",
    SubmissionKind.PLANT_BATCH_GROWTH_PHASE: "plantbatches.growthphase",
    **HARVEST_OPERATIONS,
}
"""The sync log's operation name of each cultivation kind."""

# How far back a read-back scans Metrc's recently modified plant batches: the write was sent at
# ``sent_at``, so anything it did was modified after that (less clock skew).
_SKEW = timedelta(minutes=5)


async def write_cultivation(
    metrc: MetrcPort, license_number: str, kind: SubmissionKind, subs: Sequence[Submission]
) -> WriteResult:
    """One Metrc write carrying ``subs`` (all of ``kind``), in order."""
    if kind in HARVEST_OPERATIONS:
        return await write_plant_or_harvest(metrc, license_number, kind, subs)
    if kind is SubmissionKind.PLANT_BATCH_PLANTING:
        return await metrc.create_plant_batch_plantings(
            license_number, [_planting(s) for s in subs]
        )
    if kind is SubmissionKind.PLANT_BATCH_GROWTH_PHASE:
        return await metrc.change_plant_batch_growth_phase(
            license_number, [_growth_phase(s) for s in subs]
        )
    if kind is SubmissionKind.PLANT_BATCH_SPLIT:
        return await metrc.split_plant_batches(license_number, [_split(s) for s in subs])
    if kind is SubmissionKind.PLANT_BATCH_ADJUST:
        return await metrc.adjust_plant_batches(license_number, [_adjust(s) for s in subs])
    if kind is SubmissionKind.PLANT_BATCH_LOCATION:
        return await metrc.change_plant_batch_locations(license_number, [_move(s) for s in subs])
    if kind is SubmissionKind.PLANT_BATCH_DESTROY:
        return await metrc.destroy_plant_batches(license_number, [_destroy(s) for s in subs])
    raise ValueError(f"{kind} is not a plant batch write")


def _planting(s: Submission) -> PlantBatchPlantingBody:
    intent, sent = s.intent, s.sent_as
    assert isinstance(intent, PlantBatchPlanting)
    assert sent is not None
    assert sent.item is not None
    assert sent.location is not None
    return PlantBatchPlantingBody(
        name=intent.name,
        type=intent.plant_type,
        count=intent.count,
        strain=sent.item,
        location=sent.location,
        actual_date=intent.date,
    )


def _growth_phase(s: Submission) -> PlantBatchGrowthPhaseChange:
    intent, sent = s.intent, s.sent_as
    assert isinstance(intent, PlantBatchGrowthPhase)
    assert sent is not None
    assert sent.location is not None
    return PlantBatchGrowthPhaseChange(
        name=intent.name,
        count=intent.count,
        starting_tag=sent.tag,
        growth_phase=intent.growth_phase,
        new_location=sent.location,
        growth_date=intent.date,
    )


def _split(s: Submission) -> PlantBatchSplit:
    intent, sent = s.intent, s.sent_as
    assert isinstance(intent, PlantBatchSplitOff)
    assert sent is not None
    assert sent.item is not None
    assert sent.location is not None
    return PlantBatchSplit(
        plant_batch=intent.name,
        group_name=intent.group_name,
        count=intent.count,
        location=sent.location,
        strain=sent.item,
        actual_date=intent.date,
    )


def _adjust(s: Submission) -> PlantBatchAdjust:
    intent, sent = s.intent, s.sent_as
    assert isinstance(intent, PlantBatchCountChange)
    assert sent is not None
    assert sent.reason is not None
    return PlantBatchAdjust(
        plant_batch_name=intent.name,
        quantity=intent.quantity,
        adjustment_reason=sent.reason,
        adjustment_date=intent.date,
        reason_note=sent.note,
    )


def _move(s: Submission) -> PlantBatchLocationChange:
    intent, sent = s.intent, s.sent_as
    assert isinstance(intent, PlantBatchMove)
    assert sent is not None
    assert sent.location is not None
    return PlantBatchLocationChange(name=intent.name, location=sent.location, move_date=intent.date)


def _destroy(s: Submission) -> PlantBatchDestroyBody:
    intent, sent = s.intent, s.sent_as
    assert isinstance(intent, PlantBatchDestroy)
    assert sent is not None
    return PlantBatchDestroyBody(
        plant_batch=intent.name,
        count=intent.count,
        waste_method_name=intent.waste_method,
        waste_material_mixed=intent.material_mixed,
        waste_reason_name=sent.reason or intent.waste_reason,
        reason_note=intent.note,
        waste_weight=intent.waste_weight,
        waste_unit_of_measure=sent.unit or intent.waste_unit,
        actual_date=intent.date,
    )


async def observe_plant_batch(metrc: MetrcPort, s: Submission) -> PlantBatchReadBack:
    """What Metrc shows of the plant batch ``s`` wrote (and, for a growth phase change, of the
    plants it tagged)."""
    since: datetime | None = s.first_sent_at - _SKEW if s.first_sent_at else None
    intent = s.intent
    if s.kind in HARVEST_OPERATIONS:
        return await observe_plant_or_harvest(metrc, s, since)
    if isinstance(intent, PlantBatchGrowthPhase):
        plants = await metrc.find_plants(s.license_number, intent.tags, modified_since=since)
        return PlantBatchReadBack(batch=None, plants={t: p.id for t, p in plants.items()})
    # A count change or a move may be read back after the batch was last modified before the
    # send (nothing applied): scan every batch, not only recently modified ones.
    window = since if isinstance(intent, PlantBatchPlanting | PlantBatchSplitOff) else None
    batch = await metrc.find_plant_batch(s.license_number, read_back_name(s), modified_since=window)
    if batch is None:
        return PlantBatchReadBack(batch=None)
    return PlantBatchReadBack(
        batch=MetrcPlantBatchView(
            id=batch.id,
            name=batch.name,
            untracked_count=batch.untracked_count,
            location=batch.location_name,
        )
    )
