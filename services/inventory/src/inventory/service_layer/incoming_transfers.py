"""Incoming transfer handlers: record (Metrc's latest report of a delivery to one of our sites,
from compliance's ``compliance.incoming_transfer.changed``, applied by the inventory worker in the
inbox's transaction) and receive (each accepted package taken in as a batch through the intake,
in one transaction with the transfer; a rejected package creates nothing).

A received package's batch has the package's tag and source TRANSFER with the manifest number:
compliance's planner links it to the package Metrc already has at this facility (checking item,
quantity and unit) instead of creating one. Metrc has no API to receive a transfer: until the
receiver accepted it in Metrc's UI, that link is refused (``PACKAGE_NOT_RECEIVED``, shown on the
batch and in the sync log) and a retry links it once Metrc shows the package here."""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID, uuid4

from shared.contracts.inventory_enums import CogsMode, PaymentTerms
from shared.contracts.transfer_enums import IncomingPackageState

from inventory.domain import (
    DomainError,
    PackageSource,
    PackageSourceKind,
    Reference,
    ValidationError,
)
from inventory.domain.transfers.incoming import (
    IncomingPackage,
    IncomingTransferState,
    Manifest,
    PackageDecision,
    receive,
    record,
    with_batches,
)
from inventory.service_layer import commands as bc
from inventory.service_layer import transfer_commands as c
from inventory.service_layer.batch_operations import WriteOutcome
from inventory.service_layer.caller import Caller, utc_now
from inventory.service_layer.errors import NotFoundError
from inventory.service_layer.intake import intake
from inventory.service_layer.ports import UnitOfWork

__all__ = ["INCOMING_TRANSFER", "IncomingOutcome", "receive_incoming", "record_incoming"]

log = logging.getLogger(__name__)

INCOMING_TRANSFER = "INCOMING_TRANSFER"
"""The reference type of a received package's INTAKE movement."""


@dataclass(frozen=True, slots=True)
class IncomingOutcome:
    state: IncomingTransferState
    batches: tuple[WriteOutcome, ...] = ()


def _manifest(cmd: c.RecordIncoming) -> Manifest:
    return Manifest(
        license_number=cmd.license_number,
        delivery_id=cmd.delivery_id,
        metrc_transfer_id=cmd.metrc_transfer_id,
        fingerprint=cmd.fingerprint,
        manifest_number=cmd.manifest_number,
        shipper_license_number=cmd.shipper_license_number,
        shipper_name=cmd.shipper_name,
        shipment_type=cmd.shipment_type,
        estimated_arrival=cmd.estimated_arrival,
        metrc_received_at=cmd.metrc_received_at,
    )


def _package(p: c.IncomingPackageReport) -> IncomingPackage:
    return IncomingPackage(
        package_tag=p.package_tag,
        metrc_package_id=p.metrc_package_id,
        shipped_quantity=p.shipped_quantity,
        unit=p.unit,
        metrc_state=p.metrc_state,
        item_name=p.item_name,
        item_category=p.item_category,
        item_strain=p.item_strain,
        wholesale_price=p.wholesale_price,
        metrc_received_quantity=p.received_quantity,
    )


async def record_incoming(uow: UnitOfWork, cmd: c.RecordIncoming) -> IncomingTransferState | None:
    """Record Metrc's report of a delivery; None when the report changes nothing (the same
    fingerprint: a redelivered event). A delivery for a license no site holds is recorded all
    the same, by its license (compliance publishes it once, not again when a site appears): the
    site made with that license sees it."""
    held = await uow.incoming.by_delivery(cmd.license_number, cmd.delivery_id)
    site_id = held.site_id if held is not None and held.site_id is not None else None
    if site_id is None:
        found = await uow.incoming.site_for_license(cmd.license_number)
        site_id = None if found is None else str(found)
    after = record(
        held,
        _manifest(cmd),
        [_package(p) for p in cmd.packages],
        transfer_id=str(uuid4()) if held is None else held.transfer_id,
        site_id=site_id,
        occurred_at=utc_now(),
    )
    if after is None:
        return None
    if after.site_id is None:
        log.info(
            "incoming delivery %s (manifest %s) for license %s recorded without a site: no"
            " site holds the license yet; the site made with it will show it",
            cmd.delivery_id, cmd.manifest_number, cmd.license_number,
        )  # fmt: skip
    if held is None:
        await uow.incoming.insert(after)
    else:
        await uow.incoming.save(held.version, after)
    return after


