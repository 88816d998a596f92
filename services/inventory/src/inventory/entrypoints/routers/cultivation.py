"""Cultivation: plant batches (plant, split, adjust, move, destroy, into growth), tracked plants,
harvests (harvest, waste, finish, unfinish) and packages from a harvest.

Every write runs in one transaction (state, ledger rows and the event together) and takes an
optional Idempotency-Key header (a replay returns the first answer)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from shared.contracts import inventory as api
from shared.http.strict_json import StrictJsonRoute

from inventory.entrypoints import cultivation_commands as to
from inventory.entrypoints.deps import (
    CallerDep,
    ContainerDep,
    endpoint,
    read,
    write_command,
)
from inventory.reads import cultivation as show
from inventory.service_layer import harvests, plant_batches, plants

__all__ = ["router"]

router = APIRouter(tags=["cultivation"], route_class=StrictJsonRoute)

PlantBatchId = Annotated[UUID, Path(alias="plantBatchId")]
HarvestId = Annotated[UUID, Path(alias="harvestId")]
_PB = "/v1/plant-batches/{plantBatchId}"
_H = "/v1/harvests/{harvestId}"


# ---------------------------------------------------------------------------- plant batches


@endpoint(router, "GET", "/v1/plant-batches", response_model=api.PlantBatchPage)
async def list_plant_batches(
    caller: CallerDep, container: ContainerDep, query: Annotated[api.PlantBatchListQuery, Query()]
) -> Response:
    return await read(container, lambda uow: show.list_plant_batches(uow, caller, query))


@endpoint(
    router, "POST", "/v1/plant-batches", response_model=api.PlantBatchWriteResult, status_code=201
)
async def create_plant_batch(
    caller: CallerDep, container: ContainerDep, request: Request, body: api.PlantBatchCreate
) -> Response:
    cmd = to.create_plant_batch(body)
    return await write_command(
        container,
        request,
        caller,
        cmd,
        plant_batches.create_plant_batch,
        show.plant_batch_result,
        status_code=201,
    )


@endpoint(router, "GET", _PB, response_model=api.PlantBatch)
async def get_plant_batch(
    caller: CallerDep, container: ContainerDep, plant_batch_id: PlantBatchId
) -> Response:
    return await read(container, lambda uow: show.get_plant_batch(uow, caller, plant_batch_id))


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


@endpoint(router, "POST", f"{_PB}/split", response_model=api.PlantBatchSplitResult)
async def split_plant_batch(
    caller: CallerDep,
    container: ContainerDep,
    request: Request,
    plant_batch_id: PlantBatchId,
    body: api.PlantBatchSplitRequest,
) -> Response:
    cmd = to.split_plant_batch(plant_batch_id, body)
    return await write_command(
        container, request, caller, cmd, plant_batches.split_plant_batch, show.plant_batch_result
    )


@endpoint(router, "POST", f"{_PB}/adjustments", response_model=api.PlantBatchWriteResult)
async def adjust_plant_count(
    caller: CallerDep,
    container: ContainerDep,
    request: Request,
    plant_batch_id: PlantBatchId,
    body: api.PlantBatchAdjustRequest,
) -> Response:
    cmd = to.adjust_plant_count(plant_batch_id, body)
    return await write_command(
        container, request, caller, cmd, plant_batches.adjust_plant_count, show.plant_batch_result
    )


@endpoint(router, "POST", f"{_PB}/move", response_model=api.PlantBatchWriteResult)
async def move_plant_batch(
    caller: CallerDep,
    container: ContainerDep,
    request: Request,
    plant_batch_id: PlantBatchId,
    body: api.PlantBatchMoveRequest,
) -> Response:
    cmd = to.move_plant_batch(plant_batch_id, body)
    return await write_command(
        container, request, caller, cmd, plant_batches.move_plant_batch, show.plant_batch_result
    )


@endpoint(router, "POST", f"{_PB}/destroy", response_model=api.PlantBatchWriteResult)
async def destroy_plants(
    caller: CallerDep,
    container: ContainerDep,
    request: Request,
    plant_batch_id: PlantBatchId,
    body: api.PlantBatchDestroyRequest,
) -> Response:
    cmd = to.destroy_plants(plant_batch_id, body)
    return await write_command(
        container, request, caller, cmd, plant_batches.destroy_plants, show.plant_batch_result
    )


@endpoint(router, "POST", f"{_PB}/growth-phase", response_model=api.PlantsMovedIntoGrowthResult)
async def move_into_growth(
    caller: CallerDep,
    container: ContainerDep,
    request: Request,
    plant_batch_id: PlantBatchId,
    body: api.GrowthPhaseRequest,
) -> Response:
    cmd = to.move_into_growth(plant_batch_id, body)
    return await write_command(
        container, request, caller, cmd, plant_batches.move_into_growth, show.plant_batch_result
    )


@endpoint(router, "GET", "/v1/plants", response_model=api.PlantPage)
async def list_plants(
    caller: CallerDep, container: ContainerDep, query: Annotated[api.PlantListQuery, Query()]
) -> Response:
    return await read(container, lambda uow: show.list_plants(uow, caller, query))


@endpoint(router, "POST", "/v1/plants/growth-phase", response_model=api.PlantsResult)
async def change_plants_phase(
    caller: CallerDep,
    container: ContainerDep,
    request: Request,
    body: api.PlantsGrowthPhaseRequest,
) -> Response:
    cmd = to.change_plants_phase(body)
    return await write_command(
        container, request, caller, cmd, plants.change_plants_phase, show.plants_result
    )


# ---------------------------------------------------------------------------- harvests


@endpoint(router, "GET", "/v1/harvests", response_model=api.HarvestPage)
async def list_harvests(
    caller: CallerDep, container: ContainerDep, query: Annotated[api.HarvestListQuery, Query()]
) -> Response:
    return await read(container, lambda uow: show.list_harvests(uow, caller, query))


@endpoint(router, "POST", "/v1/harvests", response_model=api.HarvestWriteResult, status_code=201)
async def harvest_plants(
    caller: CallerDep, container: ContainerDep, request: Request, body: api.HarvestCreate
) -> Response:
    cmd = to.harvest_plants(body)
    return await write_command(
        container,
        request,
        caller,
        cmd,
        harvests.harvest_plants,
        show.harvest_result,
        status_code=201,
    )


@endpoint(router, "GET", _H, response_model=api.HarvestDetail)
async def get_harvest(
    caller: CallerDep, container: ContainerDep, harvest_id: HarvestId
) -> Response:
    return await read(container, lambda uow: show.get_harvest(uow, caller, harvest_id))


@endpoint(router, "POST", f"{_H}/waste", response_model=api.HarvestWriteResult)
async def record_harvest_waste(
    caller: CallerDep,
    container: ContainerDep,
    request: Request,
    harvest_id: HarvestId,
    body: api.HarvestWasteRequest,
) -> Response:
    cmd = to.record_harvest_waste(harvest_id, body)
    return await write_command(
        container, request, caller, cmd, harvests.record_harvest_waste, show.harvest_result
    )


@endpoint(router, "POST", f"{_H}/finish", response_model=api.HarvestWriteResult)
async def finish_harvest(
    caller: CallerDep,
    container: ContainerDep,
    request: Request,
    harvest_id: HarvestId,
    body: api.HarvestFinishRequest,
) -> Response:
    cmd = to.finish_harvest(harvest_id, body)
    return await write_command(
        container, request, caller, cmd, harvests.finish_harvest, show.harvest_result
    )


@endpoint(router, "POST", f"{_H}/unfinish", response_model=api.HarvestWriteResult)
async def unfinish_harvest(
    caller: CallerDep,
    container: ContainerDep,
    request: Request,
    harvest_id: HarvestId,
    body: api.HarvestUnfinishRequest,
) -> Response:
    cmd = to.unfinish_harvest(harvest_id, body)
    return await write_command(
        container, request, caller, cmd, harvests.unfinish_harvest, show.harvest_result
    )


@endpoint(
    router,
    "POST",
    f"{_H}/packages",
    response_model=api.HarvestPackagesResult,
    status_code=201,
)
async def package_harvest(
    caller: CallerDep,
    container: ContainerDep,
    request: Request,
    harvest_id: HarvestId,
    body: api.HarvestPackagesRequest,
) -> Response:
    cmd = to.package_harvest(harvest_id, body)
    units = container.settings.units_of_measure
    return await write_command(
        container,
        request,
        caller,
        cmd,
        lambda uow, who, command: harvests.package_harvest(uow, who, command, units=units),
        show.harvest_packages_result,
        status_code=201,
    )
