"""Inventory's cultivation events in compliance's words: each ``inventory.plant_batch.*`` event
becomes a ``CultivationChange`` (the one Metrc write it calls for), from the event alone.

Events with no plant batch write of their own map to ``None``: a tracked plant's growth phase
and the harvest events (their Metrc writes are not mirrored yet, see the README), and
``inventory.harvest.packaged`` (each package is its batch's ``inventory.batch.created``).
"""

from __future__ import annotations

from shared.events import EventEnvelope, decode
from shared.events.cultivation import (
    PlantBatchCountAdjustedV1,
    PlantBatchDestroyedV1,
    PlantBatchGrowthPhaseChangedV1,
    PlantBatchMovedV1,
    PlantBatchPlantedV1,
    PlantBatchSplitV1,
)

from compliance.domain.cultivation_intents import (
    CultivationChange,
    CultivationIntent,
    PlantBatchCountChange,
    PlantBatchDestroy,
    PlantBatchGrowthPhase,
    PlantBatchMove,
    PlantBatchPlanting,
    PlantBatchSplitOff,
)

__all__ = ["cultivation_change"]


def cultivation_change(envelope: EventEnvelope) -> CultivationChange | None:
    """The Metrc write a cultivation event calls for (None: none of its own).

    Raises:
        UnknownEventTypeError, ValidationError: not a registered, valid event (poison).
    """
    event = decode(envelope)
    intent: CultivationIntent
    if isinstance(event, PlantBatchPlantedV1):
        b = event.plant_batch
        intent = PlantBatchPlanting(
            name=b.name,
            plant_type=b.type.value,
            count=b.count,
            strain=b.strain,
            location_id=str(b.location.id),
            date=b.planted_date,
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
        plant_batch_id=batch.plant_batch_id,
        intent=intent,
        actor=event.actor,
        occurred_at=event.occurred_at,
        event_id=envelope.event_id,
    )
