"""Cultivation: plant batches (plant, split, adjust, move, destroy, into growth), tracked plants,
harvests (harvest, waste, finish, unfinish) and packages from a harvest.

Every write runs in one transaction (state, ledger rows and the event together) and takes an
optional Idempotency-Key header (a replay returns the first answer)."""

from __future__ import annotations

from functools import partial
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response
from shared.contracts import inventory as api
from shared.http.strict_json import StrictJsonRoute

from inventory.entrypoints import cultivation_commands as to
from inventory.entrypoints.deps import (
    CallerDep,
    ContainerDep,
    command_route,
    endpoint,
    read,
    read_route,
)
from inventory.reads import cultivation as show
from inventory.service_layer import harvests, plant_batches, plants

__all__ = ["router"]

router = APIRouter(tags=["cultivation"], route_class=StrictJsonRoute)

PlantBatchId = Annotated[UUID, Path(alias="plantBatchId")]
HarvestId = Annotated[UUID, Path(alias="harvestId")]
_PB = "/v1/plant-batches/{plantBatchId}"
_H = "/v1/harvests/{harvestId}"

# A write on one plant batch or one harvest answers it with the ledger rows it added.
_plant_batch_write = partial(
    command_route,
    router,
    target=PlantBatchId,
    present=show.plant_batch_result,
    response_model=api.PlantBatchWriteResult,
)
_harvest_write = partial(
    command_route,
    router,
    target=HarvestId,
    present=show.harvest_result,
    response_model=api.HarvestWriteResult,
)


# ---------------------------------------------------------------------------- plant batches


read_route(
    router,
    "/v1/plant-batches",
    query=api.PlantBatchListQuery,
    reader=show.list_plant_batches,
    response_model=api.PlantBatchPage,
)
command_route(
    router,
    "/v1/plant-batches",
    body=api.PlantBatchCreate,
    command=to.create_plant_batch,
    handler=plant_batches.create_plant_batch,
    present=show.plant_batch_result,
    response_model=api.PlantBatchWriteResult,
    status_code=201,
)


read_route(
    router,
    _PB,
    target=PlantBatchId,
    reader=show.get_plant_batch,
    response_model=api.PlantBatch,
)


@endpoint(router, "GET", f"{_PB}/movements", response_model=api.PlantMovementPage)
async def plant_movements(
    caller: CallerDep,
    container: ContainerDep,
    plant_batch_id: PlantBatchId,
    query: Annotated[api.PlantMovementQuery, Query()],
) -> Response:
    return await read(
        container, lambda uow: show.plant_movements(uow, caller, plant_batch_id, query)
    )


_plant_batch_write(
    f"{_PB}/split",
    body=api.PlantBatchSplitRequest,
    command=to.split_plant_batch,
    handler=plant_batches.split_plant_batch,
    response_model=api.PlantBatchSplitResult,
)
_plant_batch_write(
    f"{_PB}/adjustments",
    body=api.PlantBatchAdjustRequest,
    command=to.adjust_plant_count,
    handler=plant_batches.adjust_plant_count,
)
_plant_batch_write(
    f"{_PB}/move",
    body=api.PlantBatchMoveRequest,
    command=to.move_plant_batch,
    handler=plant_batches.move_plant_batch,
)
_plant_batch_write(
    f"{_PB}/destroy",
    body=api.PlantBatchDestroyRequest,
    command=to.destroy_plants,
    handler=plant_batches.destroy_plants,
)
_plant_batch_write(
    f"{_PB}/growth-phase",
    body=api.GrowthPhaseRequest,
    command=to.move_into_growth,
    handler=plant_batches.move_into_growth,
    response_model=api.PlantsMovedIntoGrowthResult,
)


read_route(
    router,
    "/v1/plants",
    query=api.PlantListQuery,
    reader=show.list_plants,
    response_model=api.PlantPage,
)
command_route(
    router,
    "/v1/plants/growth-phase",
    body=api.PlantsGrowthPhaseRequest,
    command=to.change_plants_phase,
    handler=plants.change_plants_phase,
    present=show.plants_result,
    response_model=api.PlantsResult,
)


# ---------------------------------------------------------------------------- harvests


read_route(
    router,
    "/v1/harvests",
    query=api.HarvestListQuery,
    reader=show.list_harvests,
    response_model=api.HarvestPage,
)
command_route(
    router,
    "/v1/harvests",
    body=api.HarvestCreate,
    command=to.harvest_plants,
    handler=harvests.harvest_plants,
    present=show.harvest_result,
    response_model=api.HarvestWriteResult,
    status_code=201,
)


read_route(router, _H, target=HarvestId, reader=show.get_harvest, response_model=api.HarvestDetail)
_harvest_write(
    f"{_H}/waste",
    body=api.HarvestWasteRequest,
    command=to.record_harvest_waste,
    handler=harvests.record_harvest_waste,
)
_harvest_write(
    f"{_H}/finish",
    body=api.HarvestFinishRequest,
    command=to.finish_harvest,
    handler=harvests.finish_harvest,
)
_harvest_write(
    f"{_H}/unfinish",
    body=api.HarvestUnfinishRequest,
    command=to.unfinish_harvest,
    handler=harvests.unfinish_harvest,
)
command_route(
    router,
    f"{_H}/packages",
    target=HarvestId,
    body=api.HarvestPackagesRequest,
    command=to.package_harvest,
    handler=harvests.package_harvest,
    units=True,
    present=show.harvest_packages_result,
    response_model=api.HarvestPackagesResult,
    status_code=201,
)
