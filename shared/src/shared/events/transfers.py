"""Integration events of outgoing transfers in the inventory service, on
``inventory.transfer.events`` keyed by transfer id.

Each event carries the transfer *after* the change (site and license, destination, transporter,
driver and vehicle, estimated times, every package line with its batch, tag, quantity and state),
so compliance mirrors it to Metrc without calling inventory back:

==================================== ===========================================================
``inventory.transfer.created``       ``POST /transfers/v2/templates/outgoing`` (the only way
                                     Metrc's API takes an outgoing licensed transfer)
``inventory.transfer.sent``          none: the manifest leaves in Metrc; compliance follows it
``inventory.transfer.cancelled``     ``DELETE /transfers/v2/templates/outgoing/{id}``
``inventory.transfer.settled``       none: inventory applied what Metrc says the receiver did
==================================== ===========================================================

The batches' own events tell the ledger's side (``inventory.batch.reserved`` on creation,
``inventory.batch.sold`` when sent, ``inventory.batch.reservation_released`` on cancel,
``inventory.batch.returned`` for a rejected package), each referencing ``TRANSFER <id>``.
Quantities and prices are decimal strings; times are aware UTC.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import ConfigDict, Field

from shared.contracts.transfer_enums import TransferLineState, TransferStatus
from shared.contracts.types import DecimalString, UtcDateTime
from shared.events.inventory import SiteInfo
from shared.events.models import FrozenModel, with_example
from shared.events.registry import event_type
from shared.events.topics import TRANSFER_EVENTS

__all__ = [
    "TransferCancelledV1",
    "TransferCreatedV1",
    "TransferEventBase",
    "TransferLineInfo",
    "TransferSentV1",
    "TransferSettledV1",
    "TransferSnapshot",
]


class TransferLineInfo(FrozenModel):
    """One package on the manifest: a batch of the shipping site, shipped whole."""

    batch_id: UUID
    batch_code: str
    package_tag: str = Field(description="The batch's Metrc package tag")
    product_name: str
    quantity: DecimalString
    unit: str = Field(description="The batch's (Metrc) unit of measure")
    wholesale_price: DecimalString | None = None
    state: TransferLineState
    received_quantity: DecimalString | None = Field(
        default=None, description="What the receiver recorded, once accepted"
    )


class TransferSnapshot(FrozenModel):
    transfer_id: UUID
    site: SiteInfo
    status: TransferStatus
    destination_license_number: str
    destination_name: str
    transfer_type: str = Field(description="Metrc's transfer type name, e.g. Wholesale")
    planned_route: str
    transporter_license_number: str
    transporter_name: str | None = None
    driver_name: str
    driver_occupational_license_number: str
    driver_license_number: str
    vehicle_make: str
    vehicle_model: str
    vehicle_license_plate: str
    phone_number: str | None = None
    estimated_departure: UtcDateTime
    estimated_arrival: UtcDateTime
    manifest_number: str | None = None
    lines: list[TransferLineInfo]
    version: int
    created_at: UtcDateTime
    updated_at: UtcDateTime


class TransferEventBase(FrozenModel):
    transfer: TransferSnapshot
    actor: str
    occurred_at: UtcDateTime


_AT = "2026-03-02T17:30:00Z"
_TRANSFER_ID = "5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e"
_SITE = {
    "id": "0f8e7d6c-5b4a-4c3d-9e2f-1a0b9c8d7e6f",
    "name": "Green Valley Cultivation",
    "license_number": "CUL-000001",
    "state": "CO",
}


def _line(state: str, **changes: Any) -> dict[str, Any]:
    return {
        "batch_id": "8c9d0e1f-2a3b-4c4d-9e5f-6a7b8c9d0e1f",
        "batch_code": "BD-FLOWER-01",
        "package_tag": "1A4FF0100000022000000201",
        "product_name": "Blue Dream Flower",
        "quantity": "453.5900",
        "unit": "Grams",
        "wholesale_price": "1200.0000",
        "state": state,
        "received_quantity": None,
        **changes,
    }


def _transfer(version: int, status: str, lines: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "transfer_id": _TRANSFER_ID,
        "site": _SITE,
        "status": status,
        "destination_license_number": "MAN-000002",
        "destination_name": "Peak Processing",
        "transfer_type": "Wholesale",
        "planned_route": "I-70 east to exit 205",
        "transporter_license_number": "CUL-000001",
        "transporter_name": "Green Valley Cultivation",
        "driver_name": "Sam Driver",
        "driver_occupational_license_number": "OL-1234",
        "driver_license_number": "DL-99887766",
        "vehicle_make": "Ford",
        "vehicle_model": "Transit",
        "vehicle_license_plate": "ABC-1234",
        "phone_number": None,
        "estimated_departure": "2026-03-03T15:00:00Z",
        "estimated_arrival": "2026-03-03T18:00:00Z",
        "manifest_number": None,
        "lines": lines,
        "version": version,
        "created_at": _AT,
        "updated_at": _AT,
    }


def _example(transfer: dict[str, Any]) -> ConfigDict:
    return with_example({"transfer": transfer, "actor": "user-17", "occurred_at": _AT})


@event_type("inventory.transfer.created", version=1, topic=TRANSFER_EVENTS)
class TransferCreatedV1(TransferEventBase):
    """An outgoing transfer was planned: each line's quantity is reserved on its batch
    (RESERVE referencing ``TRANSFER <id>``)."""

    model_config = _example(_transfer(1, "CREATED", [_line("RESERVED")]))


@event_type("inventory.transfer.sent", version=1, topic=TRANSFER_EVENTS)
class TransferSentV1(TransferEventBase):
    """The transfer left: each line's quantity left its batch (SALE referencing the
    transfer, drawn from its reservation)."""

    model_config = _example(_transfer(2, "SENT", [_line("SHIPPED")]))


@event_type("inventory.transfer.cancelled", version=1, topic=TRANSFER_EVENTS)
class TransferCancelledV1(TransferEventBase):
    """The transfer was cancelled before it left: each reservation was released."""

    model_config = _example(_transfer(2, "CANCELLED", [_line("RELEASED")]))


@event_type("inventory.transfer.settled", version=1, topic=TRANSFER_EVENTS)
class TransferSettledV1(TransferEventBase):
    """What the receiving facility did, as Metrc reported it, was applied: accepted lines
    carry the received quantity; a rejected line's quantity came back to its batch (RETURN
    referencing the transfer)."""

    model_config = _example(
        _transfer(3, "ACCEPTED", [_line("ACCEPTED", received_quantity="453.5900")])
    )
