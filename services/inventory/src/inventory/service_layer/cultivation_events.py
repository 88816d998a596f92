"""Cultivation changes -> integration events (``shared.events.cultivation``), one per change,
each built and validated as its payload model (cultivation is not a hot path) and keyed by the
plant batch's or the harvest's id."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from datetime import date
from typing import Any

from pydantic import BaseModel
from shared.events import cultivation as ev
from shared.outbox import OutboxMessage, outbox_message

from inventory.domain.cultivation import (
    HarvestChange,
    HarvestedPlant,
    HarvestMovement,
    HarvestState,
    Plant,
    PlantBatchChange,
    PlantBatchState,
    PlantMovement,
    PlantWaste,
)
from inventory.service_layer.caller import Caller
from inventory.service_layer.event_mapping import PRODUCER
from inventory.service_layer.records import LocationRow, SiteRow

__all__ = [
    "harvest_event",
    "harvest_snapshot",
    "location_info",
    "plant_batch_event",
    "plant_batch_snapshot",
    "plant_events",
]

Places = Mapping[str, LocationRow]


def site_info(site: SiteRow) -> dict[str, Any]:
    return {
        "id": site.id,
        "name": site.name,
        "license_number": site.license_number,
        "state": site.state,
    }


def location_info(row: LocationRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "site_id": row.site_id,
        "zone": row.zone,
        "rack": row.rack,
        "shelf": row.shelf,
        "bin": row.bin,
        "label": row.label,
    }


def plant_batch_snapshot(state: PlantBatchState, site: SiteRow, places: Places) -> dict[str, Any]:
    return {
        "plant_batch_id": state.plant_batch_id,
        "name": state.name,
        "type": state.type,
        "strain": state.strain,
        "site": site_info(site),
        "location": location_info(places[state.location_id]),
        "planted_date": state.planted_date,
        "count": state.count,
        "tracked_count": state.tracked_count,
        "destroyed_count": state.destroyed_count,
        "source": state.source,
        "parent_plant_batch_id": state.parent_plant_batch_id,
        "version": state.version,
        "created_at": state.created_at,
        "updated_at": state.updated_at,
    }


def _plant_rows(movements: tuple[PlantMovement, ...], places: Places) -> list[dict[str, Any]]:
    return [
        {
            "version": m.version,
            "sequence": m.sequence,
            "type": m.type,
            "change": m.change,
            "before": m.before,
            "after": m.after,
            "location": location_info(places[m.location_id]),
            "actual_date": m.actual_date,
            "reason": m.reason,
            "notes": m.notes,
            "actor": m.actor,
            "occurred_at": m.occurred_at,
        }
        for m in movements
    ]


def _plants(plants: tuple[Plant, ...]) -> list[dict[str, Any]]:
    return [{"plant_id": p.plant_id, "tag": p.tag} for p in plants]


def _message(
    payload: BaseModel, caller: Caller, *, aggregate_id: str, version: int, site_id: str
) -> OutboxMessage:
    return outbox_message(
        payload,
        producer=PRODUCER,
        aggregate_id=aggregate_id,
        aggregate_version=version,
        site_id=site_id,
        actor=caller.event_actor,
        correlation_id=caller.request_id,
        occurred_at=getattr(payload, "occurred_at", None),
    )


def plant_batch_event(
    change: PlantBatchChange,
    caller: Caller,
    site: SiteRow,
    places: Places,
    *,
    new: PlantBatchChange | None = None,
) -> OutboxMessage:
    """The event of one plant batch change (``new``: the batch a split made)."""
    state, details = change.state, change.details
    base: dict[str, Any] = {
        "plant_batch": plant_batch_snapshot(state, site, places),
        "movements": _plant_rows(change.movements, places),
        "actor": caller.actor,
        "occurred_at": state.updated_at,
    }
    payload: BaseModel
    if change.kind == "planted":
        payload = ev.PlantBatchPlantedV1.model_validate({**base, **details})
    elif change.kind == "split":
        assert new is not None
        payload = ev.PlantBatchSplitV1.model_validate(
            {
                **base,
                "new_plant_batch": plant_batch_snapshot(new.state, site, places),
                "new_movements": _plant_rows(new.movements, places),
                "count": details["count"],
                "actual_date": details["actual_date"],
            }
        )
    elif change.kind == "count_adjusted":
        payload = ev.PlantBatchCountAdjustedV1.model_validate({**base, **details})
    elif change.kind == "moved":
        payload = ev.PlantBatchMovedV1.model_validate(
            {
                **base,
                "from_location": location_info(places[str(details["from_location_id"])]),
                "actual_date": details["actual_date"],
            }
        )
    elif change.kind == "destroyed":
        waste = details["waste"]
        assert isinstance(waste, PlantWaste)
        payload = ev.PlantBatchDestroyedV1.model_validate(
            {
                **base,
                "count": details["count"],
                "waste": asdict(waste),
                "actual_date": details["actual_date"],
            }
        )
    elif change.kind == "growth_phase_changed":
        payload = ev.PlantBatchGrowthPhaseChangedV1.model_validate(
            {
                **base,
                "count": details["count"],
                "growth_phase": details["growth_phase"],
                "starting_tag": details["starting_tag"],
                "location": location_info(places[str(details["location_id"])]),
                "actual_date": details["actual_date"],
                "plants": _plants(change.plants),
            }
        )
    else:
        raise ValueError(f"no event for plant batch change {change.kind!r}")
    return _message(
        payload, caller, aggregate_id=state.plant_batch_id, version=state.version, site_id=site.id
    )


def plant_events(
    before: list[Plant],
    after: list[Plant],
    caller: Caller,
    site: SiteRow,
    places: Places,
    actual_date: date,
) -> list[OutboxMessage]:
    """One ``inventory.plant.growth_phase_changed`` per plant, keyed by the plant's id."""
    return [
        _message(
            ev.PlantGrowthPhaseChangedV1.model_validate(
                {
                    "plant": {
                        "plant_id": p.plant_id,
                        "tag": p.tag,
                        "plant_batch_id": p.plant_batch_id,
                        "plant_batch_name": p.plant_batch_name,
                        "strain": p.strain,
                        "site": site_info(site),
                        "location": location_info(places[p.location_id]),
                        "growth_phase": p.growth_phase,
                        "state": p.state,
                        "planted_date": p.planted_date,
                        "vegetative_date": p.vegetative_date,
                        "flowering_date": p.flowering_date,
                        "version": p.version,
                    },
                    "from_phase": old.growth_phase,
                    "actual_date": actual_date,
                    "actor": caller.actor,
                    "occurred_at": p.updated_at,
                }
            ),
            caller,
            aggregate_id=p.plant_id,
            version=p.version,
            site_id=site.id,
        )
        for old, p in zip(before, after, strict=True)
    ]


