"""Incoming transfers: list and read what compliance pulled from Metrc, and receive one (each
accepted package taken in as a batch, in one transaction with the transfer; an optional
Idempotency-Key header makes a replay return the first answer)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path
from shared.contracts import inventory as api
from shared.http.strict_json import StrictJsonRoute

from inventory.entrypoints import transfer_commands as to
from inventory.entrypoints.deps import command_route, read_route
from inventory.reads import incoming_transfers as show
from inventory.service_layer import incoming_transfers

__all__ = ["router"]

router = APIRouter(tags=["transfers"], route_class=StrictJsonRoute)

TransferId = Annotated[UUID, Path(alias="transferId")]
_I = "/v1/incoming-transfers/{transferId}"


read_route(
    router,
    "/v1/incoming-transfers",
    query=api.IncomingTransferListQuery,
    reader=show.list_incoming,
    response_model=api.IncomingTransferPage,
)
read_route(
    router, _I, target=TransferId, reader=show.get_incoming, response_model=api.IncomingTransfer
)
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
