"""Intake: vendor, brand, product, lot, location (each found or created), the batch in status
AWAITING_INTAKE and its INTAKE movement, audit row and ``created`` event, in one transaction;
for a batch made from other batches, also what it draws from each (``ingredients``)."""

from __future__ import annotations

import secrets
from collections.abc import Collection
from dataclasses import asdict
from typing import NoReturn
from uuid import UUID, uuid4

from inventory.domain import (
    Batch,
    BatchDetails,
    Costing,
    FieldError,
    IntakeRequest,
    PackageSource,
    PackageSourceKind,
    ValidationError,
)
from inventory.domain.intake import FLOWER_CATEGORY, check_unit_of_measure
from inventory.service_layer import commands as c
from inventory.service_layer.batch_operations import WriteOutcome
from inventory.service_layer.caller import Caller, utc_now
from inventory.service_layer.errors import DuplicateError, NotFoundError
from inventory.service_layer.event_mapping import integration_events
from inventory.service_layer.ingredients import draw_ingredients, lock_ingredients
from inventory.service_layer.ports import DuplicateKeyError, Row, UnitOfWork
from inventory.service_layer.records import (
    AuditEntry,
    BatchFacts,
    BatchRecord,
    LocationRow,
    SiteRow,
)
from inventory.service_layer.update import price

__all__ = ["intake", "take_in"]


async def _vendor(uow: UnitOfWork, ref: c.VendorChoice) -> Row:
    if ref.id is not None:
        return await uow.reference.vendor(ref.id) or _missing("vendor", ref.id)
    assert ref.name is not None
    return await uow.reference.find_or_create_vendor(
        name=ref.name.strip(), license_number=ref.license_number
    )


async def _brand(uow: UnitOfWork, ref: c.BrandChoice, vendor_id: UUID) -> Row:
    if ref.id is not None:
        return await uow.reference.brand(ref.id) or _missing("brand", ref.id)
    assert ref.name is not None
    return await uow.reference.find_or_create_brand(name=ref.name.strip(), vendor_id=vendor_id)


async def _product(
    uow: UnitOfWork, ref: c.ProductChoice, brand_id: UUID, units: Collection[str]
) -> Row:
    if ref.id is not None:
        product = await uow.reference.product(ref.id) or _missing("product", ref.id)
        if product["brand_id"] != brand_id:
            raise ValidationError.single("product", "belongs to another brand")
        return product
    # Checked here so that a product is never created half-valid; the batch rules proper
    # (costing, quantity ...) are the domain's, which runs next in the same transaction.
    errors = [
        FieldError(f"product.{name}", "is required to create a product")
        for name in ("name", "category", "unit_of_measure")
        if not getattr(ref, name)
    ]
    if (ref.category or "").strip().casefold() == FLOWER_CATEGORY and not ref.strain:
        errors.append(FieldError("strain", "is required for Flower"))
    if errors:
        raise ValidationError(errors)
    assert ref.unit_of_measure is not None
    check_unit_of_measure(ref.unit_of_measure, units, field="product.unitOfMeasure")
    fields = {name: value for name, value in asdict(ref).items() if name != "id"}
    fields["brand_id"] = brand_id
    return await uow.reference.create_product(fields, find_existing=True)


async def _lot(uow: UnitOfWork, ref: c.LotChoice, vendor_id: UUID) -> Row:
    if ref.id is not None:
        lot = await uow.reference.lot(ref.id) or _missing("lot", ref.id)
        if lot["vendor_id"] != vendor_id:
            raise ValidationError.single("lot", "belongs to another vendor")
        return lot
    assert ref.code is not None
    return await uow.reference.find_or_create_lot(vendor_id=vendor_id, code=ref.code.strip())


async def _location(uow: UnitOfWork, ref: c.LocationChoice, site_id: UUID) -> Row:
    if ref.id is not None:
        location = await uow.reference.location(ref.id)
        if location is None or location["site_id"] != site_id:
            return _missing("location", ref.id)
        return location
    if not ref.zone:
        raise ValidationError.single("location.zone", "is required to create a location")
    return await uow.reference.find_or_create_location(
        site_id=site_id, zone=ref.zone, rack=ref.rack, shelf=ref.shelf, bin_=ref.bin
    )


def _missing(kind: str, identifier: UUID) -> NoReturn:
    raise NotFoundError(kind, str(identifier))


def _accepted_source(source: PackageSource | None) -> PackageSource | None:
    """Packages from harvests are made by the cultivation flow, which moves stock out of the
    harvest; an intake does not take them yet."""
    if source is not None and source.kind is PackageSourceKind.HARVEST:
        raise ValidationError.single(
            "package.source.kind", f"{source.kind.value} is not accepted by an intake yet"
        )
    return source


