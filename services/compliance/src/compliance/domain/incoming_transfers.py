"""Incoming transfers, the compliance side (pure): a manifest delivery to one of our licenses as
Metrc shows it, the form its event carries, and the digest that tells whether it changed.

Metrc lists incoming manifests one row per delivery (``/transfers/v2/incoming``, time-aware and
paged: the pull's ``transfers`` sync type keeps them in the mirror); a delivery's packages and
prices are sub-resources read per delivery. Metrc has no API to receive a transfer: the receiver
accepts or rejects each package in Metrc's UI, and the next pull sees the change.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

__all__ = ["IncomingDelivery", "IncomingPackageView", "needs_reading"]


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _moment(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


@dataclass(frozen=True, kw_only=True)
class IncomingPackageView:
    tag: str
    metrc_package_id: int
    shipped_quantity: Decimal
    shipped_unit: str
    shipment_state: str
    item_name: str | None = None
    item_category: str | None = None
    item_strain: str | None = None
    received_quantity: Decimal | None = None
    wholesale_price: Decimal | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "package_tag": self.tag,
            "metrc_package_id": self.metrc_package_id,
            "item_name": self.item_name,
            "item_category": self.item_category,
            "item_strain": self.item_strain,
            "shipped_quantity": _amount(self.shipped_quantity),
            "shipped_unit": self.shipped_unit,
            "shipment_state": self.shipment_state,
            "received_quantity": _amount(self.received_quantity),
            "wholesale_price": _amount(self.wholesale_price),
        }


@dataclass(frozen=True, kw_only=True)
class IncomingDelivery:
    license_number: str
    metrc_transfer_id: int
    delivery_id: int
    packages: tuple[IncomingPackageView, ...]
    manifest_number: str | None = None
    shipper_license_number: str | None = None
    shipper_name: str | None = None
    shipment_type: str | None = None
    estimated_arrival: datetime | None = None
    received_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        """The event's payload without ``fingerprint`` and ``occurred_at``."""
        return {
            "license_number": self.license_number,
            "metrc_transfer_id": self.metrc_transfer_id,
            "delivery_id": self.delivery_id,
            "manifest_number": self.manifest_number,
            "shipper_license_number": self.shipper_license_number,
            "shipper_name": self.shipper_name,
            "shipment_type": self.shipment_type,
            "estimated_arrival": _moment(self.estimated_arrival),
            "received_at": _moment(self.received_at),
            "packages": [p.to_json() for p in sorted(self.packages, key=lambda p: p.tag)],
        }

    def fingerprint(self) -> str:
        """A digest of everything the event says: equal exactly when nothing changed."""
        canonical = json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"))
        return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def needs_reading(listed: datetime | None, recorded: datetime | None, *, known: bool) -> bool:
    """Whether a delivery's packages must be read again: a delivery not published yet, or one
    whose row Metrc modified since (a row without a modification time is always read)."""
    return not known or listed is None or recorded is None or listed != recorded
