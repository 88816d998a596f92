"""Manifests in the fake: transfers once a template is registered, their deliveries and packages;
and what only Metrc's web UI does (``MetrcControl``): registering a template as a manifest,
accepting or rejecting a delivery, putting a package on hold."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from compliance.adapters.metrc.control import SentTransfer
from compliance.adapters.metrc.endpoints import TransferDirection
from compliance.adapters.metrc.errors import MetrcAuthError, MetrcNotFoundError
from compliance.adapters.metrc.fake.records import Delivery, Manifest, Shipped
from compliance.adapters.metrc.fake.templates import FakeTemplates
from compliance.adapters.metrc.schemas import (
    Package,
    Transfer,
    TransferDelivery,
    TransferDeliveryPackage,
)

__all__ = ["FakeManifests"]


class FakeManifests(FakeTemplates):
    # --- manifests -------------------------------------------------------------------------------

    async def list_transfers(
        self,
        license_number: str,
        direction: TransferDirection,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[Transfer]:
        facility = self.acting(license_number)
        rows = [
            self._manifest_row(delivery)
            for delivery in self.shipping.deliveries.values()
            if facility.license_number
            == (delivery.recipient if direction == "incoming" else self._manifest(delivery).shipper)
        ]
        return self.window(rows, since, until)

    async def list_transfer_deliveries(self, transfer_id: int) -> list[TransferDelivery]:
        manifest = self.shipping.manifests.get(transfer_id)
        if manifest is None:
            raise MetrcNotFoundError(f"No transfer found with Id {transfer_id}.", status_code=404)
        deliveries = [self.shipping.deliveries[i] for i in manifest.delivery_ids]
        if not any(self._may_see(d) for d in deliveries):
            raise MetrcAuthError(
                f"The transfer {transfer_id} is not valid for this user.", status_code=401
            )
        return [self._delivery_view(d) for d in deliveries]

    async def list_transfer_delivery_packages(
        self, delivery_id: int
    ) -> list[TransferDeliveryPackage]:
        delivery = self.shipping.deliveries.get(delivery_id)
        if delivery is None:
            raise MetrcNotFoundError(f"No delivery found with Id {delivery_id}.", status_code=404)
        if not self._may_see(delivery):
            raise MetrcAuthError(
                f"The delivery {delivery_id} is not valid for this user.", status_code=401
            )
        return [self._package_view(shipped) for shipped in delivery.packages]

    # --- what Metrc's web UI does (MetrcControl) -------------------------------------------------

    async def send_transfer_template(self, template_id: int) -> SentTransfer:
        """Register the template as a manifest: its packages leave active inventory, in transit."""
        template = self.shipping.templates.get(template_id)
        if template is None or template.archived or template.sent_as is not None:
            raise ValueError(f"template {template_id} cannot be sent")
        destinations = [self.shipping.destinations[i] for i in template.destination_ids]
        for destination in destinations:
            for entry in destination.packages:
                held = self.holder_of(entry.package_id)
                if (
                    held is None
                    or held[0].license_number != template.shipper
                    or self.package_state(held[1]) != "active"
                ):
                    raise ValueError(f"package {entry.package_id} is not active at the shipper")
        stamp = self.now()
        manifest = Manifest(
            id=self.next_id("transfer"),
            number=f"{len(self.shipping.manifests) + 1:010d}",
            shipper=template.shipper,
            template_id=template.id,
            name=template.name,
            transport=dict(template.transport),
            created_at=stamp,
            last_modified=stamp,
        )
        for number, destination in enumerate(destinations, start=1):
            shipped = []
            for entry in destination.packages:
                package = self._package_by_id(entry.package_id)
                assert package is not None
                shipped.append(
                    Shipped(
                        package.id,
                        package.quantity,
                        package.unit_of_measure_name,
                        entry.wholesale_price,
                        entry.gross_weight,
                        entry.gross_unit_of_weight_name,
                    )
                )
                self._restamp(package)
            delivery = Delivery(
                id=self.next_id("delivery"),
                transfer_id=manifest.id,
                number=number,
                recipient=destination.recipient,
                transfer_type=destination.transfer_type,
                planned_route=destination.planned_route,
                estimated_departure=destination.estimated_departure,
                estimated_arrival=destination.estimated_arrival,
                invoice_number=destination.invoice_number,
                departed_at=stamp,
                packages=shipped,
                last_modified=stamp,
            )
            self.shipping.deliveries[delivery.id] = delivery
            manifest.delivery_ids.append(delivery.id)
        self.shipping.manifests[manifest.id] = manifest
        template.sent_as = manifest.id
        template.last_modified = stamp
        return SentTransfer(manifest.id, manifest.number, list(manifest.delivery_ids))

    async def receive_delivery(self, delivery_id: int, *, accept: bool) -> None:
        """Accepted packages become the recipient's (active, no location); rejected ones go back
        to the shipper, active."""
        delivery = self.shipping.deliveries.get(delivery_id)
        if delivery is None:
            raise ValueError(f"delivery {delivery_id} cannot be received")
        decisions: dict[str, Decimal | None] = {}
        for shipped in delivery.packages:
            package = self._package_by_id(shipped.package_id)
            assert package is not None
            decisions[package.label] = shipped.quantity if accept else None
        await self.receive_delivery_packages(delivery_id, decisions)

    async def receive_delivery_packages(
        self, delivery_id: int, decisions: dict[str, Decimal | None]
    ) -> None:
        """Each named package accepted with the quantity given, or rejected (``None``); packages
        not named are accepted as shipped."""
        delivery = self.shipping.deliveries.get(delivery_id)
        if delivery is None or delivery.received_at is not None:
            raise ValueError(f"delivery {delivery_id} cannot be received")
        labels = {}
        for shipped in delivery.packages:
            package = self._package_by_id(shipped.package_id)
            assert package is not None
            labels[package.label] = (shipped, package)
        unknown = set(decisions) - set(labels)
        if unknown or any(q is not None and q <= 0 for q in decisions.values()):
            raise ValueError(f"delivery {delivery_id}: bad decisions {sorted(unknown)}")
        manifest = self._manifest(delivery)
        shipper, recipient = self.facilities[manifest.shipper], self.facilities[delivery.recipient]
        stamp = self.now()
        delivery.received_at = stamp
        delivery.last_modified = stamp
        manifest.last_modified = stamp
        received = []
        for label, (shipped, package) in labels.items():
            quantity = decisions.get(label, shipped.quantity)
            state = "Rejected" if quantity is None else "Accepted"
            received.append(
                Shipped(**{**vars(shipped), "state": state, "received_quantity": quantity})
            )
            if quantity is None:
                self._restamp(package)
                continue
            del shipper.packages[package.label]
            recipient.packages[package.label] = package.model_copy(
                update={
                    "quantity": quantity,
                    "location_id": None,
                    "location_name": None,
                    "location_type_name": None,
                    "received_from_manifest_number": manifest.number,
                    "received_from_facility_license_number": shipper.license_number,
                    "received_date_time": stamp,
                    "last_modified": stamp,
                }
            )
        delivery.packages = received

    async def hold_package(self, label: str) -> None:
        self._set_hold(label, hold=True)

    async def release_package(self, label: str) -> None:
        self._set_hold(label, hold=False)

    def _set_hold(self, label: str, *, hold: bool) -> None:
        held = self.holder_of(label)
        expected = "active" if hold else "onhold"
        if held is None or self.package_state(held[1]) != expected:
            raise ValueError(f"package {label} is not {expected}")
        facility, package = held
        facility.packages[label] = package.model_copy(
            update={"is_on_hold": hold, "last_modified": self.now()}
        )

    # --- views ---------------------------------------------------------------------------------

    def _may_see(self, delivery: Delivery) -> bool:
        return self.may_read(self._manifest(delivery).shipper) or self.may_read(delivery.recipient)

    def _manifest(self, delivery: Delivery) -> Manifest:
        return self.shipping.manifests[delivery.transfer_id]

    def _restamp(self, package: Package) -> None:
        """A package whose state changed through a transfer: its LastModified moves."""
        held = self.holder_of(package.id)
        assert held is not None
        held[0].packages[package.label] = package.model_copy(update={"last_modified": self.now()})

    def _manifest_row(self, delivery: Delivery) -> Transfer:
        """A manifest as the incoming and outgoing lists show it: one row per delivery."""
        manifest = self._manifest(delivery)
        deliveries = [self.shipping.deliveries[i] for i in manifest.delivery_ids]
        shipped = [s for d in deliveries for s in d.packages]
        return Transfer.model_validate(
            {
                "id": manifest.id,
                "manifest_number": manifest.number,
                **self._header(manifest.shipper, manifest.name, manifest.transport),
                "delivery_count": len(deliveries),
                "received_delivery_count": sum(1 for d in deliveries if d.received_at),
                "package_count": len(shipped),
                "received_package_count": sum(1 for s in shipped if s.state != "Shipped"),
                "created_date_time": manifest.created_at,
                "last_modified": max(manifest.last_modified, delivery.last_modified),
                "delivery_id": delivery.id,
                "recipient_facility_license_number": delivery.recipient,
                "recipient_facility_name": self.facilities[delivery.recipient].name,
                "shipment_type_name": delivery.transfer_type,
                "shipment_transaction_type": "Standard",
                "estimated_departure_date_time": delivery.estimated_departure,
                "actual_departure_date_time": delivery.departed_at,
                "estimated_arrival_date_time": delivery.estimated_arrival,
                "actual_arrival_date_time": delivery.received_at,
                "received_date_time": delivery.received_at,
                "originating_template_id": manifest.template_id,
            }
        )

    def _delivery_view(self, delivery: Delivery) -> TransferDelivery:
        return TransferDelivery(
            id=delivery.id,
            manifest_number=self._manifest(delivery).number,
            delivery_number=delivery.number,
            recipient_facility_license_number=delivery.recipient,
            recipient_facility_name=self.facilities[delivery.recipient].name,
            shipment_type_name=delivery.transfer_type,
            shipment_transaction_type="Standard",
            invoice_number=delivery.invoice_number,
            planned_route=delivery.planned_route,
            estimated_departure_date_time=delivery.estimated_departure,
            actual_departure_date_time=delivery.departed_at,
            estimated_arrival_date_time=delivery.estimated_arrival,
            actual_arrival_date_time=delivery.received_at,
            delivery_package_count=len(delivery.packages),
            delivery_received_package_count=sum(
                1 for s in delivery.packages if s.state != "Shipped"
            ),
            received_date_time=delivery.received_at,
            rejected_packages_returned=any(s.state == "Rejected" for s in delivery.packages),
        )
