"""Reference data as the contract shows it: sites, locations, vendors, lots, brands, products.

Sites and locations follow the caller's site grants; vendors, brands and products are shared by
every site of the operator.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from uuid import UUID

from pydantic import BaseModel
from shared.contracts import inventory as api

from inventory.reads.keyset import cursor_instant, cursor_text, cursor_uuid, keyset_page
from inventory.reads.presenters import shown
from inventory.service_layer.caller import Caller
from inventory.service_layer.errors import NotFoundError
from inventory.service_layer.ports import NameKey, ProductFilter, Row, UnitOfWork

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

P = TypeVar("P", api.VendorPage, api.BrandPage, api.ProductPage)


async def _by_name(
    model: type[P],
    item: type[BaseModel],
    query: api.ReferencePageQuery,
    fetch: Callable[[NameKey | None, int], Awaitable[list[Row]]],
) -> P:
    """A page of a list by name; its cursor is the last row's sort key and id."""
    page = await keyset_page(
        query.cursor or None,
        query.limit,
        key=(cursor_text, cursor_uuid),
        fetch=fetch,
        last=lambda row: [row["sort_key"], str(row["id"])],
    )
    return page.answer(model, lambda row: shown(item, row))


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


async def list_vendors(uow: UnitOfWork, query: api.SearchQuery) -> api.VendorPage:
    return await _by_name(
        api.VendorPage,
        api.Vendor,
        query,
        lambda after, n: uow.reference.vendors(query.search, after=after, limit=n),
    )


async def list_lots(uow: UnitOfWork, vendor_id: UUID, query: api.ReferencePageQuery) -> api.LotPage:
    if await uow.reference.vendor(vendor_id) is None:
        raise NotFoundError("vendor", str(vendor_id))

    async def fetch(after: Any, n: int) -> list[api.Lot]:
        return [
            shown(api.Lot, row) for row in await uow.reference.lots(vendor_id, after=after, limit=n)
        ]

    page = await keyset_page(
        query.cursor or None,
        query.limit,
        key=(cursor_instant, cursor_uuid),
        fetch=fetch,
        last=lambda lot: [lot.created_at.isoformat(), str(lot.id)],
    )
    return page.answer(api.LotPage)


async def list_brands(uow: UnitOfWork, query: api.SearchQuery) -> api.BrandPage:
    return await _by_name(
        api.BrandPage,
        api.Brand,
        query,
        lambda after, n: uow.reference.brands(query.search, after=after, limit=n),
    )


async def list_products(uow: UnitOfWork, query: api.ProductsQuery) -> api.ProductPage:
    which = ProductFilter(search=query.search, category=query.category, brand_id=query.brand_id)
    return await _by_name(
        api.ProductPage,
        api.Product,
        query,
        lambda after, n: uow.reference.products(which, after=after, limit=n),
    )
