"""Transfers: types, outgoing templates (the only write Metrc's API allows), manifests, deliveries."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from metrc_sandbox import catalog, lookups, views
from metrc_sandbox.context import CallerDep, Ctx, FacilityDep
from metrc_sandbox.errors import not_found, unauthorized
from metrc_sandbox.model import Delivery, TemplateDestination, TemplatePackage, TransferTemplate
from metrc_sandbox.routes.common import empty, listing, parse_id, record_stamp, written
from metrc_sandbox.rows import RowReader, apply_rows, write
from metrc_sandbox.store import Tx

router = APIRouter()

_TRANSPORT_FIELDS = (
    "TransporterFacilityLicenseNumber",
    "DriverOccupationalLicenseNumber",
    "DriverName",
    "DriverLicenseNumber",
    "PhoneNumberForQuestions",
    "VehicleMake",
    "VehicleModel",
    "VehicleLicensePlateNumber",
)


@router.get("/transfers/v2/types")
async def types(ctx: FacilityDep) -> Response:
    return listing(ctx, catalog.TRANSFER_TYPES, views.transfer_type_view)


def _templates(ctx: FacilityDep) -> list[TransferTemplate]:
    return [t for t in ctx.state.templates if t.facility_id == ctx.facility.id and not t.archived]


@router.get("/transfers/v2/templates/outgoing")
async def templates(ctx: FacilityDep) -> Response:
    render = lambda t: views.template_view(t, ctx.state)  # noqa: E731
    return listing(ctx, _templates(ctx), render, last_modified=record_stamp)


def _template_for(ctx: Ctx, template_id: str) -> TransferTemplate:
    key = parse_id(template_id, "transfer template")
    template = ctx.state.templates.get(key)
    if template is None or template.archived:
        raise not_found(f"No transfer template found with Id {key}.")
    if not ctx.can_access(template.facility_id):
        raise unauthorized(f"The transfer template {key} is not valid for this user.")
    return template


@router.get("/transfers/v2/templates/outgoing/deliveries/{delivery_id}/packages")
async def template_delivery_packages(delivery_id: str, ctx: CallerDep) -> Response:
    key = parse_id(delivery_id, "template delivery")
    destination = ctx.state.template_destinations.get(key)
    if destination is None:
        raise not_found(f"No template delivery found with Id {key}.")
    if not ctx.can_access(destination.facility_id):
        raise unauthorized(f"The template delivery {key} is not valid for this user.")
    state = ctx.state

    def render(entry: TemplatePackage) -> dict[str, Any]:
        package = state.packages.get(entry.package_id)
        assert package is not None
        return views.delivery_package_view(
            package,
            state,
            shipment_state="Shipped",
            shipped=None,
            wholesale_price=entry.wholesale_price,
        )

    return listing(ctx, destination.packages, render)


@router.get("/transfers/v2/templates/outgoing/{template_id}/deliveries")
async def template_deliveries(template_id: str, ctx: CallerDep) -> Response:
    template = _template_for(ctx, template_id)
    rows = [ctx.state.template_destinations.get(i) for i in template.destination_ids]
    return listing(
        ctx,
        [d for d in rows if d is not None],
        lambda d: views.template_delivery_view(d, ctx.state),
    )


@router.delete("/transfers/v2/templates/outgoing/{template_id}")
async def archive_template(template_id: str, ctx: FacilityDep) -> Response:
    key = parse_id(template_id, "transfer template")
    template = ctx.own(ctx.state.templates.get(key), "transfer template", f"Id {key}")

    def row(reader: RowReader, tx: Tx) -> list[int]:
        if template.archived:
            reader.fail(f"Transfer Template {key} is already archived.")
            return []
        tx.touch(template)
        template.archived = True
        return []

    await apply_rows(ctx, [{}], row)
    return empty()


def _destination(
    reader: RowReader,
    raw: dict[str, Any],
    template_id: int,
    existing: TemplateDestination | None,
    tx: Tx,
) -> TemplateDestination | None:
    ctx = reader.ctx
    sub = reader.nested(raw)
    recipient_license = sub.text("RecipientLicenseNumber")
    recipient = None
    if recipient_license is not None:
        recipient = ctx.state.facilities_by_license.get(recipient_license)
        if recipient is None:
            reader.fail(f"Recipient license number {recipient_license} is not valid.")
        elif recipient.id == ctx.facility.id:
            reader.fail("A transfer cannot be sent to the shipping Facility itself.")
            recipient = None
    type_name = sub.text("TransferTypeName")
    transfer_type = None if type_name is None else catalog.transfer_type_named(type_name)
    if type_name is not None and transfer_type is None:
        reader.fail(f"Transfer Type {type_name} is not valid.")
    planned_route = sub.text("PlannedRoute")
    departure = sub.datetime_text("EstimatedDepartureDateTime")
    arrival = sub.datetime_text("EstimatedArrivalDateTime")
    transporters = sub.objects("Transporters", required=False) or []
    package_rows = sub.objects("Packages") or []
    if not package_rows and sub.raw("Packages") is not None:
        reader.fail("Packages were not specified.")
    entries: list[TemplatePackage] = []
    seen: set[int] = set()
    for package_raw in package_rows:
        entry = sub.nested(package_raw)
        package = lookups.package(entry, entry.text("PackageLabel"))
        price = entry.decimal("WholesalePrice", required=False)
        gross = entry.decimal("GrossWeight", required=False)
        gross_unit = None
        if entry.has("GrossUnitOfWeightName"):
            found_unit = lookups.weight_unit(entry, "GrossUnitOfWeightName")
            gross_unit = None if found_unit is None else found_unit.name
        if price is not None and price < 0:
            reader.fail("WholesalePrice cannot be negative.")
        if package is None:
            continue
        if package.id in seen:
            reader.fail(f"Package {package.label} is listed more than once.")
            continue
        seen.add(package.id)
        entries.append(TemplatePackage(package.id, price, gross, gross_unit))
    if not reader.ok:
        return None
    assert recipient
    assert transfer_type
    assert planned_route
    assert departure
    assert arrival
    fields: dict[str, Any] = {
        "recipient_facility_id": recipient.id,
        "transfer_type": transfer_type.name,
        "planned_route": planned_route,
        "estimated_departure": departure,
        "estimated_arrival": arrival,
        "invoice_number": sub.text("InvoiceNumber", required=False),
        "transporters": tuple(transporters),
        "packages": tuple(entries),
    }
    if existing is not None:
        tx.touch(existing)
        for name, value in fields.items():
            setattr(existing, name, value)
        return existing
    destination = TemplateDestination(
        id=ctx.state.next_id("template_destination"),
        facility_id=ctx.facility.id,
        template_id=template_id,
        **fields,
    )
    return ctx.state.template_destinations.add(destination, tx)


def _transport(reader: RowReader) -> dict[str, str | None]:
    return {name: reader.text(name, required=False) for name in _TRANSPORT_FIELDS}


@router.post("/transfers/v2/templates/outgoing")
async def create_templates(ctx: FacilityDep) -> Response:
    state = ctx.state

    def row(reader: RowReader, tx: Tx) -> list[int]:
        name = reader.text("Name")
        transport = _transport(reader)
        destinations = reader.objects("Destinations") or []
        if not destinations and reader.raw("Destinations") is not None:
            reader.fail("Destinations were not specified.")
        template = TransferTemplate(
            id=state.next_id("template"),
            facility_id=ctx.facility.id,
            name=name or "",
            transport=transport,
            created_at=tx.now,
        )
        made = [_destination(reader, raw, template.id, None, tx) for raw in destinations]
        if not reader.ok:
            return []
        template.destination_ids = tuple(d.id for d in made if d is not None)
        return [state.templates.add(template, tx).id]

    return written(await write(ctx, row))


@router.put("/transfers/v2/templates/outgoing")
async def update_templates(ctx: FacilityDep) -> Response:
    state = ctx.state

    def row(reader: RowReader, tx: Tx) -> list[int]:
        template_id = reader.integer("TransferTemplateId")
        name = reader.text("Name")
        transport = _transport(reader)
        destinations = reader.objects("Destinations") or []
        if template_id is None:
            return []
        template = state.templates.get(template_id)
        if template is None or template.facility_id != ctx.facility.id or template.archived:
            reader.fail(f"Transfer Template {template_id} does not exist in the current Facility.")
            return []
        if template.sent_transfer_id is not None:
            reader.fail(f"Transfer Template {template_id} was already registered as a manifest.")
            return []
        kept = []
        for raw in destinations:
            destination_id = reader.nested(raw).integer("TransferDestinationId", required=False)
            existing = None
            if destination_id is not None:
                existing = state.template_destinations.get(destination_id)
                if existing is None or existing.template_id != template.id:
                    reader.fail(
                        f"Transfer Destination {destination_id} is not part of this template."
                    )
                    continue
            kept.append(_destination(reader, raw, template.id, existing, tx))
        if not reader.ok:
            return []
        tx.touch(template)
        template.name = name or template.name
        template.transport = transport
        template.destination_ids = tuple(d.id for d in kept if d is not None)
        return []

    await write(ctx, row)
    return empty()


def _deliveries(ctx: FacilityDep, *, incoming: bool) -> list[Delivery]:
    return [
        d
        for d in ctx.state.deliveries
        if (d.recipient_facility_id if incoming else d.facility_id) == ctx.facility.id
    ]


def _delivery_stamp(ctx: Ctx) -> Any:
    def stamp(delivery: Delivery) -> Any:
        transfer = ctx.state.transfers.get(delivery.transfer_id)
        return (
            delivery.last_modified
            if transfer is None
            else max(delivery.last_modified, transfer.last_modified)
        )

    return stamp


@router.get("/transfers/v2/outgoing")
async def outgoing(ctx: FacilityDep) -> Response:
    render = lambda d: views.transfer_row_view(d, ctx.state)  # noqa: E731
    return listing(
        ctx, _deliveries(ctx, incoming=False), render, last_modified=_delivery_stamp(ctx)
    )


@router.get("/transfers/v2/incoming")
async def incoming(ctx: FacilityDep) -> Response:
    render = lambda d: views.transfer_row_view(d, ctx.state)  # noqa: E731
    return listing(ctx, _deliveries(ctx, incoming=True), render, last_modified=_delivery_stamp(ctx))


def _visible(ctx: Ctx, delivery: Delivery) -> bool:
    return ctx.can_access(delivery.facility_id) or ctx.can_access(delivery.recipient_facility_id)


@router.get("/transfers/v2/deliveries/{delivery_id}/packages")
async def delivery_packages(delivery_id: str, ctx: CallerDep) -> Response:
    key = parse_id(delivery_id, "delivery")
    delivery = ctx.state.deliveries.get(key)
    if delivery is None:
        raise not_found(f"No delivery found with Id {key}.")
    if not _visible(ctx, delivery):
        raise unauthorized(f"The delivery {key} is not valid for this user.")
    state = ctx.state

    def render(entry: Any) -> dict[str, Any]:
        package = state.packages.get(entry.package_id)
        assert package is not None
        return views.delivery_package_view(
            package, state, shipment_state=entry.state, shipped=entry
        )

    return listing(ctx, delivery.packages, render)


@router.get("/transfers/v2/{transfer_id}/deliveries")
async def transfer_deliveries(transfer_id: str, ctx: CallerDep) -> Response:
    key = parse_id(transfer_id, "transfer")
    transfer = ctx.state.transfers.get(key)
    if transfer is None:
        raise not_found(f"No transfer found with Id {key}.")
    rows = [ctx.state.deliveries.get(i) for i in transfer.delivery_ids]
    deliveries = [d for d in rows if d is not None]
    if not any(_visible(ctx, d) for d in deliveries):
        raise unauthorized(f"The transfer {key} is not valid for this user.")
    return listing(ctx, deliveries, lambda d: views.delivery_view(d, ctx.state))
