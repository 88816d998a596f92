"""Reference data handlers: sites, locations, vendors, brands, products, lots.

Sites and locations belong to a site and follow the caller's site grants; vendors, brands and
products are shared by every site of the operator."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from typing import Any, TypeVar
from uuid import UUID

from shared.contracts import inventory as api

from inventory.adapters.reference_store import NameKey, UniqueViolationError
from inventory.service_layer.caller import Caller
from inventory.service_layer.errors import (
    DuplicateError,
    NotFoundError,
    SiteAccessDeniedError,
)
from inventory.service_layer.queries import (
    cursor_instant,
    cursor_text,
    cursor_uuid,
    decode_cursor,
    encode_cursor,
)
from inventory.service_layer.unit_of_work import UnitOfWork

__all__ = [
    "create_brand",
    "create_location",
    "create_product",
    "create_site",
    "create_vendor",
    "list_brands",
    "list_locations",
    "list_lots",
    "list_products",
    "list_sites",
    "list_vendors",
]

T = TypeVar("T")


async def _unique(
    uow: UnitOfWork, kind: str, field: str, value: str, insert: Callable[[], Awaitable[T]]
) -> T:
    # A savepoint keeps the transaction usable after the unique violation, so the error can
    # be answered (and, with an Idempotency-Key, stored) in it.
    try:
        async with uow.savepoint():
            return await insert()
    except UniqueViolationError:
        raise DuplicateError(kind, field, value) from None


def _site(row: Any) -> api.Site:
    return api.Site(
        id=row["id"],
        name=row["name"],
        license_number=row["license_number"],
        state=row["state"],
        created_at=row["created_at"],
    )


def _location(row: Any) -> api.Location:
    return api.Location(
        id=row["id"],
        site_id=row["site_id"],
        zone=row["zone"],
        rack=row["rack"],
        shelf=row["shelf"],
        bin=row["bin"],
        label=row["label"],
        created_at=row["created_at"],
    )


def _vendor(row: Any) -> api.Vendor:
    return api.Vendor(
        id=row["id"],
        name=row["name"],
        is_seller=row["is_seller"],
        license_number=row["license_number"],
        created_at=row["created_at"],
    )


def _brand(row: Any) -> api.Brand:
    return api.Brand(
        id=row["id"], name=row["name"], vendor_id=row["vendor_id"], created_at=row["created_at"]
    )


def _product(row: Any) -> api.Product:
    return api.Product(
        id=row["id"],
        name=row["name"],
        category=row["category"],
        subcategory=row["subcategory"],
        strain=row["strain"],
        brand_id=row["brand_id"],
        brand_name=row["brand_name"],
        unit_of_measure=row["unit_of_measure"],
        sku=row["sku"],
        created_at=row["created_at"],
    )


async def list_sites(uow: UnitOfWork, caller: Caller) -> list[api.Site]:
    rows = await uow.reference.sites(None if caller.all_sites else caller.site_ids)
    return [_site(row) for row in rows]


async def create_site(uow: UnitOfWork, caller: Caller, cmd: api.SiteCreate) -> api.Site:
    # Nobody can hold a grant for a site that does not exist yet: only an identity granted
    # every site creates sites.
    if not caller.all_sites:
        raise SiteAccessDeniedError("*")
    row = await _unique(
        uow,
        "site",
        "licenseNumber",
        cmd.license_number,
        lambda: uow.reference.create_site(
            name=cmd.name, license_number=cmd.license_number, state=cmd.state
        ),
    )
    return _site(row)


async def _visible_site(uow: UnitOfWork, caller: Caller, site_id: UUID) -> None:
    if not caller.can_access_site(str(site_id)) or await uow.reference.site(site_id) is None:
        raise NotFoundError("site", str(site_id))


async def list_locations(uow: UnitOfWork, caller: Caller, site_id: UUID) -> list[api.Location]:
    await _visible_site(uow, caller, site_id)
    return [_location(row) for row in await uow.reference.locations(site_id)]


async def create_location(
    uow: UnitOfWork, caller: Caller, site_id: UUID, cmd: api.LocationCreate
) -> api.Location:
    await _visible_site(uow, caller, site_id)
    row = await _unique(
        uow,
        "location",
        "place",
        "/".join(p for p in (cmd.zone, cmd.rack, cmd.shelf, cmd.bin) if p),
        lambda: uow.reference.create_location(
            site_id=site_id, zone=cmd.zone, rack=cmd.rack, shelf=cmd.shelf, bin_=cmd.bin
        ),
    )
    return _location(row)


def _name_key(cursor: str | None) -> NameKey | None:
    if not cursor:
        return None
    name, last_id = decode_cursor(cursor, cursor_text, cursor_uuid)
    return name, last_id


def _name_cursor(rows: list[Any], limit: int) -> str | None:
    """The next page's cursor (None on the last page): the last row's sort key and id."""
    if len(rows) <= limit:
        return None
    last = rows[limit - 1]
    return encode_cursor([last["sort_key"], str(last["id"])])


async def list_vendors(uow: UnitOfWork, query: api.SearchQuery) -> api.VendorPage:
    rows = await uow.reference.vendors(
        query.search, after=_name_key(query.cursor), limit=query.limit + 1
    )
    cursor = _name_cursor(rows, query.limit)
    return api.VendorPage(
        items=[_vendor(row) for row in rows[: query.limit]],
        next_cursor=cursor,
        has_more=cursor is not None,
    )


async def create_vendor(uow: UnitOfWork, cmd: api.VendorCreate) -> api.Vendor:
    row = await _unique(
        uow,
        "vendor",
        "name",
        cmd.name,
        lambda: uow.reference.create_vendor(
            name=cmd.name.strip(), is_seller=cmd.is_seller, license_number=cmd.license_number
        ),
    )
    return _vendor(row)


async def list_lots(uow: UnitOfWork, vendor_id: UUID, query: api.ReferencePageQuery) -> api.LotPage:
    if await uow.reference.vendor(vendor_id) is None:
        raise NotFoundError("vendor", str(vendor_id))
    after = None
    if query.cursor:
        created, lot_id = decode_cursor(query.cursor, cursor_instant, cursor_uuid)
        after = (created, lot_id)
    rows = await uow.reference.lots(vendor_id, after=after, limit=query.limit + 1)
    items = [
        api.Lot(id=r["id"], code=r["code"], vendor_id=r["vendor_id"], created_at=r["created_at"])
        for r in rows[: query.limit]
    ]
    more = len(rows) > query.limit
    cursor = encode_cursor([items[-1].created_at.isoformat(), str(items[-1].id)]) if more else None
    return api.LotPage(items=items, next_cursor=cursor, has_more=more)


async def list_brands(uow: UnitOfWork, query: api.SearchQuery) -> api.BrandPage:
    rows = await uow.reference.brands(
        query.search, after=_name_key(query.cursor), limit=query.limit + 1
    )
    cursor = _name_cursor(rows, query.limit)
    return api.BrandPage(
        items=[_brand(row) for row in rows[: query.limit]],
        next_cursor=cursor,
        has_more=cursor is not None,
    )


async def create_brand(uow: UnitOfWork, cmd: api.BrandCreate) -> api.Brand:
    if cmd.vendor_id is not None and await uow.reference.vendor(cmd.vendor_id) is None:
        raise NotFoundError("vendor", str(cmd.vendor_id))
    row = await _unique(
        uow,
        "brand",
        "name",
        cmd.name,
        lambda: uow.reference.create_brand(name=cmd.name.strip(), vendor_id=cmd.vendor_id),
    )
    return _brand(row)


async def list_products(uow: UnitOfWork, query: api.ProductsQuery) -> api.ProductPage:
    rows = await uow.reference.products(
        search=query.search,
        category=query.category,
        brand_id=query.brand_id,
        after=_name_key(query.cursor),
        limit=query.limit + 1,
    )
    cursor = _name_cursor(rows, query.limit)
    return api.ProductPage(
        items=[_product(row) for row in rows[: query.limit]],
        next_cursor=cursor,
        has_more=cursor is not None,
    )


async def create_product(
    uow: UnitOfWork, cmd: api.ProductCreate, *, units: Collection[str]
) -> api.Product:
    """Create a product measured in one of ``units`` (the configured list)."""
    from inventory.domain import ValidationError
    from inventory.domain.intake import FLOWER_CATEGORY, check_unit_of_measure

    check_unit_of_measure(cmd.unit_of_measure, units, field="unitOfMeasure")
    if await uow.reference.brand(cmd.brand_id) is None:
        raise NotFoundError("brand", str(cmd.brand_id))
    if cmd.category.strip().casefold() == FLOWER_CATEGORY and not cmd.strain:
        raise ValidationError.single("strain", "is required for Flower")
    row = await _unique(
        uow,
        "product",
        "name",
        cmd.name,
        lambda: uow.reference.create_product(cmd.model_dump(by_alias=False), find_existing=False),
    )
    return _product(row)