def _generated_code() -> str:
    # Date for people, random suffix for uniqueness without a sequence round trip: 40 bits, so
    # a day's codes collide with a chance of about n^2 / 2^41 (1e-6 at a thousand intakes a
    # day, where 24 bits gave 3%: a benchmark of 1,000 intakes met it).
    return f"B-{utc_now():%Y%m%d}-{secrets.token_hex(5).upper()}"


async def intake(
    uow: UnitOfWork, caller: Caller, cmd: c.Intake, *, units: Collection[str]
) -> WriteOutcome:
    """Take a batch in; a product it creates must be measured in one of ``units``."""
    _accepted_source(cmd.package_source)
    return await take_in(uow, caller, cmd, units=units)


async def take_in(
    uow: UnitOfWork, caller: Caller, cmd: c.Intake, *, units: Collection[str]
) -> WriteOutcome:
    """Take a batch in with its package source as given: the flows that also move the stock
    out of the source (packages from a harvest) call this; ``intake`` refuses those sources."""
    caller.require_site(str(cmd.site_id))
    site = await uow.reference.site(cmd.site_id) or _missing("site", cmd.site_id)
    vendor = await _vendor(uow, cmd.vendor)
    brand = await _brand(uow, cmd.brand, vendor["id"])
    product = await _product(uow, cmd.product, brand["id"], units)
    lot = await _lot(uow, cmd.lot, vendor["id"])
    location = await _location(uow, cmd.location, cmd.site_id)
    package_source, ingredients = await lock_ingredients(
        uow, caller, cmd.package_source, site_id=str(site["id"])
    )
    code = cmd.code or _generated_code()
    details = BatchDetails(
        code=code,
        product_id=str(product["id"]),
        vendor_id=str(vendor["id"]),
        brand_id=str(brand["id"]),
        lot_id=str(lot["id"]),
        category=product["category"],
        strain=product["strain"],
        sku=cmd.sku or product["sku"] or code,
        grade=cmd.grade,
        package_tag=cmd.package_tag,
        package_source=package_source,
        payment_terms=cmd.payment_terms,
        costing=Costing(
            mode=cmd.cogs_mode,
            unit_cogs=cmd.unit_cogs,
            unit_cogs_min=cmd.unit_cogs_min,
            unit_cogs_max=cmd.unit_cogs_max,
            total=cmd.cogs_total,
        ),
    )
    batch, result = Batch.intake(
        batch_id=str(uuid4()),
        request=IntakeRequest(
            details=details,
            quantity=cmd.quantity,
            location_id=str(location["id"]),
            reference=cmd.reference,
            notes=cmd.notes,
        ),
        actor=caller.actor,
        occurred_at=utc_now(),
    )
    await draw_ingredients(uow, caller, package_source, ingredients, into=batch)
    place = LocationRow.of(location)
    record = BatchRecord(
        state=batch.state,
        facts=BatchFacts(
            site=SiteRow(
                id=str(site["id"]),
                name=site["name"],
                license_number=site["license_number"],
                state=site["state"],
            ),
            product_name=product["name"],
            subcategory=product["subcategory"],
            product_sku=product["sku"],
            brand_name=brand["name"],
            vendor_name=vendor["name"],
            vendor_license=vendor["license_number"],
            lot_code=lot["code"],
            unit_of_measure=product["unit_of_measure"],
            is_sample=cmd.is_sample,
            ticket=price(cmd.ticket),
            notes=cmd.notes,
            metadata=dict(cmd.metadata),
        ),
        places={place.id: place},
    )
    audit = AuditEntry(
        action="INTAKE",
        actor=caller.actor,
        reason=cmd.notes,
        changes={"onHandQty": {"before": "0.0000", "after": str(batch.buckets.on_hand)}},
        request_id=caller.request_id,
        actor_name=caller.actor_name,
    )
    events = integration_events(record, result.events, caller)
    try:
        ids = await uow.batches.insert(
            record, result.movements, audit, events, site_id=str(site["id"])
        )
    except DuplicateKeyError as error:
        if error.constraint == "batch_code_key":
            raise DuplicateError("batch", "code", code) from None
        if error.constraint == "batch_package_tag_key":
            raise DuplicateError("batch", "package tag", str(cmd.package_tag)) from None
        raise
    return WriteOutcome(
        record=record,
        movements=result.movements,
        movement_ids=tuple(ids),
        actor_name=caller.actor_name,
    )
