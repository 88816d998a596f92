"""What Metrc returns for a delivery's details and the printable manifest, and the waste lists
(METRC.md 4.9, 4.11), in the style of ``schemas``."""

from __future__ import annotations

import base64

from compliance.adapters.metrc._types import MetrcDateTime, Quantity
from compliance.adapters.metrc.schemas import MetrcModel

__all__ = [
    "DeliveryTransporter",
    "DeliveryTransporterDetail",
    "DeliveryWholesalePrice",
    "ManifestPdf",
    "TransferredPackage",
    "WasteMethod",
    "WasteReason",
]


class DeliveryWholesalePrice(MetrcModel):
    package_id: int
    package_label: str
    shipper_wholesale_price: Quantity | None = None
    receiver_wholesale_price: Quantity | None = None


class DeliveryTransporter(MetrcModel):
    shipment_delivery_id: int | None = None
    transporter_facility_license_number: str | None = None
    transporter_facility_name: str | None = None
    transporter_direction: str | None = None


class DeliveryTransporterDetail(MetrcModel):
    shipment_delivery_id: int | None = None
    driver_name: str | None = None
    driver_occupational_license_number: str | None = None
    driver_vehicle_license_number: str | None = None
    driver_layover_leg: str | None = None
    vehicle_make: str | None = None
    vehicle_model: str | None = None
    vehicle_license_plate_number: str | None = None
    actual_driver_start_date_time: MetrcDateTime = None


class ManifestPdf(MetrcModel):
    """``GET /transfers/v2/manifest/{id}/pdf``: the file in base64 (``content`` decodes it)."""

    file_contents: str
    content_type: str | None = None
    file_download_name: str | None = None
    http_status_code: int | None = None

    @property
    def content(self) -> bytes:
        return base64.b64decode(self.file_contents, validate=True)


class WasteReason(MetrcModel):
    name: str
    requires_note: bool = False
    requires_waste_weight: bool = False


class WasteMethod(MetrcModel):
    name: str
    for_plants: bool = False
    for_product_destruction: bool = False


class TransferredPackage(MetrcModel):
    """``GET /packages/v2/transferred``: a package this facility shipped that left it (in transit
    or accepted), one row per shipped package."""

    package_id: int
    package_label: str
    recipient_facility_license_number: str | None = None
    recipient_facility_name: str | None = None
    manifest_number: str | None = None
    product_name: str | None = None
    product_category_name: str | None = None
    item_strain_name: str | None = None
    shipped_quantity: Quantity | None = None
    shipped_unit_of_measure_abbreviation: str | None = None
    received_quantity: Quantity | None = None
    received_unit_of_measure_abbreviation: str | None = None
    shipper_wholesale_price: Quantity | None = None
    receiver_wholesale_price: Quantity | None = None
    shipment_package_state_name: str | None = None
    actual_departure_date_time: MetrcDateTime = None
    received_date_time: MetrcDateTime = None
    last_modified: MetrcDateTime = None
