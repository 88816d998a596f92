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
    "PackageOutcome",
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
