"""Reference data as the contract shows it: sites, locations, vendors, lots, brands, products.

Sites and locations follow the caller's site grants; vendors, brands and products are shared by
every site of the operator.
"""

from __future__ import annotations

from typing import TypeVar
from uuid import UUID

from pydantic import BaseModel
from shared.contracts import inventory as api

from inventory.reads.batches import (
    cursor_instant,
    cursor_text,
    cursor_uuid,
    decode_cursor,
    encode_cursor,
)
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


def _name_key(cursor: str | None) -> NameKey | None:
    if not cursor:
        return None
    name, last_id = decode_cursor(cursor, cursor_text, cursor_uuid)
    return name, last_id


def _page(model: type[P], item: type[BaseModel], rows: list[Row], limit: int) -> P:
    """A page of a list by name; its cursor (None on the last page) is the last row's sort key
    and id."""
    more = len(rows) > limit
    cursor = (
        encode_cursor([rows[limit - 1]["sort_key"], str(rows[limit - 1]["id"])]) if more else None
    )
    return model(
        items=[shown(item, row) for row in rows[:limit]], next_cursor=cursor, has_more=more
    )


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
    rows = await uow.reference.vendors(
        query.search, after=_name_key(query.cursor), limit=query.limit + 1
    )
    return _page(api.VendorPage, api.Vendor, rows, query.limit)


async def list_lots(uow: UnitOfWork, vendor_id: UUID, query: api.ReferencePageQuery) -> api.LotPage:
    if await uow.reference.vendor(vendor_id) is None:
        raise NotFoundError("vendor", str(vendor_id))
    after = None
    if query.cursor:
        created, lot_id = decode_cursor(query.cursor, cursor_instant, cursor_uuid)
        after = (created, lot_id)
    rows = await uow.reference.lots(vendor_id, after=after, limit=query.limit + 1)
    items = [shown(api.Lot, row) for row in rows[: query.limit]]
    more = len(rows) > query.limit
    cursor = encode_cursor([items[-1].created_at.isoformat(), str(items[-1].id)]) if more else None
    return api.LotPage(items=items, next_cursor=cursor, has_more=more)


async def list_brands(uow: UnitOfWork, query: api.SearchQuery) -> api.BrandPage:
    rows = await uow.reference.brands(
        query.search, after=_name_key(query.cursor), limit=query.limit + 1
    )
    return _page(api.BrandPage, api.Brand, rows, query.limit)


async def list_products(uow: UnitOfWork, query: api.ProductsQuery) -> api.ProductPage:
    which = ProductFilter(search=query.search, category=query.category, brand_id=query.brand_id)
    rows = await uow.reference.products(which, after=_name_key(query.cursor), limit=query.limit + 1)
    return _page(api.ProductPage, api.Product, rows, query.limit)
