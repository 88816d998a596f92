"""Reference data as the contract shows it: sites, locations, vendors, lots, brands, products.

Sites and locations follow the caller's site grants; vendors, brands and products are shared by
every site of the operator.
"""

from __future__ import annotations

from uuid import UUID

from shared.contracts import inventory as api

from inventory.service_layer.caller import Caller
from inventory.service_layer.errors import NotFoundError
from inventory.service_layer.ports import Row, UnitOfWork

__all__ = [
    "brand",
    "list_brands",
    "list_locations",
    "list_lots",
    "list_products",
    "list_sites",
    "list_vendors",
    "location",
    "product",
    "site",
    "vendor",
    "visible_site",
]


def site(row: Row) -> api.Site:
    return api.Site(
        id=row["id"],
        name=row["name"],
        license_number=row["license_number"],
        state=row["state"],
        created_at=row["created_at"],
    )


def location(row: Row) -> api.Location:
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


def vendor(row: Row) -> api.Vendor:
    return api.Vendor(
        id=row["id"],
        name=row["name"],
        is_seller=row["is_seller"],
        license_number=row["license_number"],
        created_at=row["created_at"],
    )


def brand(row: Row) -> api.Brand:
    return api.Brand(
        id=row["id"], name=row["name"], vendor_id=row["vendor_id"], created_at=row["created_at"]
    )


def product(row: Row) -> api.Product:
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


async def visible_site(uow: UnitOfWork, caller: Caller, site_id: UUID) -> None:
    """NOT_FOUND for a site that does not exist or that the caller may not see."""
    if not caller.can_access_site(str(site_id)) or await uow.reference.site(site_id) is None:
        raise NotFoundError("site", str(site_id))


async def list_sites(uow: UnitOfWork, caller: Caller) -> list[api.Site]:
    rows = await uow.reference.sites(None if caller.all_sites else caller.site_ids)
    return [site(row) for row in rows]


async def list_locations(uow: UnitOfWork, caller: Caller, site_id: UUID) -> list[api.Location]:
    await visible_site(uow, caller, site_id)
    return [location(row) for row in await uow.reference.locations(site_id)]


async def list_vendors(uow: UnitOfWork, search: str | None) -> list[api.Vendor]:
    return [vendor(row) for row in await uow.reference.vendors(search)]


async def list_lots(uow: UnitOfWork, vendor_id: UUID) -> list[api.Lot]:
    if await uow.reference.vendor(vendor_id) is None:
        raise NotFoundError("vendor", str(vendor_id))
    return [
        api.Lot(id=r["id"], code=r["code"], vendor_id=r["vendor_id"], created_at=r["created_at"])
        for r in await uow.reference.lots(vendor_id)
    ]


async def list_brands(uow: UnitOfWork, search: str | None) -> list[api.Brand]:
    return [brand(row) for row in await uow.reference.brands(search)]


async def list_products(
    uow: UnitOfWork, *, search: str | None, category: str | None, brand_id: UUID | None
) -> list[api.Product]:
    rows = await uow.reference.products(search=search, category=category, brand_id=brand_id)
    return [product(row) for row in rows]
