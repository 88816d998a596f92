"""Writes on batches: intake, adjustments, status, update, delete, transfers, reservations,
sales, returns, samples, disposals, holds, defects, and the bulk actions.

Every write takes an optional Idempotency-Key header (a replay returns the first answer)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel
from shared.contracts import inventory as api
from shared.http.strict_json import StrictJsonRoute

from inventory.entrypoints import commands as to
from inventory.entrypoints.container import Container
from inventory.entrypoints.deps import CallerDep, ContainerDep, endpoint, write_with
from inventory.reads.presenters import bulk_result, write_result
from inventory.service_layer import batch_commands as ops
from inventory.service_layer import bulk
from inventory.service_layer.batch_operations import WriteOutcome
from inventory.service_layer.caller import Caller
from inventory.service_layer.intake import intake as intake_handler
from inventory.service_layer.ports import UnitOfWork
from inventory.service_layer.update import update_batch

__all__ = ["router"]

router = APIRouter(tags=["batch writes"], route_class=StrictJsonRoute)

BatchId = Annotated[UUID, Path(alias="batchId")]
_B = "/v1/batches/{batchId}"
C = TypeVar("C")
Handler = Callable[[UnitOfWork, Caller, C], Awaitable[WriteOutcome]]


async def _write(
    container: Container, request: Request, caller: Caller, cmd: C, handler: Handler[C]
) -> Response:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        return write_result(await handler(uow, caller, cmd))

    return await write_with(container, request, caller, work, optimistic=True)


# Registration order is matching order. The bulk routes come before the
# /v1/batches/{batchId}/... routes, which would otherwise match them; the single-batch writes
# come next, first of all routes (see api.py): each route tried before the right one costs a
# few microseconds on every request.
B = TypeVar("B", api.BulkStatusResult, api.BulkDeleteResult)
_DONE: dict[type[Any], bulk.BulkOutcome] = {
    api.BulkStatusResult: bulk.BulkOutcome.UPDATED,
    api.BulkDeleteResult: bulk.BulkOutcome.DELETED,
}
"""What a bulk action did to the batches it did not skip or fail on."""


async def _bulk(
    container: Container,
    request: Request,
    caller: Caller,
    cmd: C,
    handler: Callable[[UnitOfWork, Caller, C], Awaitable[list[bulk.BulkItem]]],
    answer: type[B],
) -> Response:
    async def work(uow: UnitOfWork) -> B:
        return bulk_result(await handler(uow, caller, cmd), answer, _DONE[answer])

    return await write_with(container, request, caller, work)


@endpoint(router, "POST", "/v1/batches/bulk/status", response_model=api.BulkStatusResult)
async def bulk_status(
    caller: CallerDep, container: ContainerDep, request: Request, body: api.BulkStatusRequest
) -> Response:
    cmd = to.change_statuses(body)
    return await _bulk(
        container, request, caller, cmd, bulk.bulk_update_status, api.BulkStatusResult
    )


@endpoint(router, "POST", "/v1/batches/bulk/delete", response_model=api.BulkDeleteResult)
async def bulk_delete(
    caller: CallerDep, container: ContainerDep, request: Request, body: api.BulkDeleteRequest
) -> Response:
    cmd = to.delete_batches(body)
    return await _bulk(container, request, caller, cmd, bulk.bulk_delete, api.BulkDeleteResult)


def _batch_write(
    path: str,
    model: type[BaseModel],
    to_command: Callable[[UUID, Any], C],
    handler: Handler[C],
) -> None:
    """Register POST ``path`` taking ``model`` and answering the batch after ``handler``."""

    async def route(
        caller: CallerDep,
        container: ContainerDep,
        request: Request,
        batch_id: BatchId,
        body: Any,
    ) -> Response:
        return await _write(container, request, caller, to_command(batch_id, body), handler)

    # Annotations are strings here (postponed evaluation); FastAPI needs the body model itself.
    route.__annotations__["body"] = model
    route.__name__ = handler.__name__
    endpoint(router, "POST", path, response_model=api.BatchWriteResult)(route)


_batch_write(
    f"{_B}/adjustments", api.AdjustQuantityRequest, to.adjust_quantity, ops.adjust_quantity
)
_batch_write(f"{_B}/status", api.StatusChangeRequest, to.change_status, ops.change_status)
_batch_write(f"{_B}/transfers", api.TransferRequest, to.transfer, ops.transfer)
_batch_write(f"{_B}/reservations", api.ReserveRequest, to.reserve, ops.reserve)
_batch_write(
    f"{_B}/reservations/release",
    api.ReleaseReservationRequest,
    to.release_reservation,
    ops.release_reservation,
)
_batch_write(f"{_B}/sales", api.SaleRequest, to.sell, ops.sell)
_batch_write(f"{_B}/returns", api.ReturnRequest, to.return_, ops.receive_return)
_batch_write(f"{_B}/samples", api.SampleRequest, to.sample, ops.send_sample)
_batch_write(f"{_B}/disposals", api.DisposalRequest, to.dispose, ops.dispose)
_batch_write(f"{_B}/holds", api.HoldRequest, to.hold, ops.hold)
_batch_write(f"{_B}/holds/release", api.HoldRequest, to.release_hold, ops.release_hold)
_batch_write(f"{_B}/defective", api.DefectiveRequest, to.defective, ops.mark_defective)


@endpoint(router, "POST", "/v1/batches/intake", response_model=api.IntakeResult, status_code=201)
async def intake(
    caller: CallerDep, container: ContainerDep, request: Request, body: api.IntakeRequest
) -> Response:
    cmd = to.intake(body)
    units = container.settings.units_of_measure

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        return write_result(await intake_handler(uow, caller, cmd, units=units))

    return await write_with(container, request, caller, work, status_code=201)


@endpoint(router, "PATCH", _B, response_model=api.BatchWriteResult)
async def update(
    caller: CallerDep,
    container: ContainerDep,
    request: Request,
    batch_id: BatchId,
    body: api.UpdateBatchRequest,
) -> Response:
    return await _write(container, request, caller, to.update_batch(batch_id, body), update_batch)


@endpoint(router, "DELETE", _B, response_model=api.BatchWriteResult)
async def delete(
    caller: CallerDep,
    container: ContainerDep,
    request: Request,
    batch_id: BatchId,
    query: Annotated[api.DeleteBatchQuery, Query()],
) -> Response:
    cmd = to.delete_batch(batch_id, query)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        return write_result(await ops.delete_batch(uow, caller, cmd))

    return await write_with(container, request, caller, work)