def _intake(
    state: IncomingTransferState,
    site_id: str,
    package: IncomingPackage,
    product: bc.ProductChoice,
    brand: bc.BrandChoice,
    cmd: c.ReceiveIncoming,
) -> bc.Intake:
    m = state.manifest
    shipper = m.shipper_name or m.shipper_license_number or "Unknown shipper"
    unit_cost = package.unit_cost
    manifest = m.manifest_number or f"delivery {m.delivery_id}"
    assert package.received_quantity is not None
    return bc.Intake(
        site_id=UUID(site_id),
        vendor=bc.VendorChoice(name=shipper, license_number=m.shipper_license_number),
        brand=brand,
        product=product,
        lot=bc.LotChoice(code=manifest),
        location=bc.LocationChoice(id=cmd.location_id),
        quantity=package.received_quantity,
        cogs_mode=CogsMode.FIXED,
        # Without a price in Metrc the cost is unknown: 0, as for a harvest's packages.
        unit_cogs=unit_cost if unit_cost is not None else Decimal(0),
        cogs_total=package.received_cost,
        payment_terms=PaymentTerms(cmd.payment_terms),
        package_tag=package.package_tag,
        package_source=PackageSource(
            kind=PackageSourceKind.TRANSFER, manifest_number=m.manifest_number
        ),
        reference=Reference(INCOMING_TRANSFER, state.transfer_id),
        notes=f"received on manifest {manifest} from {shipper}",
    )


async def _product_and_brand(
    uow: UnitOfWork,
    package: IncomingPackage,
    receipt: c.PackageReceipt | None,
    shipper: str,
    n: int,
) -> tuple[bc.ProductChoice, bc.BrandChoice]:
    if receipt is not None and receipt.product_id is not None:
        product = await uow.reference.product(receipt.product_id)
        if product is None:
            raise NotFoundError("product", str(receipt.product_id))
        # The received quantity is in the package's unit: a product measured in another would
        # make 5 pounds a 5-gram batch.
        if product["unit_of_measure"] != package.unit:
            raise ValidationError.single(
                f"packages.{n}.productId",
                f"is measured in {product['unit_of_measure']}, the package in {package.unit}",
            )
        return bc.ProductChoice(id=product["id"]), bc.BrandChoice(id=product["brand_id"])
    return (
        bc.ProductChoice(
            name=package.item_name or package.package_tag,
            category=package.item_category or "Other",
            strain=package.item_strain,
            unit_of_measure=package.unit,
        ),
        bc.BrandChoice(name=shipper),
    )


async def receive_incoming(
    uow: UnitOfWork, caller: Caller, cmd: c.ReceiveIncoming, *, units: Collection[str]
) -> IncomingOutcome:
    """Receive the transfer: every accepted package taken in as a batch (INTAKE referencing
    ``INCOMING_TRANSFER <id>``, ``inventory.batch.created``), the transfer RECEIVED with each
    package's batch, all in the caller's transaction."""
    before = await uow.incoming.lock(cmd.transfer_id)
    site_id = None if before is None else before.site_id
    if before is None or site_id is None or not caller.can_access_site(site_id):
        raise NotFoundError("incoming transfer", str(cmd.transfer_id))
    received = receive(
        before,
        [
            PackageDecision(
                package_tag=r.package_tag,
                accepted=r.accepted,
                received_quantity=r.received_quantity,
            )
            for r in cmd.packages
        ],
        version=cmd.version,
        actor=caller.actor,
        occurred_at=utc_now(),
    )
    receipts = {r.package_tag: r for r in cmd.packages}
    m = received.manifest
    shipper = m.shipper_name or m.shipper_license_number or "Unknown shipper"
    batches: list[WriteOutcome] = []
    made: dict[str, str] = {}
    for n, package in enumerate(received.packages):
        if package.state is not IncomingPackageState.ACCEPTED:
            continue
        receipt = receipts.get(package.package_tag)
        product, brand = await _product_and_brand(uow, package, receipt, shipper, n)
        try:
            outcome = await intake(
                uow, caller, _intake(received, site_id, package, product, brand, cmd), units=units
            )
        except DomainError as error:
            raise error.concerning(f"packages.{n}", f"Package {package.package_tag}") from None
        batches.append(outcome)
        made[package.package_tag] = outcome.record.state.batch_id
    after = with_batches(received, made)
    await uow.incoming.save(before.version, after)
    return IncomingOutcome(after, tuple(batches))
