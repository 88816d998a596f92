"""Commands of the outgoing transfer handlers (the service's own types; the HTTP contract maps
onto them in ``entrypoints.transfer_commands``, compliance's outcomes in the worker)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

__all__ = [
    "CancelTransfer",
    "CreateTransfer",
    "IncomingPackageReport",
    "PackageOutcome",
    "PackageReceipt",
    "ReceiveIncoming",
    "RecordIncoming",
    "SendTransfer",
    "SettleTransfer",
    "TransferLineChoice",
]


@dataclass(frozen=True, slots=True)
class TransferLineChoice:
    batch_id: UUID
    quantity: Decimal | None = None
    wholesale_price: Decimal | None = None


@dataclass(frozen=True, slots=True)
class CreateTransfer:
    site_id: UUID
    destination_license_number: str
    destination_name: str
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
    lines: tuple[TransferLineChoice, ...]
    transporter_name: str | None = None
    phone_number: str | None = None


@dataclass(frozen=True, slots=True)
class SendTransfer:
    transfer_id: UUID
    version: int | None = None


@dataclass(frozen=True, slots=True)
class CancelTransfer:
    transfer_id: UUID
    reason: str | None = None
    version: int | None = None


@dataclass(frozen=True, slots=True)
class PackageOutcome:
    package_tag: str
    accepted: bool
    received_quantity: Decimal | None = None


@dataclass(frozen=True, slots=True)
class SettleTransfer:
    """What Metrc says the receiver did with each package of a sent transfer."""

    transfer_id: UUID
    packages: tuple[PackageOutcome, ...]


# ---------------------------------------------------------------------------- incoming


@dataclass(frozen=True, slots=True)
class IncomingPackageReport:
    """A package of an incoming delivery as Metrc shows it (from compliance's event)."""

    package_tag: str
    metrc_package_id: int
    shipped_quantity: Decimal
    unit: str
    metrc_state: str
    item_name: str | None = None
    item_category: str | None = None
    item_strain: str | None = None
    received_quantity: Decimal | None = None
    wholesale_price: Decimal | None = None


@dataclass(frozen=True, slots=True)
class RecordIncoming:
    """Metrc's latest report of an incoming manifest delivery to one of our licenses."""

    license_number: str
    delivery_id: int
    metrc_transfer_id: int
    fingerprint: str
    packages: tuple[IncomingPackageReport, ...]
    manifest_number: str | None = None
    shipper_license_number: str | None = None
    shipper_name: str | None = None
    shipment_type: str | None = None
    estimated_arrival: datetime | None = None
    metrc_received_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class PackageReceipt:
    package_tag: str
    accepted: bool = True
    received_quantity: Decimal | None = None
    product_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class ReceiveIncoming:
    transfer_id: UUID
    location_id: UUID
    packages: tuple[PackageReceipt, ...] = ()
    payment_terms: str = "COD"
    version: int | None = None
