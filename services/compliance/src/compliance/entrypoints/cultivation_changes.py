"""Inventory's cultivation events in compliance's words: each event becomes the
``CultivationChange``s (the Metrc writes) it calls for, from the event alone: one for a plant
batch's change or a tracked plant's growth phase, one per plant (then one per waste row) for a
harvest, one for a harvest's waste, finish or unfinish. ``inventory.harvest.packaged`` calls for
no write of its own (each package is created from its batch's ``inventory.batch.created``), but
marks, per package, where in the harvest's order the package took its weight (an
``IngredientDraw``): the package's create waits for the harvest's writes before it, and the
harvest's later writes (its finish) wait for the create.
"""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from shared.events import EventEnvelope, decode
from shared.events.cultivation import (
    HarvestCreatedV1,
    HarvestEventBase,
    HarvestFinishedV1,
    HarvestPackagedV1,
    HarvestUnfinishedV1,
    HarvestWasteRecordedV1,
    PlantBatchCountAdjustedV1,
    PlantBatchDestroyedV1,
    PlantBatchGrowthPhaseChangedV1,
    PlantBatchMovedV1,
    PlantBatchPlantedV1,
    PlantBatchSplitV1,
    PlantGrowthPhaseChangedV1,
)

from compliance.domain.cultivation_intents import (
    CultivationChange,
    CultivationIntent,
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
    PlantingSource,
)
from compliance.domain.submissions import IngredientDraw

__all__ = ["cultivation_changes"]


def cultivation_changes(envelope: EventEnvelope) -> list[CultivationChange]:
    """The Metrc writes a cultivation event calls for, in order (for a packaging, the draws).

    Raises:
        UnknownEventTypeError, ValidationError: not a registered, valid event (poison).
    """
    event = decode(envelope)
    if isinstance(event, PlantGrowthPhaseChangedV1):
        plant = event.plant
        intent: CultivationIntent = PlantGrowthPhase(
            tag=plant.tag,
            plant_batch_id=plant.plant_batch_id,
            growth_phase=plant.growth_phase.value,
            location_id=str(plant.location.id),
            date=event.actual_date,
        )
        return [_change(plant.site.id, plant.plant_id, intent, event, envelope)]
    if isinstance(event, HarvestPackagedV1):
        harvest = event.harvest
        return [
            _change(
                harvest.site.id,
                harvest.harvest_id,
                IngredientDraw(into_batch_id=package.batch_id, quantity=package.weight),
                event,
                envelope,
            )
            for package in event.packages
        ]
    if isinstance(event, HarvestEventBase):
        harvest = event.harvest
        return [
            _change(harvest.site.id, harvest.harvest_id, intent, event, envelope)
            for intent in _harvest_intents(event)
        ]
    change = _plant_batch_change(envelope, event)
    return [] if change is None else [change]


def _change(
    site_id: UUID,
    aggregate_id: UUID,
    intent: CultivationIntent | IngredientDraw,
    event: PlantGrowthPhaseChangedV1 | HarvestEventBase,
    envelope: EventEnvelope,
) -> CultivationChange:
    return CultivationChange(
        site_id=site_id,
        aggregate_id=aggregate_id,
        intent=intent,
        actor=event.actor,
        occurred_at=event.occurred_at,
        event_id=envelope.event_id,
    )


