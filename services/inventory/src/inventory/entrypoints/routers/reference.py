"""Reference data the intake form and the list filters need: sites, locations, vendors, lots,
brands, products."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel
from shared.contracts import inventory as api
from shared.strict_json import StrictJsonRoute

from inventory.entrypoints.deps import (
    CallerDep,
    ContainerDep,
    endpoint,
    json_response,
    read_with,
    write_with,
)
from inventory.service_layer import reference

__all__ = ["router"]

router = APIRouter(tags=["reference data"], route_class=StrictJsonRoute)

Search = Annotated[api.SearchQuery, Query()]
SiteId = Annotated[UUID, Path(alias="siteId")]


def _list(items: Sequence[BaseModel]) -> Response:
    return Response(
        "[" + ",".join(i.model_dump_json() for i in items) + "]", media_type="application/json"
    )


@endpoint(router, "GET", "/v1/sites", response_model=list[api.Site])
async def list_sites(caller: CallerDep, container: ContainerDep) -> Response:
    return _list(await read_with(container, lambda uow: reference.list_sites(uow, caller)))


@endpoint(router, "POST", "/v1/sites", response_model=api.Site, status_code=201)
async def create_site(
    caller: CallerDep, container: ContainerDep, request: Request, cmd: api.SiteCreate
) -> Response:
    return await write_with(
        container,
        request,
        caller,
        lambda uow: reference.create_site(uow, caller, cmd),
        status_code=201,
    )


@endpoint(router, "GET", "/v1/sites/{siteId}/locations", response_model=list[api.Location])
async def list_locations(caller: CallerDep, container: ContainerDep, site_id: SiteId) -> Response:
    return _list(
        await read_with(container, lambda uow: reference.list_locations(uow, caller, site_id))
    )


@endpoint(
    router, "POST", "/v1/sites/{siteId}/locations", response_model=api.Location, status_code=201
)
async def create_location(
    caller: CallerDep,
    container: ContainerDep,
    request: Request,
    site_id: SiteId,
    cmd: api.LocationCreate,
) -> Response:
    return await write_with(
        container,
        request,
        caller,
        lambda uow: reference.create_location(uow, caller, site_id, cmd),
        status_code=201,
    )


@endpoint(router, "GET", "/v1/vendors", response_model=api.VendorPage)
async def list_vendors(container: ContainerDep, query: Search) -> Response:
    return json_response(await read_with(container, lambda uow: reference.list_vendors(uow, query)))


@endpoint(router, "POST", "/v1/vendors", response_model=api.Vendor, status_code=201)
async def create_vendor(
    caller: CallerDep, container: ContainerDep, request: Request, cmd: api.VendorCreate
) -> Response:
    return await write_with(
        container, request, caller, lambda uow: reference.create_vendor(uow, cmd), status_code=201
    )


@endpoint(router, "GET", "/v1/vendors/{vendorId}/lots", response_model=api.LotPage)
async def list_lots(
    container: ContainerDep,
    vendor_id: Annotated[UUID, Path(alias="vendorId")],
    query: Annotated[api.ReferencePageQuery, Query()],
) -> Response:
    return json_response(
        await read_with(container, lambda uow: reference.list_lots(uow, vendor_id, query))
    )


@endpoint(router, "GET", "/v1/brands", response_model=api.BrandPage)
async def list_brands(container: ContainerDep, query: Search) -> Response:
    return json_response(await read_with(container, lambda uow: reference.list_brands(uow, query)))


@endpoint(router, "POST", "/v1/brands", response_model=api.Brand, status_code=201)
async def create_brand(
    caller: CallerDep, container: ContainerDep, request: Request, cmd: api.BrandCreate
) -> Response:
    return await write_with(
        container, request, caller, lambda uow: reference.create_brand(uow, cmd), status_code=201
    )


@endpoint(router, "GET", "/v1/products", response_model=api.ProductPage)
async def list_products(
    container: ContainerDep, query: Annotated[api.ProductsQuery, Query()]
) -> Response:
    return json_response(
        await read_with(container, lambda uow: reference.list_products(uow, query))
    )


@endpoint(router, "POST", "/v1/products", response_model=api.Product, status_code=201)
async def create_product(
    caller: CallerDep, container: ContainerDep, request: Request, cmd: api.ProductCreate
) -> Response:
    units = container.settings.units_of_measure
    return await write_with(
        container,
        request,
        caller,
        lambda uow: reference.create_product(uow, cmd, units=units),
        status_code=201,
    )
