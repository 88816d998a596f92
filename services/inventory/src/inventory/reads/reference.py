"""Reference data as the contract shows it: sites, locations, vendors, lots, brands, products.

Sites and locations follow the caller's site grants; vendors, brands and products are shared by
every site of the operator.
"""

from __future__ import annotations

from typing import TypeVar
from uuid import UUID

from pydantic import BaseModel
from shared.contracts import inventory as api

from inventory.service_layer.caller import Caller
from inventory.service_layer.errors import NotFoundError
from inventory.service_layer.ports import Row, UnitOfWork

__all__ = [
    "list_brands",
    "list_locations",
    "list_lots",
    "list_products",
    "list_sites",
    "list_vendors",
    "shown",
    "visible_site",
]

M = TypeVar("M", bound=BaseModel)


def shown(model: type[M], row: Row) -> M:
    """A reference row as the contract shows it (the columns are the model's fields)."""
    return model.model_validate(dict(row))


async def visible_site(uow: UnitOfWork, caller: Caller, site_id: UUID) -> None:
    """NOT_FOUND for a site that does not exist or that the caller may not see."""
    if not caller.can_access_site(str(site_id)) or await uow.reference.site(site_id) is None:
        raise NotFoundError("site", str(site_id))


async def list_sites(uow: UnitOfWork, caller: Caller) -> list[api.Site]:
    rows = await uow.reference.sites(None if caller.all_sites else caller.site_ids)
    return [shown(api.Site, row) for row in rows]


async def list_locations(uow: UnitOfWork, caller: Caller, site_id: UUID) -> list[api.Location]:
    await visible_site(uow, caller, site_id)
    return [shown(api.Location, row) for row in await uow.reference.locations(site_id)]


async def list_vendors(uow: UnitOfWork, search: str | None) -> list[api.Vendor]:
    return [shown(api.Vendor, row) for row in await uow.reference.vendors(search)]


async def list_lots(uow: UnitOfWork, vendor_id: UUID) -> list[api.Lot]:
    if await uow.reference.vendor(vendor_id) is None:
        raise NotFoundError("vendor", str(vendor_id))
    return [shown(api.Lot, row) for row in await uow.reference.lots(vendor_id)]


async def list_brands(uow: UnitOfWork, search: str | None) -> list[api.Brand]:
    return [shown(api.Brand, row) for row in await uow.reference.brands(search)]


async def list_products(
    uow: UnitOfWork, *, search: str | None, category: str | None, brand_id: UUID | None
) -> list[api.Product]:
    rows = await uow.reference.products(search=search, category=category, brand_id=brand_id)
    return [shown(api.Product, row) for row in rows]
