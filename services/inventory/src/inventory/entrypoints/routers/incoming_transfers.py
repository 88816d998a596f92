"""Incoming transfers: list and read what compliance pulled from Metrc, and receive one (each
accepted package taken in as a batch, in one transaction with the transfer; an optional
Idempotency-Key header makes a replay return the first answer)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response
from shared.contracts import inventory as api
from shared.http.strict_json import StrictJsonRoute

from inventory.entrypoints import transfer_commands as to
from inventory.entrypoints.deps import CallerDep, ContainerDep, command_route, endpoint, read
from inventory.reads import incoming_transfers as show
from inventory.service_layer import incoming_transfers

__all__ = ["router"]

router = APIRouter(tags=["transfers"], route_class=StrictJsonRoute)

TransferId = Annotated[UUID, Path(alias="transferId")]
_I = "/v1/incoming-transfers/{transferId}"


@endpoint(router, "GET", "/v1/incoming-transfers", response_model=api.IncomingTransferPage)
async def list_incoming(
    caller: CallerDep,
    container: ContainerDep,
    query: Annotated[api.IncomingTransferListQuery, Query()],
) -> Response:
    return await read(container, lambda uow: show.list_incoming(uow, caller, query))


@endpoint(router, "GET", _I, response_model=api.IncomingTransfer)
async def get_incoming(
    caller: CallerDep, container: ContainerDep, transfer_id: TransferId
) -> Response:
    return await read(container, lambda uow: show.get_incoming(uow, caller, transfer_id))


command_route(
    router,
    f"{_I}/receive",
    target=TransferId,
    body=api.IncomingTransferReceiveRequest,
    command=to.receive_incoming,
    handler=incoming_transfers.receive_incoming,
    units=True,
    present=show.receive_result,
    response_model=api.IncomingTransferReceiveResult,
)
