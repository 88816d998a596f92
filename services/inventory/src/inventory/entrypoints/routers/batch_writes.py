"""Writes on batches: intake, adjustments, status, update, delete, transfers, reservations,
sales, returns, samples, disposals, holds, defects, and the bulk actions.

Every write takes an optional Idempotency-Key header (a replay returns the first answer)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from shared.contracts import inventory as api
from shared.strict_json import StrictJsonRoute

from inventory.entrypoints.deps import CallerDep, ContainerDep, endpoint, write_with
from inventory.service_layer import batch_commands as ops
from inventory.service_layer import bulk
from inventory.service_layer.batch_operations import WriteOutcome
from inventory.service_layer.caller import Caller, utc_now
from inventory.service_layer.intake import intake as intake_handler
from inventory.service_layer.presenters import batch_json, movement_json
from inventory.service_layer.unit_of_work import UnitOfWork
from inventory.service_layer.update import update_batch

__all__ = ["router"]

router = APIRouter(tags=["batch writes"], route_class=StrictJsonRoute)

BatchId = Annotated[UUID, Path(alias="batchId")]
_B = "/v1/batches/{batchId}"
C = TypeVar("C")
Handler = Callable[[UnitOfWork, Caller, UUID, C], Awaitable[WriteOutcome]]


def present(outcome: WriteOutcome) -> dict[str, Any]:
    """The JSON form of ``api.BatchWriteResult`` (and of ``api.IntakeResult``, the same)."""
    return {
        "success": True,
        "batch": batch_json(outcome.record, utc_now()),
        "movements": [
            movement_json(m, i)
            for m, i in zip(outcome.movements, outcome.movement_ids, strict=True)
        ],
    }


async def _write(
    container: Any, request: Request, caller: Caller, batch_id: UUID, cmd: C, handler: Handler[C]
) -> Response:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        return present(await handler(uow, caller, batch_id, cmd))

    return await write_with(container, request, caller, work, optimistic=True)


# Registration order is matching order. The bulk routes come before the
# /v1/batches/{batchId}/... routes, which would otherwise match them; the single-batch writes
# come next, first of all routes (see api.py): each route tried before the right one costs a
# few microseconds on every request.
@endpoint(router, "POST", "/v1/batches/bulk/status", response_model=api.BulkStatusResult)
async def bulk_status(
    caller: CallerDep, container: ContainerDep, request: Request, cmd: api.BulkStatusRequest
) -> Response:
    return await write_with(
        container, request, caller, lambda uow: bulk.bulk_update_status(uow, caller, cmd)
    )


@endpoint(router, "POST", "/v1/batches/bulk/delete", response_model=api.BulkDeleteResult)
async def bulk_delete(
    caller: CallerDep, container: ContainerDep, request: Request, cmd: api.BulkDeleteRequest
) -> Response:
    return await write_with(
        container, request, caller, lambda uow: bulk.bulk_delete(uow, caller, cmd)
    )


def _batch_write(path: str, model: type[Any], handler: Handler[Any], name: str) -> None:
    """Register POST ``path`` taking ``model`` and answering the batch after ``handler``."""

    async def route(
        caller: CallerDep,
        container: ContainerDep,
        request: Request,
        batch_id: BatchId,
        cmd: Any,
    ) -> Response:
        return await _write(container, request, caller, batch_id, cmd, handler)

    # Annotations are strings here (postponed evaluation); FastAPI needs the body model itself.
    route.__annotations__["cmd"] = model
    route.__name__ = name
    endpoint(router, "POST", path, response_model=api.BatchWriteResult)(route)


for _path, _model, _handler in (
    (f"{_B}/adjustments", api.AdjustQuantityRequest, ops.adjust_quantity),
    (f"{_B}/status", api.StatusChangeRequest, ops.change_status),
    (f"{_B}/transfers", api.TransferRequest, ops.transfer),
    (f"{_B}/reservations", api.ReserveRequest, ops.reserve),
    (f"{_B}/reservations/release", api.ReleaseReservationRequest, ops.release_reservation),
    (f"{_B}/sales", api.SaleRequest, ops.sell),
    (f"{_B}/returns", api.ReturnRequest, ops.receive_return),
    (f"{_B}/samples", api.SampleRequest, ops.send_sample),
    (f"{_B}/disposals", api.DisposalRequest, ops.dispose),
    (f"{_B}/holds", api.HoldRequest, ops.hold),
    (f"{_B}/holds/release", api.HoldRequest, ops.release_hold),
    (f"{_B}/defective", api.DefectiveRequest, ops.mark_defective),
):
    _batch_write(_path, _model, _handler, _handler.__name__)


@endpoint(router, "POST", "/v1/batches/intake", response_model=api.IntakeResult, status_code=201)
async def intake(
    caller: CallerDep, container: ContainerDep, request: Request, cmd: api.IntakeRequest
) -> Response:
    units = container.settings.units_of_measure

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        return present(await intake_handler(uow, caller, cmd, units=units))

    return await write_with(container, request, caller, work, status_code=201)


@endpoint(router, "PATCH", _B, response_model=api.BatchWriteResult)
async def update(
    caller: CallerDep,
    container: ContainerDep,
    request: Request,
    batch_id: BatchId,
    cmd: api.UpdateBatchRequest,
) -> Response:
    return await _write(container, request, caller, batch_id, cmd, update_batch)


@endpoint(router, "DELETE", _B, response_model=api.BatchWriteResult)
async def delete(
    caller: CallerDep,
    container: ContainerDep,
    request: Request,
    batch_id: BatchId,
    query: Annotated[api.DeleteBatchQuery, Query()],
) -> Response:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        return present(
            await ops.delete_batch(
                uow, caller, batch_id, reason=query.reason, version=query.version
            )
        )

    return await write_with(container, request, caller, work)
