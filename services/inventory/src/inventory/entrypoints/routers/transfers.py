"""Outgoing transfers: plan (reserve), send (ship out), cancel (release), list and read.

Every write runs in one transaction (the transfer, its batches' ledger rows and every event
together) and takes an optional Idempotency-Key header (a replay returns the first answer)."""

from __future__ import annotations

from functools import partial
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path
from shared.contracts import inventory as api
from shared.http.strict_json import StrictJsonRoute

from inventory.entrypoints import transfer_commands as to
from inventory.entrypoints.deps import command_route, read_route
from inventory.reads import transfers as show
from inventory.service_layer import transfers

__all__ = ["router"]

router = APIRouter(tags=["transfers"], route_class=StrictJsonRoute)

TransferId = Annotated[UUID, Path(alias="transferId")]
_T = "/v1/outgoing-transfers/{transferId}"
_transfer_write = partial(
    command_route,
    router,
    target=TransferId,
    present=show.transfer_result,
    response_model=api.OutgoingTransferWriteResult,
)


read_route(
    router,
    "/v1/outgoing-transfers",
    query=api.OutgoingTransferListQuery,
    reader=show.list_transfers,
    response_model=api.OutgoingTransferPage,
)
command_route(
    router,
    "/v1/outgoing-transfers",
    body=api.OutgoingTransferCreate,
    command=to.create_transfer,
    handler=transfers.create_transfer,
    present=show.transfer_result,
    response_model=api.OutgoingTransferWriteResult,
    status_code=201,
)


read_route(
    router, _T, target=TransferId, reader=show.get_transfer, response_model=api.OutgoingTransfer
)
_transfer_write(
    f"{_T}/send",
    body=api.OutgoingTransferSendRequest,
    command=to.send_transfer,
    handler=transfers.send_transfer,
)
_transfer_write(
    f"{_T}/cancel",
    body=api.OutgoingTransferCancelRequest,
    command=to.cancel_transfer,
    handler=transfers.cancel_transfer,
)
