"""Saved views of the inventory list."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from shared.contracts import inventory as api
from shared.strict_json import StrictJsonRoute

from inventory.entrypoints.deps import CallerDep, ContainerDep, endpoint, read_with, write_with
from inventory.service_layer import saved_views

__all__ = ["router"]

router = APIRouter(tags=["saved views"], route_class=StrictJsonRoute)


@endpoint(router, "GET", "/v1/views", response_model=list[api.SavedView])
async def list_views(caller: CallerDep, container: ContainerDep) -> Response:
    views = await read_with(container, lambda uow: saved_views.list_views(uow, caller))
    return Response(
        "[" + ",".join(v.model_dump_json() for v in views) + "]", media_type="application/json"
    )


@endpoint(router, "POST", "/v1/views", response_model=api.SaveViewResult, status_code=201)
async def save_view(
    caller: CallerDep, container: ContainerDep, request: Request, cmd: api.SaveViewRequest
) -> Response:
    return await write_with(
        container,
        request,
        caller,
        lambda uow: saved_views.save_view(uow, caller, cmd),
        status_code=201,
    )


@endpoint(router, "DELETE", "/v1/views/{viewId}", response_model=api.SuccessResult)
async def delete_view(
    caller: CallerDep,
    container: ContainerDep,
    request: Request,
    view_id: Annotated[UUID, Path(alias="viewId")],
) -> Response:
    return await write_with(
        container, request, caller, lambda uow: saved_views.delete_view(uow, caller, view_id)
    )
