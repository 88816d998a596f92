"""Reference data writes: sites, locations, vendors, brands, products (each answers the row it
created). Sites and locations belong to a site and follow the caller's site grants; vendors,
brands and products are shared by every site of the operator."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from dataclasses import asdict
from typing import TypeVar

from inventory.domain import ValidationError
from inventory.domain.intake import FLOWER_CATEGORY, check_unit_of_measure
from inventory.service_layer import commands as c
from inventory.service_layer.caller import Caller
from inventory.service_layer.errors import DuplicateError, NotFoundError, SiteAccessDeniedError
from inventory.service_layer.ports import DuplicateKeyError, Row, UnitOfWork

__all__ = ["create_brand", "create_location", "create_product", "create_site", "create_vendor"]

T = TypeVar("T")


async def _unique(
    uow: UnitOfWork, kind: str, field: str, value: str, insert: Callable[[], Awaitable[T]]
) -> T:
    # A savepoint keeps the transaction usable after the unique violation, so the error can
    # be answered (and, with an Idempotency-Key, stored) in it.
    try:
        async with uow.savepoint():
            return await insert()
    except DuplicateKeyError:
        raise DuplicateError(kind, field, value) from None


async def create_site(uow: UnitOfWork, caller: Caller, cmd: c.CreateSite) -> Row:
    # Nobody can hold a grant for a site that does not exist yet: only an identity granted
    # every site creates sites.
    if not caller.all_sites:
        raise SiteAccessDeniedError("*")
    return await _unique(
        uow,
        "site",
        "licenseNumber",
        cmd.license_number,
        lambda: uow.reference.create_site(
            name=cmd.name, license_number=cmd.license_number, state=cmd.state
        ),
    )


async def create_location(uow: UnitOfWork, caller: Caller, cmd: c.CreateLocation) -> Row:
    if (
        not caller.can_access_site(str(cmd.site_id))
        or await uow.reference.site(cmd.site_id) is None
    ):
        raise NotFoundError("site", str(cmd.site_id))
    return await _unique(
        uow,
        "location",
        "place",
        "/".join(p for p in (cmd.zone, cmd.rack, cmd.shelf, cmd.bin) if p),
        lambda: uow.reference.create_location(
            site_id=cmd.site_id, zone=cmd.zone, rack=cmd.rack, shelf=cmd.shelf, bin_=cmd.bin
        ),
    )


async def create_vendor(uow: UnitOfWork, cmd: c.CreateVendor) -> Row:
    return await _unique(
        uow,
        "vendor",
        "name",
        cmd.name,
        lambda: uow.reference.create_vendor(
            name=cmd.name.strip(), is_seller=cmd.is_seller, license_number=cmd.license_number
        ),
    )


async def create_brand(uow: UnitOfWork, cmd: c.CreateBrand) -> Row:
    if cmd.vendor_id is not None and await uow.reference.vendor(cmd.vendor_id) is None:
        raise NotFoundError("vendor", str(cmd.vendor_id))
    return await _unique(
        uow,
        "brand",
        "name",
        cmd.name,
        lambda: uow.reference.create_brand(name=cmd.name.strip(), vendor_id=cmd.vendor_id),
    )


async def create_product(uow: UnitOfWork, cmd: c.CreateProduct, *, units: Collection[str]) -> Row:
    """Create a product measured in one of ``units`` (the configured list)."""
    check_unit_of_measure(cmd.unit_of_measure, units, field="unitOfMeasure")
    if await uow.reference.brand(cmd.brand_id) is None:
        raise NotFoundError("brand", str(cmd.brand_id))
    if cmd.category.strip().casefold() == FLOWER_CATEGORY and not cmd.strain:
        raise ValidationError.single("strain", "is required for Flower")
    return await _unique(
        uow,
        "product",
        "name",
        cmd.name,
        lambda: uow.reference.create_product(asdict(cmd), find_existing=False),
    )
