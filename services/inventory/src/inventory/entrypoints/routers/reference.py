"""Reference data the intake form and the list filters need: sites, locations, vendors, lots,
brands, products."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel
from shared.contracts import inventory as api
from shared.http.strict_json import StrictJsonRoute

from inventory.entrypoints import commands as to
from inventory.entrypoints.container import Container
from inventory.entrypoints.deps import CallerDep, ContainerDep, endpoint, read, write_with
from inventory.reads import reference as show
from inventory.service_layer import reference
from inventory.service_layer.caller import Caller
from inventory.service_layer.ports import Row, UnitOfWork

__all__ = ["router"]

router = APIRouter(tags=["reference data"], route_class=StrictJsonRoute)

Search = Annotated[api.SearchQuery, Query()]
SiteId = Annotated[UUID, Path(alias="siteId")]


async def _created(
    container: Container,
    request: Request,
    caller: Caller,
    model: type[BaseModel],
    create: Callable[[UnitOfWork], Awaitable[Row]],
) -> Response:
    """Run ``create`` (at most once per Idempotency-Key) and answer the row as ``model``."""

    async def work(uow: UnitOfWork) -> BaseModel:
        return show.shown(model, await create(uow))

    return await write_with(container, request, caller, work, status_code=201)


@endpoint(router, "GET", "/v1/sites", response_model=list[api.Site])
async def list_sites(caller: CallerDep, container: ContainerDep) -> Response:
    return await read(container, lambda uow: show.list_sites(uow, caller))


@endpoint(router, "POST", "/v1/sites", response_model=api.Site, status_code=201)
async def create_site(
    caller: CallerDep, container: ContainerDep, request: Request, body: api.SiteCreate
) -> Response:
    cmd = to.create_site(body)
    return await _created(
        container, request, caller, api.Site, lambda uow: reference.create_site(uow, caller, cmd)
    )


@endpoint(router, "GET", "/v1/sites/{siteId}/locations", response_model=list[api.Location])
async def list_locations(caller: CallerDep, container: ContainerDep, site_id: SiteId) -> Response:
    return await read(container, lambda uow: show.list_locations(uow, caller, site_id))


@endpoint(
    router, "POST", "/v1/sites/{siteId}/locations", response_model=api.Location, status_code=201
)
async def create_location(
    caller: CallerDep,
    container: ContainerDep,
    request: Request,
    site_id: SiteId,
    body: api.LocationCreate,
) -> Response:
    cmd = to.create_location(site_id, body)
    return await _created(
        container,
        request,
        caller,
        api.Location,
        lambda uow: reference.create_location(uow, caller, cmd),
    )


@endpoint(router, "GET", "/v1/vendors", response_model=api.VendorPage)
async def list_vendors(container: ContainerDep, query: Search) -> Response:
    return await read(container, lambda uow: show.list_vendors(uow, query))


@endpoint(router, "POST", "/v1/vendors", response_model=api.Vendor, status_code=201)
async def create_vendor(
    caller: CallerDep, container: ContainerDep, request: Request, body: api.VendorCreate
) -> Response:
    cmd = to.create_vendor(body)
    return await _created(
        container, request, caller, api.Vendor, lambda uow: reference.create_vendor(uow, cmd)
    )


@endpoint(router, "GET", "/v1/vendors/{vendorId}/lots", response_model=api.LotPage)
async def list_lots(
    container: ContainerDep,
    vendor_id: Annotated[UUID, Path(alias="vendorId")],
    query: Annotated[api.ReferencePageQuery, Query()],
) -> Response:
    return await read(container, lambda uow: show.list_lots(uow, vendor_id, query))


@endpoint(router, "GET", "/v1/brands", response_model=api.BrandPage)
async def list_brands(container: ContainerDep, query: Search) -> Response:
    return await read(container, lambda uow: show.list_brands(uow, query))


@endpoint(router, "POST", "/v1/brands", response_model=api.Brand, status_code=201)
async def create_brand(
    caller: CallerDep, container: ContainerDep, request: Request, body: api.BrandCreate
) -> Response:
    cmd = to.create_brand(body)
    return await _created(
        container, request, caller, api.Brand, lambda uow: reference.create_brand(uow, cmd)
    )


@endpoint(router, "GET", "/v1/products", response_model=api.ProductPage)
async def list_products(
    container: ContainerDep, query: Annotated[api.ProductsQuery, Query()]
) -> Response:
    return await read(container, lambda uow: show.list_products(uow, query))


@endpoint(router, "POST", "/v1/products", response_model=api.Product, status_code=201)
async def create_product(
    caller: CallerDep, container: ContainerDep, request: Request, body: api.ProductCreate
) -> Response:
    cmd = to.create_product(body)
    units = container.settings.units_of_measure
    return await _created(
        container,
        request,
        caller,
        api.Product,
        lambda uow: reference.create_product(uow, cmd, units=units),
    )
