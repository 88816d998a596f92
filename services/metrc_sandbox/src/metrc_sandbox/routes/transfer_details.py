"""Transfer reads beyond the manifest lists (METRC.md 4.11): rejected manifests, a delivery's
wholesale prices, transporters and drivers, the package states, and the printable manifest."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from metrc_sandbox import catalog, views
from metrc_sandbox.context import CallerDep, Ctx, FacilityDep
from metrc_sandbox.errors import not_found, unauthorized
from metrc_sandbox.manifest import manifest_html, manifest_pdf_document
from metrc_sandbox.model import Delivery, DeliveryPackage, TemplateDestination, Transfer
from metrc_sandbox.routes.common import listing, parse_id, respond

router = APIRouter()

SHIPMENT_PACKAGE_STATES = ("Shipped", "Rejected", "Accepted", "Returned")


def _delivery(ctx: Ctx, raw_id: str) -> Delivery:
    key = parse_id(raw_id, "delivery")
    delivery = ctx.state.deliveries.get(key)
    if delivery is None:
        raise not_found(f"No delivery found with Id {key}.")
    if not (ctx.can_access(delivery.facility_id) or ctx.can_access(delivery.recipient_facility_id)):
        raise unauthorized(f"The delivery {key} is not valid for this user.")
    return delivery


def _destination(ctx: Ctx, delivery: Delivery) -> TemplateDestination | None:
    """The template destination a delivery was sent from (same position in the template)."""
    transfer = ctx.state.transfers.get(delivery.transfer_id)
    template = None if transfer is None else ctx.state.templates.get(transfer.template_id)
    if template is None or delivery.delivery_number > len(template.destination_ids):
        return None
    return ctx.state.template_destinations.get(
        template.destination_ids[delivery.delivery_number - 1]
    )


def _transporters(ctx: Ctx, delivery: Delivery) -> list[dict[str, Any]]:
    """The destination's transporters, else the template's own transporter fields."""
    destination = _destination(ctx, delivery)
    if destination is not None and destination.transporters:
        return [dict(t) for t in destination.transporters]
    transfer = ctx.state.transfers.get(delivery.transfer_id)
    transport = {} if transfer is None else transfer.transport
    return [dict(transport)] if any(transport.values()) else []


@router.get("/transfers/v2/rejected")
async def rejected(ctx: FacilityDep) -> Response:
    """Manifests this facility shipped of which the recipient rejected packages (one row per
    delivery, like the incoming and outgoing lists)."""
    rows = [
        d
        for d in ctx.state.deliveries
        if d.facility_id == ctx.facility.id and any(p.state == "Rejected" for p in d.packages)
    ]
    return listing(ctx, rows, lambda d: views.transfer_row_view(d, ctx.state))


@router.get("/packages/v2/transferred")
async def transferred(ctx: FacilityDep) -> Response:
    """Packages this facility shipped that left it: in transit or accepted (a rejected one came
    back and is the shipper's again), one row per shipped package (METRC.md 4.7)."""
    state = ctx.state
    rows = [
        (delivery, entry)
        for delivery in state.deliveries
        if delivery.facility_id == ctx.facility.id
        for entry in delivery.packages
        if entry.state in ("Shipped", "Accepted")
    ]

    def render(row: tuple[Delivery, DeliveryPackage]) -> dict[str, Any]:
        delivery, entry = row
        package = state.packages.get(entry.package_id)
        assert package is not None
        transfer = state.transfers.get(delivery.transfer_id)
        recipient = state.facility(delivery.recipient_facility_id)
        item = state.items.get(package.item_id)
        strain = (
            None if item is None or item.strain_id is None else state.strains.get(item.strain_id)
        )
        shipped_unit = catalog.unit_named(entry.shipped_unit_of_measure)
        gross_unit = catalog.unit_named(entry.gross_unit_of_weight or "")
        abbreviation = None if shipped_unit is None else shipped_unit.abbreviation
        return {
            "Id": entry.package_id,
            "PackageId": entry.package_id,
            "RecipientFacilityLicenseNumber": recipient.license_number,
            "RecipientFacilityName": recipient.name,
            "ManifestNumber": None if transfer is None else transfer.manifest_number,
            "PackageLabel": package.label,
            "ExternalId": None,
            "SourceHarvestNames": ", ".join(package.source_harvest_names) or None,
            "SourcePackageLabels": ", ".join(package.source_package_labels) or None,
            "ProductName": None if item is None else item.name,
            "ProductCategoryName": None if item is None else item.category,
            "ItemStrainName": None if strain is None else strain.name,
            "LabTestingStateName": "NotSubmitted",
            "ShippedQuantity": entry.shipped_quantity,
            "ShippedUnitOfMeasureAbbreviation": abbreviation,
            "GrossWeight": entry.gross_weight,
            "GrossUnitOfWeightAbbreviation": None
            if gross_unit is None
            else gross_unit.abbreviation,
            "ShipperWholesalePrice": entry.wholesale_price,
            "ReceivedQuantity": entry.received_quantity,
            "ReceivedUnitOfMeasureAbbreviation": (
                None if entry.received_quantity is None else abbreviation
            ),
            "ReceiverWholesalePrice": None,
            "ShipmentPackageStateName": entry.state,
            "ActualDepartureDateTime": views.stamp(delivery.actual_departure),
            "ReceivedDateTime": views.stamp(delivery.received_date_time),
            "ProcessingJobTypeName": None,
            "LastModified": views.stamp(delivery.last_modified),
        }

    return listing(ctx, rows, render, last_modified=lambda row: row[0].last_modified)


@router.get("/transfers/v2/deliveries/packages/states")
async def package_states(ctx: CallerDep) -> Response:
    return respond(list(SHIPMENT_PACKAGE_STATES))


@router.get("/transfers/v2/deliveries/{delivery_id}/packages/wholesale")
async def wholesale(delivery_id: str, ctx: CallerDep) -> Response:
    delivery = _delivery(ctx, delivery_id)
    state = ctx.state

    def render(entry: DeliveryPackage) -> dict[str, Any]:
        package = state.packages.get(entry.package_id)
        assert package is not None
        return {
            "PackageId": package.id,
            "PackageLabel": package.label,
            "ShipperWholesalePrice": entry.wholesale_price,
            # Receiving in the sandbox does not record a price of the receiver's own.
            "ReceiverWholesalePrice": None,
        }

    return listing(ctx, delivery.packages, render)


@router.get("/transfers/v2/deliveries/{delivery_id}/transporters")
async def transporters(delivery_id: str, ctx: CallerDep) -> Response:
    delivery = _delivery(ctx, delivery_id)

    def render(entry: dict[str, Any]) -> dict[str, Any]:
        license_number = entry.get("TransporterFacilityLicenseNumber")
        facility = ctx.state.facilities_by_license.get(str(license_number))
        return {
            "ShipmentDeliveryId": delivery.id,
            "TransporterFacilityLicenseNumber": license_number,
            "TransporterFacilityName": None if facility is None else facility.name,
            "TransporterDirection": "Outbound",
        }

    return listing(ctx, _transporters(ctx, delivery), render)


@router.get("/transfers/v2/deliveries/{delivery_id}/transporters/details")
async def transporter_details(delivery_id: str, ctx: CallerDep) -> Response:
    delivery = _delivery(ctx, delivery_id)
    details: list[dict[str, Any]] = []
    for transporter in _transporters(ctx, delivery):
        nested = transporter.get("TransporterDetails")
        details.extend(nested if isinstance(nested, list) and nested else [transporter])

    def render(entry: dict[str, Any]) -> dict[str, Any]:
        return {
            "ShipmentDeliveryId": delivery.id,
            "DriverName": entry.get("DriverName"),
            "DriverOccupationalLicenseNumber": entry.get("DriverOccupationalLicenseNumber"),
            "DriverVehicleLicenseNumber": entry.get("DriverLicenseNumber"),
            "DriverLayoverLeg": entry.get("DriverLayoverLeg"),
            "VehicleMake": entry.get("VehicleMake"),
            "VehicleModel": entry.get("VehicleModel"),
            "VehicleLicensePlateNumber": entry.get("VehicleLicensePlateNumber"),
            "ActualDriverStartDateTime": views.stamp(delivery.actual_departure),
        }

    return listing(ctx, details, render)


def _manifest(ctx: FacilityDep, raw_id: str) -> Transfer:
    """A sent manifest by transfer Id, for its shipper or one of its recipients."""
    key = parse_id(raw_id, "manifest")
    transfer = ctx.state.transfers.get(key)
    if transfer is None:
        raise not_found(f"No manifest found with Id {key}.")
    deliveries = [ctx.state.deliveries.get(i) for i in transfer.delivery_ids]
    parties = {transfer.facility_id} | {d.recipient_facility_id for d in deliveries if d}
    if ctx.facility.id not in parties:
        raise unauthorized(
            f"The manifest {key} is not valid for facility {ctx.facility.license_number}."
        )
    return transfer


@router.get("/transfers/v2/manifest/{transfer_id}/html")
async def manifest_as_html(transfer_id: str, ctx: FacilityDep) -> Response:
    transfer = _manifest(ctx, transfer_id)
    return Response(manifest_html(transfer, ctx.state), media_type="text/html; charset=utf-8")


@router.get("/transfers/v2/manifest/{transfer_id}/pdf")
async def manifest_as_pdf(transfer_id: str, ctx: FacilityDep) -> Response:
    return respond(manifest_pdf_document(_manifest(ctx, transfer_id), ctx.state))
