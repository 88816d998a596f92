"""The read side of cultivation (plant batches, their ledger, tracked plants, harvests) and the
answers of its writes, in the contract's shapes. A plant batch or harvest of a site the caller
may not see is NOT_FOUND, as if it did not exist."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from shared.contracts import inventory as api

from inventory.domain.cultivation import HarvestState, Plant, PlantBatchState, PlantMovement
from inventory.reads.keyset import cursor_id, cursor_instant, cursor_text, cursor_uuid, keyset_page
from inventory.reads.presenters import batch_json
from inventory.reads.reference import visible_site
from inventory.service_layer.caller import Caller, utc_now
from inventory.service_layer.cultivation_ports import PlantFilter
from inventory.service_layer.harvests import HarvestOutcome
from inventory.service_layer.plant_batches import PlantBatchOutcome
from inventory.service_layer.ports import Row, UnitOfWork

__all__ = [
    "get_harvest",
    "get_plant_batch",
    "harvest_json",
    "harvest_packages_result",
    "harvest_result",
    "list_harvests",
    "list_plant_batches",
    "list_plants",
    "plant_batch_result",
    "plant_movements",
    "plants_result",
]


def plant_batch_json(state: PlantBatchState, label: str) -> dict[str, Any]:
    return {
        "id": state.plant_batch_id,
        "siteId": state.site_id,
        "name": state.name,
        "type": state.type.value,
        "strain": state.strain,
        "locationId": state.location_id,
        "locationLabel": label,
        "plantedDate": state.planted_date.isoformat(),
        "count": state.count,
        "trackedCount": state.tracked_count,
        "destroyedCount": state.destroyed_count,
        "source": state.source.value,
        "parentPlantBatchId": state.parent_plant_batch_id,
        "version": state.version,
        "createdAt": state.created_at.isoformat(),
        "updatedAt": state.updated_at.isoformat(),
    }


def _plant_movement_json(
    ledger_id: int, m: PlantMovement, actor_name: str | None
) -> dict[str, Any]:
    return {
        "id": ledger_id,
        "plantBatchId": m.plant_batch_id,
        "version": m.version,
        "sequence": m.sequence,
        "type": m.type.value,
        "change": m.change,
        "before": m.before,
        "after": m.after,
        "locationId": m.location_id,
        "actualDate": m.actual_date.isoformat(),
        "reason": m.reason,
        "notes": m.notes,
        "performedBy": m.actor,
        "performedByName": actor_name,
        "occurredAt": m.occurred_at.isoformat(),
    }


def plant_json(p: Plant) -> dict[str, Any]:
    return {
        "id": p.plant_id,
        "tag": p.tag,
        "siteId": p.site_id,
        "plantBatchId": p.plant_batch_id,
        "plantBatchName": p.plant_batch_name,
        "strain": p.strain,
        "locationId": p.location_id,
        "growthPhase": p.growth_phase.value,
        "state": p.state.value,
        "plantedDate": p.planted_date.isoformat(),
        "vegetativeDate": p.vegetative_date.isoformat(),
        "floweringDate": None if p.flowering_date is None else p.flowering_date.isoformat(),
        "harvestedDate": None if p.harvested_date is None else p.harvested_date.isoformat(),
        "harvestId": p.harvest_id,
        "harvestCount": p.harvest_count,
        "version": p.version,
    }


def _label(places: Mapping[str, Any], location_id: str) -> str:
    place = places[location_id]
    return str(place.label if hasattr(place, "label") else place["label"])


def plant_batch_result(outcome: PlantBatchOutcome) -> api.PlantBatchWriteResult:
    """The JSON form of ``PlantBatchWriteResult`` (with ``newPlantBatch`` after a split and
    ``plants`` after growth)."""
    answer: dict[str, Any] = {
        "plantBatch": plant_batch_json(
            outcome.state, _label(outcome.places, outcome.state.location_id)
        ),
        "movements": [_plant_movement_json(i, m, outcome.actor_name) for i, m in outcome.movements],
    }
    if outcome.new is not None:
        new = outcome.new
        answer["newPlantBatch"] = plant_batch_json(
            new.state, _label(new.places, new.state.location_id)
        )
        answer["newMovements"] = [
            _plant_movement_json(i, m, new.actor_name) for i, m in new.movements
        ]
    if outcome.plants:
        answer["plants"] = [plant_json(p) for p in outcome.plants]
        return api.PlantsMovedIntoGrowthResult.model_validate(answer)
    if outcome.new is not None:
        return api.PlantBatchSplitResult.model_validate(answer)
    return api.PlantBatchWriteResult.model_validate(answer)


def plants_result(plants: list[Plant]) -> api.PlantsResult:
    return api.PlantsResult(plants=[api.Plant.model_validate(plant_json(p)) for p in plants])


async def _labels(uow: UnitOfWork, site_id: UUID) -> dict[str, str]:
    return {str(row["id"]): row["label"] for row in await uow.reference.locations(site_id)}


async def _visible_plant_batch(
    uow: UnitOfWork, caller: Caller, plant_batch_id: UUID
) -> PlantBatchState:
    return caller.visible(
        await uow.cultivation.plant_batch(plant_batch_id), "plant batch", plant_batch_id
    )


async def get_plant_batch(uow: UnitOfWork, caller: Caller, plant_batch_id: UUID) -> api.PlantBatch:
    state = await _visible_plant_batch(uow, caller, plant_batch_id)
    labels = await _labels(uow, UUID(state.site_id))
    return api.PlantBatch.model_validate(plant_batch_json(state, labels[state.location_id]))


async def list_plant_batches(
    uow: UnitOfWork, caller: Caller, query: api.PlantBatchListQuery
) -> api.PlantBatchPage:
    await visible_site(uow, caller, query.site_id)
    page = await keyset_page(
        query.cursor,
        query.limit,
        key=(cursor_text, cursor_uuid),
        fetch=lambda after, n: uow.cultivation.plant_batches(
            query.site_id, include_empty=query.include_empty, after=after, limit=n
        ),
        last=lambda s: [s.name, s.plant_batch_id],
    )
    labels = await _labels(uow, query.site_id)
    return page.answer(
        api.PlantBatchPage,
        lambda s: api.PlantBatch.model_validate(plant_batch_json(s, labels[s.location_id])),
    )


async def plant_movements(
    uow: UnitOfWork, caller: Caller, plant_batch_id: UUID, query: api.PlantMovementQuery
) -> api.PlantMovementPage:
    await _visible_plant_batch(uow, caller, plant_batch_id)
    page = await keyset_page(
        query.cursor,
        query.limit,
        key=(cursor_id,),
        fetch=lambda after, n: uow.cultivation.plant_movements(
            plant_batch_id, after=after, limit=n
        ),
        last=lambda r: [r["id"]],
    )
    return page.answer(api.PlantMovementPage, lambda r: _movement_from_row(api.PlantMovement, r))


def _movement_from_row(model: Any, row: Row) -> Any:
    return model.model_validate(dict(row))


async def list_plants(uow: UnitOfWork, caller: Caller, query: api.PlantListQuery) -> api.PlantPage:
    await visible_site(uow, caller, query.site_id)
    which = PlantFilter(
        site_id=query.site_id,
        plant_batch_id=query.plant_batch_id,
        growth_phase=query.growth_phase,
        state=query.state,
    )
    page = await keyset_page(
        query.cursor,
        query.limit,
        key=(cursor_text,),
        fetch=lambda after, n: uow.cultivation.plants(which, after=after, limit=n),
        last=lambda p: [p.tag],
    )
    return page.answer(api.PlantPage, lambda p: api.Plant.model_validate(plant_json(p)))


def harvest_json(s: HarvestState) -> dict[str, Any]:
    return {
        "id": s.harvest_id,
        "siteId": s.site_id,
        "name": s.name,
        "dryingLocationId": s.drying_location_id,
        "unitOfWeight": s.unit_of_weight,
        "harvestDate": s.harvest_date.isoformat(),
        "wetWeight": s.wet_weight,
        "wasteWeight": s.waste_weight,
        "packagedWeight": s.packaged_weight,
        "currentWeight": s.current_weight,
        "plantCount": s.plant_count,
        "strains": list(s.strains),
        "status": s.status.value,
        "finishedDate": None if s.finished_date is None else s.finished_date.isoformat(),
        "version": s.version,
        "createdAt": s.created_at.isoformat(),
        "updatedAt": s.updated_at.isoformat(),
    }


def harvest_result(outcome: HarvestOutcome) -> api.HarvestWriteResult:
    return api.HarvestWriteResult.model_validate(_harvest_answer(outcome))


def _harvest_answer(outcome: HarvestOutcome) -> dict[str, Any]:
    return {
        "harvest": harvest_json(outcome.state),
        "movements": [
            {
                "id": i,
                "version": m.version,
                "sequence": m.sequence,
                "type": m.type.value,
                "change": m.change,
                "before": m.before,
                "after": m.after,
                "actualDate": m.actual_date.isoformat(),
                "plantId": m.plant_id,
                "batchId": m.batch_id,
                "wasteType": None if m.waste_type is None else m.waste_type.value,
                "performedBy": m.actor,
                "performedByName": outcome.actor_name,
                "occurredAt": m.occurred_at.isoformat(),
            }
            for i, m in outcome.movements
        ],
    }


def harvest_packages_result(outcome: HarvestOutcome) -> api.HarvestPackagesResult:
    now = utc_now()
    answer = _harvest_answer(outcome)
    answer["batches"] = [batch_json(b.record, now) for b in outcome.batches]
    return api.HarvestPackagesResult.model_validate(answer)


async def get_harvest(uow: UnitOfWork, caller: Caller, harvest_id: UUID) -> api.HarvestDetail:
    state = caller.visible(await uow.cultivation.harvest(harvest_id), "harvest", harvest_id)
    rows = await uow.cultivation.harvest_movements(harvest_id)
    plants = await uow.cultivation.harvest_plants(harvest_id)
    return api.HarvestDetail(
        harvest=api.Harvest.model_validate(harvest_json(state)),
        movements=[_movement_from_row(api.HarvestMovement, r) for r in rows],
        plants=[api.Plant.model_validate(plant_json(p)) for p in plants],
    )


async def list_harvests(
    uow: UnitOfWork, caller: Caller, query: api.HarvestListQuery
) -> api.HarvestPage:
    await visible_site(uow, caller, query.site_id)
    page = await keyset_page(
        query.cursor,
        query.limit,
        key=(cursor_instant, cursor_uuid),
        fetch=lambda after, n: uow.cultivation.harvests(
            query.site_id, status=query.status, after=after, limit=n
        ),
        last=lambda s: [s.created_at.isoformat(), s.harvest_id],
    )
    return page.answer(api.HarvestPage, lambda s: api.Harvest.model_validate(harvest_json(s)))
