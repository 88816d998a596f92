"""A tracked plant's and a harvest's submissions as Metrc calls (METRC.md 4.9, 4.10), and the
read-back of one whose outcome is unknown; ``cultivation_requests`` hands these kinds here.

Metrc names a harvest by its Id in waste, finish and unfinish, and answers no Id when plants are
harvested into it: the Id is looked up by the harvest's name (``find_harvest``, a read, safe to
repeat) just before such a write.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from compliance.adapters.metrc.cultivation_payloads import PlantManicure
from compliance.adapters.metrc.errors import MetrcRejectedError
from compliance.adapters.metrc.payloads import (
    HarvestFinish as HarvestFinishBody,
)
from compliance.adapters.metrc.payloads import (
    HarvestUnfinish as HarvestUnfinishBody,
)
from compliance.adapters.metrc.payloads import (
    HarvestWaste,
    PlantGrowthPhaseChange,
    PlantHarvest,
)
from compliance.adapters.metrc.port import MetrcPort
from compliance.adapters.metrc.schemas import Harvest, WriteResult
from compliance.domain import Submission, SubmissionKind
from compliance.domain.cultivation_intents import (
    HarvestFinish,
    HarvestPlant,
    HarvestUnfinish,
    HarvestWasteRecord,
    PlantGrowthPhase,
)
from compliance.domain.cultivation_read_back import MetrcHarvestView, PlantBatchReadBack

__all__ = ["HARVEST_OPERATIONS", "observe_plant_or_harvest", "write_plant_or_harvest"]

HARVEST_OPERATIONS: dict[SubmissionKind, str] = {
    SubmissionKind.PLANT_GROWTH_PHASE: "plants.growthphase",
    SubmissionKind.HARVEST_PLANT: "plants.harvest",
    SubmissionKind.HARVEST_MANICURE: "plants.manicure",
    SubmissionKind.HARVEST_WASTE: "harvests.waste",
    SubmissionKind.HARVEST_FINISH: "harvests.finish",
    SubmissionKind.HARVEST_UNFINISH: "harvests.unfinish",
}


async def write_plant_or_harvest(
    metrc: MetrcPort, license_number: str, kind: SubmissionKind, subs: Sequence[Submission]
) -> WriteResult:
    if kind is SubmissionKind.PLANT_GROWTH_PHASE:
        return await metrc.change_plant_growth_phases(license_number, [_phase(s) for s in subs])
    if kind is SubmissionKind.HARVEST_PLANT:
        return await metrc.harvest_plants(license_number, [_harvest(s) for s in subs])
    if kind is SubmissionKind.HARVEST_MANICURE:
        return await metrc.manicure_plants(license_number, [_manicure(s) for s in subs])
    ids = [await _harvest_id(metrc, license_number, s) for s in subs]
    if kind is SubmissionKind.HARVEST_WASTE:
        return await metrc.record_harvest_waste(
            license_number, [_waste(s, i) for s, i in zip(subs, ids, strict=True)]
        )
    if kind is SubmissionKind.HARVEST_FINISH:
        return await metrc.finish_harvests(
            license_number, [_finish(s, i) for s, i in zip(subs, ids, strict=True)]
        )
    if kind is SubmissionKind.HARVEST_UNFINISH:
        return await metrc.unfinish_harvests(
            license_number, [HarvestUnfinishBody(id=i) for i in ids]
        )
    raise ValueError(f"{kind} is not a plant or harvest write")


async def _harvest_id(metrc: MetrcPort, license_number: str, s: Submission) -> int:
    name = getattr(s.intent, "harvest_name", None)
    assert isinstance(name, str)
    found = await metrc.find_harvest(license_number, name)
    if found is None:
        message = f"Metrc has no harvest named {name}."
        raise MetrcRejectedError(message, rows=[(None, message)])
    return found.id


def _phase(s: Submission) -> PlantGrowthPhaseChange:
    intent, sent = s.intent, s.sent_as
    assert isinstance(intent, PlantGrowthPhase)
    assert sent is not None
    assert sent.location is not None
    return PlantGrowthPhaseChange(
        label=intent.tag,
        growth_phase=intent.growth_phase,
        new_location=sent.location,
        growth_date=intent.date,
    )


def _harvest(s: Submission) -> PlantHarvest:
    intent, sent = s.intent, s.sent_as
    assert isinstance(intent, HarvestPlant)
    assert sent is not None
    assert sent.unit is not None
    assert sent.location is not None
    return PlantHarvest(
        plant=intent.tag,
        weight=intent.weight,
        unit_of_weight=sent.unit,
        drying_location=sent.location,
        harvest_name=intent.harvest_name,
        actual_date=intent.date,
    )


def _manicure(s: Submission) -> PlantManicure:
    intent, sent = s.intent, s.sent_as
    assert isinstance(intent, HarvestPlant)
    assert sent is not None
    assert sent.unit is not None
    assert sent.location is not None
    return PlantManicure(
        plant=intent.tag,
        weight=intent.weight,
        unit_of_weight=sent.unit,
        drying_location=sent.location,
        harvest_name=intent.harvest_name,
        actual_date=intent.date,
    )


def _waste(s: Submission, harvest_id: int) -> HarvestWaste:
    intent, sent = s.intent, s.sent_as
    assert isinstance(intent, HarvestWasteRecord)
    assert sent is not None
    assert sent.unit is not None
    return HarvestWaste(
        id=harvest_id,
        waste_type=intent.waste_type,
        unit_of_weight=sent.unit,
        waste_weight=intent.weight,
        actual_date=intent.date,
    )


def _finish(s: Submission, harvest_id: int) -> HarvestFinishBody:
    intent = s.intent
    assert isinstance(intent, HarvestFinish)
    return HarvestFinishBody(id=harvest_id, actual_date=intent.date)


async def observe_plant_or_harvest(
    metrc: MetrcPort, s: Submission, since: datetime | None
) -> PlantBatchReadBack:
    intent = s.intent
    if isinstance(intent, PlantGrowthPhase):
        plants = await metrc.find_plants(s.license_number, [intent.tag])
        plant = plants.get(intent.tag)
        return PlantBatchReadBack(batch=None, plant_phase=plant.growth_phase if plant else None)
    assert isinstance(intent, HarvestPlant | HarvestWasteRecord | HarvestFinish | HarvestUnfinish)
    # Every status and every time: a harvest's weight may be read back long after it last moved.
    found = await metrc.find_harvest(s.license_number, intent.harvest_name)
    return PlantBatchReadBack(batch=None, harvest=_view(found))


def _view(harvest: Harvest | None) -> MetrcHarvestView | None:
    if harvest is None:
        return None
    return MetrcHarvestView(
        id=harvest.id,
        name=harvest.name,
        wet_weight=harvest.total_wet_weight,
        waste_weight=harvest.total_waste_weight,
        finished=harvest.finished_date is not None,
    )
