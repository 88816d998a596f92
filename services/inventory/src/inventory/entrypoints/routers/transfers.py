"""Outgoing transfers: plan (reserve), send (ship out), cancel (release), list and read.

Every write runs in one transaction (the transfer, its batches' ledger rows and every event
together) and takes an optional Idempotency-Key header (a replay returns the first answer)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from shared.contracts import inventory as api
from shared.http.strict_json import StrictJsonRoute

from inventory.entrypoints import transfer_commands as to
from inventory.entrypoints.deps import CallerDep, ContainerDep, endpoint, read, write_command
from inventory.reads import transfers as show
from inventory.service_layer import transfers

__all__ = ["router"]

router = APIRouter(tags=["transfers"], route_class=StrictJsonRoute)

TransferId = Annotated[UUID, Path(alias="transferId")]
_T = "/v1/outgoing-transfers/{transferId}"


@endpoint(router, "GET", "/v1/outgoing-transfers", response_model=api.OutgoingTransferPage)
async def list_transfers(
    caller: CallerDep,
    container: ContainerDep,
    query: Annotated[api.OutgoingTransferListQuery, Query()],
) -> Response:
    return await read(container, lambda uow: show.list_transfers(uow, caller, query))


@endpoint(
    router,
    "POST",
    "/v1/outgoing-transfers",
    response_model=api.OutgoingTransferWriteResult,
    status_code=201,
)
async def create_transfer(
    caller: CallerDep, container: ContainerDep, request: Request, body: api.OutgoingTransferCreate
) -> Response:
    cmd = to.create_transfer(body)
    return await write_command(
        container,
        request,
        caller,
        cmd,
        transfers.create_transfer,
        show.transfer_result,
        status_code=201,
    )


@endpoint(router, "GET", _T, response_model=api.OutgoingTransfer)
async def get_transfer(
    caller: CallerDep, container: ContainerDep, transfer_id: TransferId
) -> Response:
    return await read(container, lambda uow: show.get_transfer(uow, caller, transfer_id))


@endpoint(router, "POST", f"{_T}/send", response_model=api.OutgoingTransferWriteResult)
async def send_transfer(
    caller: CallerDep,
    container: ContainerDep,
    request: Request,
    transfer_id: TransferId,
    body: api.OutgoingTransferSendRequest,
) -> Response:
    cmd = to.send_transfer(transfer_id, body)
    return await write_command(
        container, request, caller, cmd, transfers.send_transfer, show.transfer_result
    )


@endpoint(router, "POST", f"{_T}/cancel", response_model=api.OutgoingTransferWriteResult)
async def cancel_transfer(
    caller: CallerDep,
    container: ContainerDep,
    request: Request,
    transfer_id: TransferId,
    body: api.OutgoingTransferCancelRequest,
) -> Response:
    cmd = to.cancel_transfer(transfer_id, body)
    return await write_command(
        container, request, caller, cmd, transfers.cancel_transfer, show.transfer_result
    )
