"""Transfer reads of ``CultivationPort`` in the fake: rejected manifests, a delivery's wholesale
prices, transporters and drivers, and the printable manifest (HTML, and a one-page PDF)."""

from __future__ import annotations

import base64
import html
from datetime import datetime

from compliance.adapters.metrc.errors import MetrcAuthError, MetrcNotFoundError
from compliance.adapters.metrc.fake.catalog import number_text
from compliance.adapters.metrc.fake.manifests import FakeManifests
from compliance.adapters.metrc.fake.records import Delivery, Manifest
from compliance.adapters.metrc.payloads import TransferTransporter, TransferTransporterDetail
from compliance.adapters.metrc.schemas import Transfer
from compliance.adapters.metrc.transfer_schemas import (
    DeliveryTransporter,
    DeliveryTransporterDetail,
    DeliveryWholesalePrice,
    ManifestPdf,
    TransferredPackage,
)

__all__ = ["FakeTransferReads"]


class FakeTransferReads(FakeManifests):
    async def list_rejected_transfers(self, license_number: str) -> list[Transfer]:
        facility = self.acting(license_number)
        return [
            self._manifest_row(delivery)
            for delivery in self.shipping.deliveries.values()
            if self._manifest(delivery).shipper == facility.license_number
            and any(s.state == "Rejected" for s in delivery.packages)
        ]

    async def list_transferred_packages(
        self,
        license_number: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[TransferredPackage]:
        facility = self.acting(license_number)
        rows = []
        for delivery in self.shipping.deliveries.values():
            manifest = self._manifest(delivery)
            if manifest.shipper != facility.license_number:
                continue
            for shipped in delivery.packages:
                if shipped.state not in ("Shipped", "Accepted"):
                    continue
                package = self._package_by_id(shipped.package_id)
                assert package is not None
                rows.append(
                    TransferredPackage(
                        package_id=package.id,
                        package_label=package.label,
                        recipient_facility_license_number=delivery.recipient,
                        recipient_facility_name=self.facilities[delivery.recipient].name,
                        manifest_number=manifest.number,
                        product_name=package.item_name,
                        shipped_quantity=shipped.quantity,
                        received_quantity=shipped.received_quantity,
                        shipper_wholesale_price=shipped.wholesale_price,
                        shipment_package_state_name=shipped.state,
                        actual_departure_date_time=delivery.departed_at,
                        received_date_time=delivery.received_at,
                        last_modified=delivery.last_modified,
                    )
                )
        return self.window(rows, since, until)

    def _visible_delivery(self, delivery_id: int) -> Delivery:
        delivery = self.shipping.deliveries.get(delivery_id)
        if delivery is None:
            raise MetrcNotFoundError(f"No delivery found with Id {delivery_id}.", status_code=404)
        if not self._may_see(delivery):
            raise MetrcAuthError(
                f"The delivery {delivery_id} is not valid for this user.", status_code=401
            )
        return delivery

    async def list_delivery_wholesale_prices(
        self, delivery_id: int
    ) -> list[DeliveryWholesalePrice]:
        delivery = self._visible_delivery(delivery_id)
        prices = []
        for shipped in delivery.packages:
            package = self._package_by_id(shipped.package_id)
            assert package is not None
            prices.append(
                DeliveryWholesalePrice(
                    package_id=package.id,
                    package_label=package.label,
                    shipper_wholesale_price=shipped.wholesale_price,
                )
            )
        return prices

    def _transporters(self, delivery: Delivery) -> list[TransferTransporter]:
        manifest = self._manifest(delivery)
        template = self.shipping.templates[manifest.template_id]
        destination = self.shipping.destinations[template.destination_ids[delivery.number - 1]]
        return list(destination.transporters)

    async def list_delivery_transporters(self, delivery_id: int) -> list[DeliveryTransporter]:
        delivery = self._visible_delivery(delivery_id)
        found = []
        for transporter in self._transporters(delivery):
            license_number = transporter.transporter_facility_license_number
            facility = self.facilities.get(license_number)
            found.append(
                DeliveryTransporter(
                    shipment_delivery_id=delivery.id,
                    transporter_facility_license_number=license_number,
                    transporter_facility_name=None if facility is None else facility.name,
                    transporter_direction="Outbound",
                )
            )
        return found

    async def list_delivery_transporter_details(
        self, delivery_id: int
    ) -> list[DeliveryTransporterDetail]:
        delivery = self._visible_delivery(delivery_id)
        details = []
        for transporter in self._transporters(delivery):
            drivers: list[TransferTransporter | TransferTransporterDetail] = []
            drivers += transporter.transporter_details or [transporter]
            details += [
                DeliveryTransporterDetail(
                    shipment_delivery_id=delivery.id,
                    driver_name=driver.driver_name,
                    driver_occupational_license_number=driver.driver_occupational_license_number,
                    driver_vehicle_license_number=driver.driver_license_number,
                    driver_layover_leg=driver.driver_layover_leg,
                    vehicle_make=driver.vehicle_make,
                    vehicle_model=driver.vehicle_model,
                    vehicle_license_plate_number=driver.vehicle_license_plate_number,
                    actual_driver_start_date_time=delivery.departed_at,
                )
                for driver in drivers
            ]
        return details

    def _party_manifest(self, license_number: str, transfer_id: int) -> Manifest:
        facility = self.acting(license_number)
        manifest = self.shipping.manifests.get(transfer_id)
        if manifest is None:
            raise MetrcNotFoundError(f"No manifest found with Id {transfer_id}.", status_code=404)
        parties = {manifest.shipper} | {
            self.shipping.deliveries[i].recipient for i in manifest.delivery_ids
        }
        if facility.license_number not in parties:
            raise MetrcAuthError(
                f"The manifest {transfer_id} is not valid for facility {license_number}.",
                license_number=license_number,
                status_code=401,
            )
        return manifest

    def _manifest_lines(self, manifest: Manifest) -> list[str]:
        lines = [f"Manifest {manifest.number}", f"Shipper: {manifest.shipper}"]
        for delivery_id in manifest.delivery_ids:
            delivery = self.shipping.deliveries[delivery_id]
            lines.append(f"Delivery {delivery.number}: {delivery.recipient}")
            for shipped in delivery.packages:
                package = self._package_by_id(shipped.package_id)
                label = "?" if package is None else package.label
                lines.append(
                    f"  {label}  {number_text(shipped.quantity)} {shipped.unit_of_measure}"
                )
        return lines

    async def get_manifest_html(self, license_number: str, transfer_id: int) -> str:
        lines = self._manifest_lines(self._party_manifest(license_number, transfer_id))
        body = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
        return f"<!DOCTYPE html><html><body>{body}</body></html>"

    async def get_manifest_pdf(self, license_number: str, transfer_id: int) -> ManifestPdf:
        manifest = self._party_manifest(license_number, transfer_id)
        return ManifestPdf(
            file_contents=base64.b64encode(_pdf(self._manifest_lines(manifest))).decode(),
            content_type="application/pdf",
            file_download_name=f"Manifest-{manifest.number}.pdf",
            http_status_code=200,
        )


def _pdf(lines: list[str]) -> bytes:
    """A one-page PDF with ``lines`` of text (ASCII; enough for a manifest in tests)."""
    escaped = (ln.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") for ln in lines)
    text = "BT /F1 10 Tf 12 TL 40 800 Td " + " ".join(f"({ln}) Tj T*" for ln in escaped) + " ET"
    stream = text.encode("ascii", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
