"""Reads of batches: lists, detail, ledger, balances as of an instant, FIFO availability."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response
from shared.contracts import inventory as api
from shared.http.strict_json import StrictJsonRoute

from inventory.entrypoints.deps import CallerDep, ContainerDep, endpoint, read, read_route
from inventory.reads import as_of
from inventory.reads import batches as queries

__all__ = ["router"]

router = APIRouter(tags=["batches"], route_class=StrictJsonRoute)

BatchId = Annotated[UUID, Path(alias="batchId")]
_B = "/v1/batches/{batchId}"


read_route(
    router,
    "/v1/batches",
    query=api.BatchListQuery,
    reader=queries.list_batches,
    response_model=api.BatchPage,
)
read_route(
    router,
    "/v1/batches/enhanced",
    query=api.EnhancedListQuery,
    reader=queries.enhanced_list,
    response_model=api.EnhancedBatchList,
)
read_route(router, _B, target=BatchId, reader=queries.get_batch, response_model=api.Batch)
read_route(
    router,
    f"{_B}/detail",
    target=BatchId,
    reader=queries.batch_detail,
    response_model=api.BatchDetail,
)


@endpoint(router, "GET", f"{_B}/movements", response_model=api.MovementPage)
async def batch_movements(
    caller: CallerDep,
    container: ContainerDep,
    batch_id: BatchId,
    query: Annotated[api.MovementsQuery, Query()],
) -> Response:
    return await read(
        container,
        lambda uow: queries.movements(uow, caller, batch_id, query),
    )


@endpoint(router, "GET", f"{_B}/as-of", response_model=api.BatchAsOf)
async def batch_as_of(
    caller: CallerDep,
    container: ContainerDep,
    batch_id: BatchId,
    query: Annotated[api.BatchAsOfQuery, Query()],
) -> Response:
    return await read(container, lambda uow: as_of.batch_as_of(uow, caller, batch_id, query.at))


@endpoint(router, "GET", "/v1/inventory/as-of", response_model=api.InventoryAsOf)
async def site_as_of(
    caller: CallerDep,
    container: ContainerDep,
    query: Annotated[api.SiteAsOfQuery, Query()],
) -> Response:
    return await read(
        container,
        lambda uow: as_of.site_as_of(
            uow, caller, query.site_id, query.at, cursor=query.cursor, limit=query.limit
        ),
    )


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
    return await read(
        container,
        lambda uow: queries.available_for_product(uow, caller, product_id, query.min_quantity),
    )
