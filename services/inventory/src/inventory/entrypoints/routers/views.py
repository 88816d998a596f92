"""Saved views of the inventory list."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from shared.contracts import inventory as api
from shared.http.strict_json import StrictJsonRoute

from inventory.entrypoints import commands as to
from inventory.entrypoints.deps import CallerDep, ContainerDep, endpoint, read, write_with
from inventory.reads.saved_views import list_views as visible_views
from inventory.service_layer import commands as c
from inventory.service_layer import saved_views
from inventory.service_layer.ports import UnitOfWork

__all__ = ["router"]

router = APIRouter(tags=["saved views"], route_class=StrictJsonRoute)


@endpoint(router, "GET", "/v1/views", response_model=list[api.SavedView])
async def list_views(caller: CallerDep, container: ContainerDep) -> Response:
    return await read(container, lambda uow: visible_views(uow, caller))


@endpoint(router, "POST", "/v1/views", response_model=api.SaveViewResult, status_code=201)
async def save_view(
    caller: CallerDep, container: ContainerDep, request: Request, body: api.SaveViewRequest
) -> Response:
    cmd = to.save_view(body)

    async def work(uow: UnitOfWork) -> api.SaveViewResult:
        return api.SaveViewResult(id=await saved_views.save_view(uow, caller, cmd))

    return await write_with(container, request, caller, work, status_code=201)


@endpoint(router, "DELETE", "/v1/views/{viewId}", response_model=api.SuccessResult)
async def delete_view(
    caller: CallerDep,
    container: ContainerDep,
    request: Request,
    view_id: Annotated[UUID, Path(alias="viewId")],
) -> Response:
    cmd = c.DeleteView(view_id=view_id)

    async def work(uow: UnitOfWork) -> api.SuccessResult:
        await saved_views.delete_view(uow, caller, cmd)
        return api.SuccessResult()

    return await write_with(container, request, caller, work)