def _harvest_intents(event: HarvestEventBase) -> list[CultivationIntent]:
    h = event.harvest
    if isinstance(event, HarvestCreatedV1):
        intents: list[CultivationIntent] = []
        wet = Decimal(0)
        for plant in event.plants:
            intents.append(
                HarvestPlant(
                    harvest_name=h.name, plant_id=plant.plant_id, tag=plant.tag,
                    weight=plant.weight, unit=h.unit_of_weight,
                    drying_location_id=str(h.drying_location.id), date=h.harvest_date,
                    partial=event.partial, wet_before=wet, wet_after=wet + plant.weight,
                )
            )  # fmt: skip
            wet += plant.weight
        waste = Decimal(0)
        for row in event.movements:
            if row.waste_type is not None and row.change < 0:
                intents.append(
                    HarvestWasteRecord(
                        harvest_name=h.name, waste_type=row.waste_type.value, weight=-row.change,
                        unit=h.unit_of_weight, date=row.actual_date, waste_before=waste,
                        waste_after=waste - row.change,
                    )
                )  # fmt: skip
                waste -= row.change
        return intents
    if isinstance(event, HarvestWasteRecordedV1):
        return [
            HarvestWasteRecord(
                harvest_name=h.name, waste_type=event.waste_type.value, weight=event.weight,
                unit=h.unit_of_weight, date=event.actual_date,
                waste_before=h.waste_weight - event.weight, waste_after=h.waste_weight,
            )
        ]  # fmt: skip
    if isinstance(event, HarvestFinishedV1):
        return [HarvestFinish(harvest_name=h.name, date=event.actual_date)]
    if isinstance(event, HarvestUnfinishedV1):
        return [HarvestUnfinish(harvest_name=h.name)]
    return []


def _plant_batch_change(envelope: EventEnvelope, event: object) -> CultivationChange | None:
    intent: CultivationIntent
    if isinstance(event, PlantBatchPlantedV1):
        b, package = event.plant_batch, event.source_package
        intent = PlantBatchPlanting(
            name=b.name,
            plant_type=b.type.value,
            count=b.count,
            strain=b.strain,
            location_id=str(b.location.id),
            date=b.planted_date,
            source=None
            if package is None
            else PlantingSource(
                batch_id=package.batch_id, quantity=package.quantity, unit=package.unit
            ),
        )
    elif isinstance(event, PlantBatchSplitV1):
        b, new = event.plant_batch, event.new_plant_batch
        intent = PlantBatchSplitOff(
            name=b.name,
            group_name=new.name,
            new_plant_batch_id=new.plant_batch_id,
            count=event.count,
            strain=new.strain,
            location_id=str(new.location.id),
            date=event.actual_date,
            count_before=b.count + event.count,
            count_after=b.count,
        )
    elif isinstance(event, PlantBatchCountAdjustedV1):
        b = event.plant_batch
        intent = PlantBatchCountChange(
            name=b.name,
            quantity=event.quantity,
            reason=event.reason,
            note=event.reason_note,
            date=event.actual_date,
            count_before=b.count - event.quantity,
            count_after=b.count,
        )
    elif isinstance(event, PlantBatchMovedV1):
        b = event.plant_batch
        intent = PlantBatchMove(name=b.name, location_id=str(b.location.id), date=event.actual_date)
    elif isinstance(event, PlantBatchDestroyedV1):
        b, waste = event.plant_batch, event.waste
        intent = PlantBatchDestroy(
            name=b.name,
            count=event.count,
            waste_method=waste.method,
            waste_reason=waste.reason,
            waste_weight=waste.weight,
            waste_unit=waste.unit,
            material_mixed=waste.material_mixed,
            note=waste.note,
            date=event.actual_date,
            count_before=b.count + event.count,
            count_after=b.count,
        )
    elif isinstance(event, PlantBatchGrowthPhaseChangedV1):
        b = event.plant_batch
        intent = PlantBatchGrowthPhase(
            name=b.name,
            count=event.count,
            tags=tuple(p.tag for p in event.plants),
            growth_phase=event.growth_phase.value,
            location_id=str(event.location.id),
            date=event.actual_date,
            count_before=b.count + event.count,
            count_after=b.count,
        )
    else:
        return None
    batch = event.plant_batch
    return CultivationChange(
        site_id=batch.site.id,
        aggregate_id=batch.plant_batch_id,
        intent=intent,
        actor=event.actor,
        occurred_at=event.occurred_at,
        event_id=envelope.event_id,
    )
