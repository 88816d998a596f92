"""Harvest handlers: harvest flowering plants, record waste, finish and unfinish, and make
packages from a harvest, each of which becomes a batch (an intake whose package source is the
harvest) while the harvest's current weight goes down by exactly its weight."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from inventory.domain import (
    CogsMode,
    PackageSource,
    PackageSourceKind,
    PaymentTerms,
    Reference,
    ValidationError,
)
from inventory.domain.cultivation import (
    Harvest,
    HarvestChange,
    HarvestMovement,
    HarvestState,
    Plant,
    facility_today,
)
from inventory.service_layer import commands as bc
from inventory.service_layer import cultivation_commands as c
from inventory.service_layer.batch_operations import WriteOutcome
from inventory.service_layer.caller import Caller, utc_now
from inventory.service_layer.cultivation_events import harvest_event, location_info
from inventory.service_layer.cultivation_ports import Written
from inventory.service_layer.errors import DuplicateError, NotFoundError
from inventory.service_layer.intake import take_in
from inventory.service_layer.plant_batches import Site, site_of
from inventory.service_layer.ports import DuplicateKeyError, UnitOfWork

__all__ = [
    "HarvestOutcome",
    "finish_harvest",
    "harvest_plants",
    "package_harvest",
    "record_harvest_waste",
    "unfinish_harvest",
]


@dataclass(frozen=True, slots=True)
class HarvestOutcome:
    state: HarvestState
    movements: tuple[tuple[int, HarvestMovement], ...]
    actor_name: str | None
    batches: tuple[WriteOutcome, ...] = ()


def _written(caller: Caller) -> Written:
    return Written(actor_name=caller.actor_name, request_id=caller.request_id)


def _outcome(change: HarvestChange, ids: list[int], caller: Caller) -> HarvestOutcome:
    return HarvestOutcome(
        state=change.state,
        movements=tuple(zip(ids, change.movements, strict=True)),
        actor_name=caller.actor_name,
    )


async def harvest_plants(uow: UnitOfWork, caller: Caller, cmd: c.HarvestPlants) -> HarvestOutcome:
    site = await site_of(uow, caller, cmd.site_id)
    await site.know(uow, [cmd.drying_location_id])
    found = await uow.cultivation.lock_plants(site.row.id, [p.tag for p in cmd.plants])
    missing = [p.tag for p in cmd.plants if p.tag not in found]
    if missing:
        raise NotFoundError("plant", ", ".join(missing[:10]))
    now = utc_now()
    change = Harvest.take(
        harvest_id=str(uuid4()),
        site_id=site.row.id,
        name=cmd.name,
        drying_location_id=str(cmd.drying_location_id),
        unit_of_weight=cmd.unit_of_weight,
        harvest_date=cmd.harvest_date,
        plants=[(found[p.tag], p.weight) for p in cmd.plants],
        partial=cmd.partial,
        waste_weight=cmd.waste_weight,
        today=facility_today(site.row.state, now),
        actor=caller.actor,
        occurred_at=now,
    )
    try:
        async with uow.savepoint():
            ids = await uow.cultivation.insert_harvest(change, _written(caller))
    except DuplicateKeyError:
        raise DuplicateError("harvest", "name", change.state.name) from None
    await uow.cultivation.save_plants(change.plants)
    by_id: dict[str, Plant] = {p.plant_id: p for p in change.plants}
    await uow.cultivation.write_events(
        [harvest_event(change, caller, site.row, site.places, plants=by_id)]
    )
    return _outcome(change, ids, caller)


async def _locked(
    uow: UnitOfWork, caller: Caller, harvest_id: UUID, version: int | None
) -> tuple[Harvest, Site]:
    state = caller.visible(await uow.cultivation.lock_harvest(harvest_id), "harvest", harvest_id)
    harvest = Harvest(state)
    harvest.check_version(version)
    site = await site_of(uow, caller, state.site_id)
    await site.know(uow, [state.drying_location_id])
    return harvest, site


async def _save(
    uow: UnitOfWork,
    caller: Caller,
    before: HarvestState,
    change: HarvestChange,
    site: Site,
    *,
    packages: list[dict[str, Any]] | None = None,
) -> HarvestOutcome:
    ids = await uow.cultivation.save_harvest(before.version, change, _written(caller))
    await uow.cultivation.write_events(
        [harvest_event(change, caller, site.row, site.places, packages=packages)]
    )
    return _outcome(change, ids, caller)


async def record_harvest_waste(
    uow: UnitOfWork, caller: Caller, cmd: c.RecordHarvestWaste
) -> HarvestOutcome:
    harvest, site = await _locked(uow, caller, cmd.harvest_id, cmd.version)
    before, now = harvest.state, utc_now()
    change = harvest.record_waste(
        waste_type=cmd.waste_type,
        weight=cmd.weight,
        actual_date=cmd.actual_date,
        today=facility_today(site.row.state, now),
        actor=caller.actor,
        occurred_at=now,
    )
    return await _save(uow, caller, before, change, site)


async def finish_harvest(uow: UnitOfWork, caller: Caller, cmd: c.FinishHarvest) -> HarvestOutcome:
    harvest, site = await _locked(uow, caller, cmd.harvest_id, cmd.version)
    before, now = harvest.state, utc_now()
    change = harvest.finish(
        actual_date=cmd.actual_date,
        today=facility_today(site.row.state, now),
        actor=caller.actor,
        occurred_at=now,
    )
    return await _save(uow, caller, before, change, site)


async def unfinish_harvest(
    uow: UnitOfWork, caller: Caller, cmd: c.UnfinishHarvest
) -> HarvestOutcome:
    harvest, site = await _locked(uow, caller, cmd.harvest_id, cmd.version)
    before = harvest.state
    change = harvest.unfinish(occurred_at=utc_now())
    return await _save(uow, caller, before, change, site)


async def package_harvest(
    uow: UnitOfWork, caller: Caller, cmd: c.PackageHarvest, *, units: Collection[str]
) -> HarvestOutcome:
    """Each package becomes a batch of its product (measured in the harvest's unit of weight):
    vendor the facility itself, lot the harvest's name, package source HARVEST; the harvest
    gives up exactly the packages' weights (HARVEST_WEIGHT_EXCEEDED past what it has left,
    before anything is written)."""
    harvest, site = await _locked(uow, caller, cmd.harvest_id, cmd.version)
    before, now = harvest.state, utc_now()
    today = facility_today(site.row.state, now)
    await site.know(uow, [p.location_id for p in cmd.packages])
    products = []
    for n, package in enumerate(cmd.packages):
        product = await uow.reference.product(package.product_id)
        if product is None:
            raise NotFoundError("product", str(package.product_id))
        if product["unit_of_measure"] != before.unit_of_weight:
            raise ValidationError.single(
                f"packages[{n}].productId",
                f"is measured in {product['unit_of_measure']}, the harvest in"
                f" {before.unit_of_weight}",
            )
        products.append(product)
    # The rules first, on a copy: a refused packaging takes in no batch.
    Harvest(before).package(
        [(str(n), p.weight) for n, p in enumerate(cmd.packages)],
        actual_date=cmd.actual_date,
        today=today,
        actor=caller.actor,
        occurred_at=now,
    )
    vendor = await uow.reference.find_or_create_vendor(
        name=site.row.name, license_number=site.row.license_number
    )
    lot = await uow.reference.find_or_create_lot(vendor_id=vendor["id"], code=before.name)
    source = PackageSource(
        kind=PackageSourceKind.HARVEST, harvest_id=before.harvest_id, harvest_name=before.name
    )
    batches: list[WriteOutcome] = []
    for package, product in zip(cmd.packages, products, strict=True):
        batches.append(
            await take_in(
                uow,
                caller,
                bc.Intake(
                    site_id=UUID(site.row.id),
                    vendor=bc.VendorChoice(id=vendor["id"]),
                    brand=bc.BrandChoice(id=product["brand_id"]),
                    product=bc.ProductChoice(id=product["id"]),
                    lot=bc.LotChoice(id=lot["id"]),
                    location=bc.LocationChoice(id=package.location_id),
                    quantity=package.weight,
                    cogs_mode=CogsMode.FIXED,
                    unit_cogs=Decimal(0) if package.unit_cogs is None else package.unit_cogs,
                    payment_terms=PaymentTerms.COD,
                    code=package.code,
                    package_tag=package.package_tag,
                    package_source=source,
                    reference=Reference("HARVEST", before.harvest_id),
                ),
                units=units,
            )
        )
    change = harvest.package(
        [(b.record.state.batch_id, p.weight) for b, p in zip(batches, cmd.packages, strict=True)],
        actual_date=cmd.actual_date,
        today=today,
        actor=caller.actor,
        occurred_at=now,
    )
    packages = [
        {
            "batch_id": b.record.state.batch_id,
            "batch_code": b.record.state.details.code,
            "package_tag": b.record.state.details.package_tag,
            "product_id": str(product["id"]),
            "product_name": product["name"],
            "weight": p.weight,
            "location": location_info(site.places[str(p.location_id)]),
        }
        for b, p, product in zip(batches, cmd.packages, products, strict=True)
    ]
    outcome = await _save(uow, caller, before, change, site, packages=packages)
    return replace(outcome, batches=tuple(batches))