def harvest_snapshot(state: HarvestState, site: SiteRow, places: Places) -> dict[str, Any]:
    return {
        "harvest_id": state.harvest_id,
        "name": state.name,
        "site": site_info(site),
        "drying_location": location_info(places[state.drying_location_id]),
        "unit_of_weight": state.unit_of_weight,
        "harvest_date": state.harvest_date,
        "wet_weight": state.wet_weight,
        "waste_weight": state.waste_weight,
        "packaged_weight": state.packaged_weight,
        "current_weight": state.current_weight,
        "plant_count": state.plant_count,
        "strains": list(state.strains),
        "status": state.status,
        "finished_date": state.finished_date,
        "version": state.version,
        "created_at": state.created_at,
        "updated_at": state.updated_at,
    }


def _harvest_rows(movements: tuple[HarvestMovement, ...]) -> list[dict[str, Any]]:
    return [
        {
            "version": m.version,
            "sequence": m.sequence,
            "type": m.type,
            "change": m.change,
            "before": m.before,
            "after": m.after,
            "actual_date": m.actual_date,
            "plant_id": m.plant_id,
            "batch_id": m.batch_id,
            "waste_type": m.waste_type,
            "actor": m.actor,
            "occurred_at": m.occurred_at,
        }
        for m in movements
    ]


def harvest_event(
    change: HarvestChange,
    caller: Caller,
    site: SiteRow,
    places: Places,
    *,
    plants: Mapping[str, Plant] | None = None,
    packages: list[dict[str, Any]] | None = None,
) -> OutboxMessage:
    """The event of one harvest change (``plants`` by id for a creation, ``packages`` in the
    form of ``HarvestPackageInfo`` for packaging)."""
    state, details = change.state, change.details
    base: dict[str, Any] = {
        "harvest": harvest_snapshot(state, site, places),
        "movements": _harvest_rows(change.movements),
        "actor": caller.actor,
        "occurred_at": state.updated_at,
    }
    payload: BaseModel
    if change.kind == "created":
        assert plants is not None
        taken: list[HarvestedPlant] = details["plants"]  # type: ignore[assignment]
        payload = ev.HarvestCreatedV1.model_validate(
            {
                **base,
                "partial": details["partial"],
                "waste_weight": details["waste_weight"],
                "plants": [
                    {
                        "plant_id": p.plant_id,
                        "tag": p.tag,
                        "plant_batch_id": plants[p.plant_id].plant_batch_id,
                        "plant_batch_name": plants[p.plant_id].plant_batch_name,
                        "strain": plants[p.plant_id].strain,
                        "weight": p.weight,
                    }
                    for p in taken
                ],
            }
        )
    elif change.kind == "waste_recorded":
        payload = ev.HarvestWasteRecordedV1.model_validate({**base, **details})
    elif change.kind == "packaged":
        payload = ev.HarvestPackagedV1.model_validate(
            {**base, "packages": packages, "actual_date": details["actual_date"]}
        )
    elif change.kind == "finished":
        payload = ev.HarvestFinishedV1.model_validate({**base, **details})
    elif change.kind == "unfinished":
        payload = ev.HarvestUnfinishedV1.model_validate(base)
    else:
        raise ValueError(f"no event for harvest change {change.kind!r}")
    return _message(
        payload, caller, aggregate_id=state.harvest_id, version=state.version, site_id=site.id
    )
