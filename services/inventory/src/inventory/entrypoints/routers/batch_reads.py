"""Reads of batches: lists, detail, ledger, balances as of an instant, FIFO availability."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response
from shared.contracts import inventory as api
from shared.strict_json import StrictJsonRoute

from inventory.entrypoints.deps import CallerDep, ContainerDep, endpoint, json_response, read_with
from inventory.service_layer import as_of, queries

__all__ = ["router"]

router = APIRouter(tags=["batches"], route_class=StrictJsonRoute)

BatchId = Annotated[UUID, Path(alias="batchId")]
_B = "/v1/batches/{batchId}"


@endpoint(router, "GET", "/v1/batches", response_model=api.BatchPage)
async def list_batches(
    caller: CallerDep, container: ContainerDep, query: Annotated[api.BatchListQuery, Query()]
) -> Response:
    page = await read_with(container, lambda uow: queries.list_batches(uow, caller, query))
    return json_response(page)


@endpoint(router, "GET", "/v1/batches/enhanced", response_model=api.EnhancedBatchList)
async def enhanced_list(
    caller: CallerDep, container: ContainerDep, query: Annotated[api.EnhancedListQuery, Query()]
) -> Response:
    result = await read_with(container, lambda uow: queries.enhanced_list(uow, caller, query))
    return json_response(result)


@endpoint(router, "GET", _B, response_model=api.Batch)
async def get_batch(caller: CallerDep, container: ContainerDep, batch_id: BatchId) -> Response:
    return json_response(
        await read_with(container, lambda uow: queries.batch(uow, caller, batch_id))
    )


@endpoint(router, "GET", f"{_B}/detail", response_model=api.BatchDetail)
async def batch_detail(caller: CallerDep, container: ContainerDep, batch_id: BatchId) -> Response:
    detail = await read_with(container, lambda uow: queries.batch_detail(uow, caller, batch_id))
    return json_response(detail)


@endpoint(router, "GET", f"{_B}/movements", response_model=api.MovementPage)
async def batch_movements(
    caller: CallerDep,
    container: ContainerDep,
    batch_id: BatchId,
    query: Annotated[api.MovementsQuery, Query()],
) -> Response:
    page = await read_with(
        container,
        lambda uow: queries.movements(
            uow, caller, batch_id, cursor=query.cursor, limit=query.limit
        ),
    )
    return json_response(page)


@endpoint(router, "GET", f"{_B}/as-of", response_model=api.BatchAsOf)
async def batch_as_of(
    caller: CallerDep,
    container: ContainerDep,
    batch_id: BatchId,
    query: Annotated[api.BatchAsOfQuery, Query()],
) -> Response:
    result = await read_with(
        container, lambda uow: as_of.batch_as_of(uow, caller, batch_id, query.at)
    )
    return json_response(result)


@endpoint(router, "GET", "/v1/inventory/as-of", response_model=api.InventoryAsOf)
async def site_as_of(
    caller: CallerDep,
    container: ContainerDep,
    query: Annotated[api.SiteAsOfQuery, Query()],
) -> Response:
    result = await read_with(
        container,
        lambda uow: as_of.site_as_of(
            uow, caller, query.site_id, query.at, cursor=query.cursor, limit=query.limit
        ),
    )
    return json_response(result)


@endpoint(
    router,
    "GET",
    "/v1/products/{productId}/available-batches",
    response_model=list[api.AvailableBatch],
)
async def available_batches(
    caller: CallerDep,
    container: ContainerDep,
    product_id: Annotated[UUID, Path(alias="productId")],
    query: Annotated[api.AvailableBatchesQuery, Query()],
) -> Response:
    batches = await read_with(
        container,
        lambda uow: queries.available_for_product(uow, caller, product_id, query.min_quantity),
    )
    body = "[" + ",".join(b.model_dump_json() for b in batches) + "]"
    return Response(body, media_type="application/json")
