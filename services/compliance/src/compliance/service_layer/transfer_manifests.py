"""Outgoing transfer manifests in Metrc: make the template exactly once (read back by its name
before any POST, and after one whose answer was lost), follow the manifest it became by pulling
(``/transfers/v2/outgoing``, its deliveries and their packages), archive it when the transfer is
cancelled before it left. The template's name carries the inventory transfer's id
(``domain.transfer_manifests.template_name``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from compliance.adapters.metrc.payloads import (
    TransferDestination,
    TransferTemplateCreate,
    TransferTemplatePackage,
    TransferTransporter,
)
from compliance.adapters.metrc.port import MetrcPort
from compliance.domain.transfer_manifests import (
    PackageOutcome,
    PackageReport,
    settlement,
    template_name,
    templates_to_archive,
)

__all__ = [
    "ManifestProgress",
    "PlannedTransfer",
    "TemplateNotFoundError",
    "archive_cancelled",
    "archive_template",
    "ensure_template",
    "follow_manifest",
    "template_of",
]


@dataclass(frozen=True, kw_only=True)
class PlannedTransfer:
    """What inventory's ``inventory.transfer.created`` says, as the template needs it."""

    transfer_id: UUID
    license_number: str
    destination_license_number: str
    transfer_type: str
    planned_route: str
    transporter_license_number: str
    driver_name: str
    driver_occupational_license_number: str
    driver_license_number: str
    vehicle_make: str
    vehicle_model: str
    vehicle_license_plate: str
    estimated_departure: datetime
    estimated_arrival: datetime
    packages: tuple[tuple[str, Decimal | None], ...]
    """(package tag, wholesale price) per line."""
    phone_number: str | None = None


class TemplateNotFoundError(RuntimeError):
    """Metrc accepted the template but answered no Id, and reading back found none."""


def template_of(plan: PlannedTransfer) -> TransferTemplateCreate:
    driver = {
        "driver_name": plan.driver_name,
        "driver_occupational_license_number": plan.driver_occupational_license_number,
        "driver_license_number": plan.driver_license_number,
        "vehicle_make": plan.vehicle_make,
        "vehicle_model": plan.vehicle_model,
        "vehicle_license_plate_number": plan.vehicle_license_plate,
    }
    return TransferTemplateCreate(
        name=template_name(plan.transfer_id),
        transporter_facility_license_number=plan.transporter_license_number,
        phone_number_for_questions=plan.phone_number,
        destinations=[
            TransferDestination(
                recipient_license_number=plan.destination_license_number,
                transfer_type_name=plan.transfer_type,
                planned_route=plan.planned_route,
                estimated_departure_date_time=plan.estimated_departure,
                estimated_arrival_date_time=plan.estimated_arrival,
                transporters=[
                    TransferTransporter(
                        transporter_facility_license_number=plan.transporter_license_number,
                        phone_number_for_questions=plan.phone_number,
                        estimated_departure_date_time=plan.estimated_departure,
                        estimated_arrival_date_time=plan.estimated_arrival,
                        **driver,
                    )
                ],
                packages=[
                    TransferTemplatePackage(package_label=tag, wholesale_price=price)
                    for tag, price in plan.packages
                ],
            )
        ],
        **driver,
    )


async def ensure_template(metrc: MetrcPort, plan: PlannedTransfer) -> int:
    """The template's Metrc Id: the one Metrc has under the transfer's name, else a new one.

    Reading back first makes a retry after a lost answer (timeout, crash between the POST and
    recording its Id) find the template instead of making a second.

    Raises:
        MetrcError: Metrc refused or could not be reached (nothing is known to be written
            when it is a refusal; a lost answer is found by the next call's read-back).
        TemplateNotFoundError: Accepted without an Id and not found by name.
    """
    name = template_name(plan.transfer_id)
    found = await metrc.find_transfer_templates(plan.license_number, name)
    if found:
        return found[0].id
    result = await metrc.create_outgoing_transfer_templates(
        plan.license_number, [template_of(plan)]
    )
    if result.ids:
        return result.ids[0]
    found = await metrc.find_transfer_templates(plan.license_number, name)
    if not found:
        raise TemplateNotFoundError(f"template {name} accepted but not found by name")
    return found[0].id


async def archive_template(metrc: MetrcPort, license_number: str, template_id: int) -> None:
    await metrc.delete_outgoing_transfer_template(license_number, template_id)


async def archive_cancelled(
    metrc: MetrcPort, license_number: str, name: str, recorded_id: int | None
) -> list[int]:
    """Archive what a cancelled transfer still has in Metrc, read back first
    (``templates_to_archive``): a template an earlier archive already took out of Metrc's list
    is not archived again, so an archive whose answer was lost, or whose worker was killed
    before saving it, is done rather than refused. The Ids archived now."""
    listed = await metrc.list_outgoing_transfer_templates(license_number)
    archived = templates_to_archive(
        ((t.id, t.name) for t in listed), name=name, recorded_id=recorded_id
    )
    for template_id in archived:
        await archive_template(metrc, license_number, template_id)
    return archived


@dataclass(frozen=True, kw_only=True)
class ManifestProgress:
    """What Metrc shows of the manifest a template became (all None before it is one)."""

    metrc_transfer_id: int | None = None
    manifest_number: str | None = None
    outcomes: list[PackageOutcome] | None = None
    """Each package's outcome once the receiver decided every one; None before."""


def _state(value: object) -> str:
    return "" if value is None else str(value)


async def follow_manifest(
    metrc: MetrcPort,
    license_number: str,
    template_id: int,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    known: tuple[int, str | None] | None = None,
) -> ManifestProgress:
    """Where the manifest the template became stands. ``known``: its Metrc transfer id and
    manifest number, once found (then no list is read); before that it is looked for in
    ``/transfers/v2/outgoing`` modified in ``[since, until]`` (Metrc's lists are time-aware:
    the caller passes the window since its last look, minus an overlap)."""
    if known is None:
        rows = [
            row
            for row in await metrc.list_transfers(
                license_number, "outgoing", since=since, until=until
            )
            if row.originating_template_id == template_id
        ]
        if not rows:
            return ManifestProgress()
        known = (rows[0].id, rows[0].manifest_number)
    transfer_id, manifest_number = known
    reports: list[PackageReport] = []
    for delivery in await metrc.list_transfer_deliveries(transfer_id):
        reports.extend(
            PackageReport(
                label=p.package_label,
                state=_state(p.shipment_package_state),
                received_quantity=p.received_quantity,
            )
            for p in await metrc.list_transfer_delivery_packages(delivery.id)
        )
    return ManifestProgress(
        metrc_transfer_id=transfer_id,
        manifest_number=manifest_number,
        outcomes=settlement(reports),
    )
