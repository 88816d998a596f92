"""Cultivation submissions as Metrc writes (payloads in Metrc's words, METRC.md 4.7-4.10): every
plant batch, tracked plant and harvest write, and a package made from a harvest, as one table of
``MetrcWrite``s (``metrc_requests.WRITES`` adds the package writes); and what Metrc shows of the
record a cultivation write changed, for the read-back of one whose outcome is unknown.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from compliance.adapters.metrc.cultivation_payloads import (
    PlantBatchAdjust,
    PlantBatchFromPackage,
    PlantBatchLocationChange,
    PlantBatchSplit,
    PlantManicure,
)
from compliance.adapters.metrc.payloads import (
    HarvestFinish as HarvestFinishBody,
)
from compliance.adapters.metrc.payloads import (
    HarvestPackageCreate,
    HarvestPackageIngredient,
    HarvestWaste,
    MetrcPayload,
    PlantBatchGrowthPhaseChange,
    PlantGrowthPhaseChange,
    PlantHarvest,
)
from compliance.adapters.metrc.payloads import (
    HarvestUnfinish as HarvestUnfinishBody,
)
from compliance.adapters.metrc.payloads import (
    PlantBatchDestroy as PlantBatchDestroyBody,
)
from compliance.adapters.metrc.payloads import (
    PlantBatchPlanting as PlantBatchPlantingBody,
)
from compliance.adapters.metrc.port import MetrcPort
from compliance.adapters.metrc.schemas import Harvest
from compliance.domain import CreatePackage, FromHarvest, Submission, SubmissionKind
from compliance.domain.cultivation_intents import (
    HarvestFinish,
    HarvestPlant,
    HarvestUnfinish,
    HarvestWasteRecord,
    PlantBatchCountChange,
    PlantBatchDestroy,
    PlantBatchGrowthPhase,
    PlantBatchMove,
    PlantBatchPlanting,
    PlantBatchSplitOff,
    PlantGrowthPhase,
)
from compliance.domain.cultivation_read_back import (
    MetrcHarvestView,
    MetrcPlantBatchView,
    PlantBatchReadBack,
    read_back_name,
)
from compliance.service_layer.metrc_write import MetrcWrite, intent_of, needed, prepared

__all__ = ["CULTIVATION_WRITES", "observe_cultivation"]

# How far back a read-back scans Metrc's recently modified plant batches: the write was sent at
# ``first_sent_at``, so anything it did was modified after that (less clock skew).
_SKEW = timedelta(minutes=5)


def _planting(s: Submission, _: int | None) -> PlantBatchPlantingBody:
    intent, sent = prepared(s, PlantBatchPlanting)
    return PlantBatchPlantingBody(
        name=intent.name,
        type=intent.plant_type,
        count=intent.count,
        strain=needed(sent.item),
        location=needed(sent.location),
        actual_date=intent.date,
    )


def _planting_from_package(s: Submission, _: int | None) -> PlantBatchFromPackage:
    intent, sent = prepared(s, PlantBatchPlanting)
    strain, location = needed(sent.item), needed(sent.location)
    (package,) = sent.ingredients
    return PlantBatchFromPackage(
        package_label=package.tag,
        package_adjustment_amount=package.quantity,
        package_adjustment_unit_of_measure_name=package.unit,
        plant_batch_name=intent.name,
        plant_batch_type=intent.plant_type,
        plant_count=intent.count,
        location_name=location,
        strain_name=strain,
        planted_date=intent.date,
        unpackaged_date=intent.date,
    )


def _growth_phase(s: Submission, _: int | None) -> PlantBatchGrowthPhaseChange:
    intent, sent = prepared(s, PlantBatchGrowthPhase)
    return PlantBatchGrowthPhaseChange(
        name=intent.name,
        count=intent.count,
        starting_tag=sent.tag,
        growth_phase=intent.growth_phase,
        new_location=needed(sent.location),
        growth_date=intent.date,
    )


def _split(s: Submission, _: int | None) -> PlantBatchSplit:
    intent, sent = prepared(s, PlantBatchSplitOff)
    strain, location = needed(sent.item), needed(sent.location)
    return PlantBatchSplit(
        plant_batch=intent.name,
        group_name=intent.group_name,
        count=intent.count,
        location=location,
        strain=strain,
        actual_date=intent.date,
    )


def _adjust(s: Submission, _: int | None) -> PlantBatchAdjust:
    intent, sent = prepared(s, PlantBatchCountChange)
    return PlantBatchAdjust(
        plant_batch_name=intent.name,
        quantity=intent.quantity,
        adjustment_reason=needed(sent.reason),
        adjustment_date=intent.date,
        reason_note=sent.note,
    )


def _move(s: Submission, _: int | None) -> PlantBatchLocationChange:
    intent, sent = prepared(s, PlantBatchMove)
    return PlantBatchLocationChange(
        name=intent.name, location=needed(sent.location), move_date=intent.date
    )


def _destroy(s: Submission, _: int | None) -> PlantBatchDestroyBody:
    intent, sent = prepared(s, PlantBatchDestroy)
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


def _plant_phase(s: Submission, _: int | None) -> PlantGrowthPhaseChange:
    intent, sent = prepared(s, PlantGrowthPhase)
    return PlantGrowthPhaseChange(
        label=intent.tag,
        growth_phase=intent.growth_phase,
        new_location=needed(sent.location),
        growth_date=intent.date,
    )


def _harvested(s: Submission, _: int | None) -> MetrcPayload:
    """A plant's weight into the harvest: all of it (the plant is harvested) or part (a
    manicure; the plant stays)."""
    intent, sent = prepared(s, HarvestPlant)
    unit, location = needed(sent.unit), needed(sent.location)
    body: type[PlantManicure | PlantHarvest] = PlantManicure if intent.partial else PlantHarvest
    return body(
        plant=intent.tag,
        weight=intent.weight,
        unit_of_weight=unit,
        drying_location=location,
        harvest_name=intent.harvest_name,
        actual_date=intent.date,
    )


def _waste(s: Submission, harvest_id: int | None) -> HarvestWaste:
    intent, sent = prepared(s, HarvestWasteRecord)
    unit, harvest = needed(sent.unit), needed(harvest_id)
    return HarvestWaste(
        id=harvest,
        waste_type=intent.waste_type,
        unit_of_weight=unit,
        waste_weight=intent.weight,
        actual_date=intent.date,
    )


def _finish(s: Submission, harvest_id: int | None) -> HarvestFinishBody:
    intent = intent_of(s, HarvestFinish)
    return HarvestFinishBody(id=needed(harvest_id), actual_date=intent.date)


def _unfinish(_: Submission, harvest_id: int | None) -> HarvestUnfinishBody:
    return HarvestUnfinishBody(id=needed(harvest_id))


def _harvest_package(s: Submission, harvest_id: int | None) -> HarvestPackageCreate:
    """A batch's package made from its harvest: the batch's intake is the weight inventory took
    out of the harvest (in the harvest's unit), so that is the ingredient's weight."""
    intent, sent = prepared(s, CreatePackage)
    assert isinstance(intent.source, FromHarvest)
    item, unit, harvest = needed(sent.item), needed(sent.unit), needed(harvest_id)
    return HarvestPackageCreate(
        tag=sent.tag,
        item=item,
        unit_of_weight=unit,
        actual_date=intent.date,
        location=sent.location,
        ingredients=[
            HarvestPackageIngredient(
                harvest_id=harvest,
                harvest_name=intent.source.harvest_name,
                weight=intent.quantity,
                unit_of_weight=unit,
            )
        ],
    )


def _harvest_of(s: Submission) -> str:
    intent = s.intent
    if isinstance(intent, CreatePackage) and isinstance(intent.source, FromHarvest):
        assert intent.source.harvest_name is not None, "validated before it is sent"
        return intent.source.harvest_name
    return read_back_name(s)


CULTIVATION_WRITES: dict[SubmissionKind, MetrcWrite] = {
    SubmissionKind.PLANT_BATCH_PLANTING: MetrcWrite(
        "plantbatches.plantings", lambda m: m.create_plant_batch_plantings, _planting
    ),
    SubmissionKind.PLANT_BATCH_FROM_PACKAGE: MetrcWrite(
        "packages.plantings", lambda m: m.create_plant_batches_from_packages,
        _planting_from_package,
    ),
    SubmissionKind.PLANT_BATCH_SPLIT: MetrcWrite(
        "plantbatches.split", lambda m: m.split_plant_batches, _split
    ),
    SubmissionKind.PLANT_BATCH_ADJUST: MetrcWrite(
        "plantbatches.adjust", lambda m: m.adjust_plant_batches, _adjust
    ),
    SubmissionKind.PLANT_BATCH_LOCATION: MetrcWrite(
        "plantbatches.location", lambda m: m.change_plant_batch_locations, _move
    ),
    SubmissionKind.PLANT_BATCH_DESTROY: MetrcWrite(
        "plantbatches.destroy", lambda m: m.destroy_plant_batches, _destroy
    ),
    SubmissionKind.PLANT_BATCH_GROWTH_PHASE: MetrcWrite(
        "plantbatches.growthphase", lambda m: m.change_plant_batch_growth_phase, _growth_phase
    ),
    SubmissionKind.PLANT_GROWTH_PHASE: MetrcWrite(
        "plants.growthphase", lambda m: m.change_plant_growth_phases, _plant_phase
    ),
    SubmissionKind.HARVEST_PLANT: MetrcWrite(
        "plants.harvest", lambda m: m.harvest_plants, _harvested
    ),
    SubmissionKind.HARVEST_MANICURE: MetrcWrite(
        "plants.manicure", lambda m: m.manicure_plants, _harvested
    ),
    SubmissionKind.HARVEST_WASTE: MetrcWrite(
        "harvests.waste", lambda m: m.record_harvest_waste, _waste, _harvest_of
    ),
    SubmissionKind.HARVEST_FINISH: MetrcWrite(
        "harvests.finish", lambda m: m.finish_harvests, _finish, _harvest_of
    ),
    SubmissionKind.HARVEST_UNFINISH: MetrcWrite(
        "harvests.unfinish", lambda m: m.unfinish_harvests, _unfinish, _harvest_of
    ),
    SubmissionKind.CREATE_HARVEST_PACKAGE: MetrcWrite(
        "harvests.packages", lambda m: m.create_harvest_packages, _harvest_package, _harvest_of
    ),
}  # fmt: skip
"""Every cultivation kind's write, and a package made from a harvest's."""


async def observe_cultivation(metrc: MetrcPort, s: Submission) -> PlantBatchReadBack:
    """What Metrc shows of the record cultivation write ``s`` changed: the plant batch (for a
    growth phase change, the plants it tagged), the tracked plant, or the harvest."""
    intent = s.intent
    if isinstance(intent, PlantGrowthPhase):
        plants = await metrc.find_plants(s.license_number, [intent.tag])
        plant = plants.get(intent.tag)
        return PlantBatchReadBack(batch=None, plant_phase=plant.growth_phase if plant else None)
    if isinstance(intent, HarvestPlant | HarvestWasteRecord | HarvestFinish | HarvestUnfinish):
        # Every status and every time: a harvest's weight may be read back long after it moved.
        found = await metrc.find_harvest(s.license_number, intent.harvest_name)
        return PlantBatchReadBack(batch=None, harvest=_harvest_view(found))
    since: datetime | None = s.first_sent_at - _SKEW if s.first_sent_at else None
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


def _harvest_view(harvest: Harvest | None) -> MetrcHarvestView | None:
    if harvest is None:
        return None
    return MetrcHarvestView(
        id=harvest.id,
        name=harvest.name,
        wet_weight=harvest.total_wet_weight,
        waste_weight=harvest.total_waste_weight,
        finished=harvest.finished_date is not None,
    )
