"""Transfer templates in the fake: the only transfer write Metrc's API has, and how templates,
their deliveries and their packages read back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from compliance.adapters.metrc.errors import MetrcAuthError, MetrcNotFoundError
from compliance.adapters.metrc.fake import catalog
from compliance.adapters.metrc.fake.core import Rows
from compliance.adapters.metrc.fake.harvests import FakeHarvests
from compliance.adapters.metrc.fake.records import (
    Destination,
    FakeFacility,
    Shipped,
    Template,
    TemplatePackage,
)
from compliance.adapters.metrc.payloads import (
    TransferDestination,
    TransferTemplateCreate,
    TransferTemplateUpdate,
)
from compliance.adapters.metrc.schemas import (
    Package,
    Transfer,
    TransferDelivery,
    TransferDeliveryPackage,
    TransferTemplateDelivery,
    TransferType,
    WriteResult,
)

__all__ = ["FakeTemplates"]

_TRANSPORT = (
    "transporter_facility_license_number",
    "driver_occupational_license_number",
    "driver_name",
    "driver_license_number",
    "phone_number_for_questions",
    "vehicle_make",
    "vehicle_model",
    "vehicle_license_plate_number",
)


class FakeTemplates(FakeHarvests):
    async def list_transfer_types(self, license_number: str) -> list[TransferType]:
        self.acting(license_number)
        return [
            TransferType(
                name=name,
                transaction_type=transaction,
                for_licensed_shipments=licensed,
                for_external_incoming_shipments=incoming,
                for_external_outgoing_shipments=outgoing,
            )
            for name, (transaction, licensed, incoming, outgoing) in catalog.TRANSFER_TYPES.items()
        ]

    # --- templates -------------------------------------------------------------------------------

    async def list_outgoing_transfer_templates(
        self, license_number: str, *, since: datetime | None = None, until: datetime | None = None
    ) -> list[Transfer]:
        facility = self.acting(license_number)
        templates = [
            self._template_view(t)
            for t in self.shipping.templates.values()
            if t.shipper == facility.license_number and not t.archived
        ]
        return self.window(templates, since, until)

    async def list_transfer_template_deliveries(
        self, template_id: int
    ) -> list[TransferTemplateDelivery]:
        template = self.shipping.templates.get(template_id)
        if template is None or template.archived:
            raise MetrcNotFoundError(
                f"No transfer template found with Id {template_id}.", status_code=404
            )
        self._visible(template.shipper, "transfer template", template_id)
        return [
            self._destination_view(self.shipping.destinations[i]) for i in template.destination_ids
        ]

    async def list_transfer_template_delivery_packages(
        self, delivery_id: int
    ) -> list[TransferDeliveryPackage]:
        destination = self.shipping.destinations.get(delivery_id)
        if destination is None:
            raise MetrcNotFoundError(
                f"No template delivery found with Id {delivery_id}.", status_code=404
            )
        shipper = self.shipping.templates[destination.template_id].shipper
        self._visible(shipper, "template delivery", delivery_id)
        return [
            self._package_view(
                Shipped(
                    entry.package_id,
                    package.quantity,
                    package.unit_of_measure_name,
                    entry.wholesale_price,
                    None,
                    None,
                )
            )
            for entry in destination.packages
            if (package := self._package_by_id(entry.package_id)) is not None
        ]

    async def create_outgoing_transfer_templates(
        self, license_number: str, templates: Sequence[TransferTemplateCreate]
    ) -> WriteResult:
        def create(rows: Rows, facility: FakeFacility, posted: TransferTemplateCreate) -> list[int]:
            self.required(rows, "Name", posted.name)
            if not posted.destinations:
                rows.fail("Destinations were not specified.")
            checked = [self._check_destination(rows, facility, d) for d in posted.destinations]
            if not rows.ok:
                return []
            stamp = self.now()
            template = Template(
                id=self.next_id("template"),
                shipper=facility.license_number,
                name=posted.name,
                transport=_transport(posted),
                created_at=stamp,
                last_modified=stamp,
            )
            for planned, packages in zip(posted.destinations, checked, strict=True):
                template.destination_ids.append(self._place(template.id, planned, packages, None))
            self.shipping.templates[template.id] = template
            return [template.id]

        return self.write(
            "create_outgoing_transfer_templates",
            license_number,
            templates,
            create,
            method="POST",
            path="/transfers/v2/templates/outgoing",
        )

    async def update_outgoing_transfer_templates(
        self, license_number: str, templates: Sequence[TransferTemplateUpdate]
    ) -> WriteResult:
        def update(rows: Rows, facility: FakeFacility, posted: TransferTemplateUpdate) -> list[int]:
            self.required(rows, "Name", posted.name)
            key = posted.transfer_template_id
            template = self.shipping.templates.get(key)
            if template is None or template.shipper != facility.license_number or template.archived:
                rows.fail(f"Transfer Template {key} does not exist in the current Facility.")
                return []
            if template.sent_as is not None:
                rows.fail(f"Transfer Template {key} was already registered as a manifest.")
                return []
            kept: list[tuple[TransferDestination, list[TemplatePackage], int | None]] = []
            for planned in posted.destinations:
                existing = planned.transfer_destination_id
                if existing is not None and existing not in template.destination_ids:
                    rows.fail(f"Transfer Destination {existing} is not part of this template.")
                    continue
                kept.append((planned, self._check_destination(rows, facility, planned), existing))
            if not rows.ok:
                return []
            template.name = posted.name or template.name
            template.transport = _transport(posted)
            template.destination_ids = [
                self._place(template.id, planned, packages, existing)
                for planned, packages, existing in kept
            ]
            template.last_modified = self.now()
            return []

        return self.write(
            "update_outgoing_transfer_templates",
            license_number,
            templates,
            update,
            method="PUT",
            path="/transfers/v2/templates/outgoing",
        )

    async def delete_outgoing_transfer_template(
        self, license_number: str, template_id: int
    ) -> WriteResult:
        facility = self.acting(license_number)
        template = self.shipping.templates.get(template_id)
        owner = self.facilities.get(template.shipper) if template else None
        self.own(facility, owner, "transfer template", f"Id {template_id}")
        assert template is not None

        def archive(rows: Rows, facility: FakeFacility, found: Template) -> list[int]:
            if found.archived:
                rows.fail(f"Transfer Template {found.id} is already archived.")
                return []
            found.archived = True
            found.last_modified = self.now()
            return []

        return self.write(
            "delete_outgoing_transfer_template",
            license_number,
            [template],
            archive,
            method="DELETE",
            path="/transfers/v2/templates/outgoing/{id}",
        )

    def _check_destination(
        self, rows: Rows, facility: FakeFacility, planned: TransferDestination
    ) -> list[TemplatePackage]:
        recipient = self.facilities.get(planned.recipient_license_number)
        if recipient is None:
            rows.fail(f"Recipient license number {planned.recipient_license_number} is not valid.")
        elif recipient is facility:
            rows.fail("A transfer cannot be sent to the shipping Facility itself.")
        if catalog.one_of(catalog.TRANSFER_TYPES, planned.transfer_type_name) is None:
            rows.fail(f"Transfer Type {planned.transfer_type_name} is not valid.")
        if not planned.packages:
            rows.fail("Packages were not specified.")
        entries: list[TemplatePackage] = []
        for line in planned.packages:
            package = self.package(rows, facility, line.package_label)
            if line.wholesale_price is not None and line.wholesale_price < 0:
                rows.fail("WholesalePrice cannot be negative.")
            if package is None:
                continue
            if any(entry.package_id == package.id for entry in entries):
                rows.fail(f"Package {package.label} is listed more than once.")
                continue
            entries.append(
                TemplatePackage(
                    package.id,
                    line.wholesale_price,
                    line.gross_weight,
                    line.gross_unit_of_weight_name,
                )
            )
        return entries

    def _place(
        self,
        template_id: int,
        planned: TransferDestination,
        packages: list[TemplatePackage],
        existing: int | None,
    ) -> int:
        destination = Destination(
            id=existing if existing is not None else self.next_id("destination"),
            template_id=template_id,
            recipient=planned.recipient_license_number,
            transfer_type=catalog.one_of(catalog.TRANSFER_TYPES, planned.transfer_type_name) or "",
            planned_route=planned.planned_route,
            estimated_departure=planned.estimated_departure_date_time,
            estimated_arrival=planned.estimated_arrival_date_time,
            invoice_number=planned.invoice_number,
            transporters=list(planned.transporters or []),
            packages=packages,
            last_modified=self.now(),
        )
        self.shipping.destinations[destination.id] = destination
        return destination.id

    # --- views ---------------------------------------------------------------------------------

    def _visible(self, shipper: str, what: str, key: int) -> None:
        if not self.may_read(shipper):
            raise MetrcAuthError(f"The {what} {key} is not valid for this user.", status_code=401)

    def _package_by_id(self, package_id: int) -> Package | None:
        held = self.holder_of(package_id)
        return held[1] if held else None

    def _header(
        self, shipper: str, name: str, transport: dict[str, str | None]
    ) -> dict[str, object]:
        return {
            "name": name,
            "shipper_facility_license_number": shipper,
            "shipper_facility_name": self.facilities[shipper].name,
            "transporter_facility_license_number": transport.get(
                "transporter_facility_license_number"
            ),
            "driver_name": transport.get("driver_name"),
            "vehicle_make": transport.get("vehicle_make"),
            "vehicle_model": transport.get("vehicle_model"),
            "vehicle_license_plate_number": transport.get("vehicle_license_plate_number"),
        }

    def _template_view(self, template: Template) -> Transfer:
        destinations = [self.shipping.destinations[i] for i in template.destination_ids]
        first = destinations[0] if destinations else None
        return Transfer.model_validate(
            {
                "id": template.id,
                **self._header(template.shipper, template.name, template.transport),
                "delivery_count": len(destinations),
                "package_count": sum(len(d.packages) for d in destinations),
                "created_date_time": template.created_at,
                "last_modified": template.last_modified,
                "delivery_id": first.id if first else None,
                "recipient_facility_license_number": first.recipient if first else None,
                "recipient_facility_name": self.facilities[first.recipient].name if first else None,
                "shipment_type_name": first.transfer_type if first else None,
                "shipment_transaction_type": "Standard",
                "estimated_departure_date_time": first.estimated_departure if first else None,
                "estimated_arrival_date_time": first.estimated_arrival if first else None,
            }
        )

    def _destination_view(self, destination: Destination) -> TransferTemplateDelivery:
        return TransferDelivery(
            id=destination.id,
            delivery_number=0,
            recipient_facility_license_number=destination.recipient,
            recipient_facility_name=self.facilities[destination.recipient].name,
            shipment_type_name=destination.transfer_type,
            shipment_transaction_type="Standard",
            invoice_number=destination.invoice_number,
            planned_route=destination.planned_route,
            estimated_departure_date_time=destination.estimated_departure,
            estimated_arrival_date_time=destination.estimated_arrival,
            delivery_package_count=len(destination.packages),
        )

    def _package_view(self, shipped: Shipped) -> TransferDeliveryPackage:
        package = self._package_by_id(shipped.package_id)
        assert package is not None
        item = package.item
        return TransferDeliveryPackage(
            package_id=package.id,
            package_label=package.label,
            package_type=package.package_type,
            item_id=item.id if item else None,
            item_name=item.name if item else None,
            item_category_name=item.product_category_name if item else None,
            item_strain_name=item.strain_name if item else None,
            lab_testing_state=package.lab_testing_state,
            production_batch_number=package.production_batch_number,
            shipment_package_state=shipped.state,
            shipped_quantity=shipped.quantity,
            shipped_unit_of_measure_name=shipped.unit_of_measure,
            received_quantity=shipped.received_quantity,
            received_unit_of_measure_name=(
                shipped.unit_of_measure if shipped.received_quantity is not None else None
            ),
            packaged_date=package.packaged_date,
            is_trade_sample=package.is_trade_sample,
            is_donation=package.is_donation,
            gross_weight=shipped.gross_weight,
            gross_unit_of_weight_name=shipped.gross_unit_of_weight_name,
            shipper_wholesale_price=shipped.wholesale_price,
        )


def _transport(posted: TransferTemplateCreate) -> dict[str, str | None]:
    return {field: getattr(posted, field) for field in _TRANSPORT}
