"""Outgoing transfers in the inventory API (private; import from ``shared.contracts.inventory``).

A transfer ships packages (batches with a Metrc tag, each whole) to another licensed facility on
a Metrc manifest. Creating one reserves each package's quantity; sending it ships them out (SALE
referencing ``TRANSFER <id>``); cancelling releases the reservations; what the receiver accepts
or rejects comes from Metrc through compliance (a rejected package comes back: RETURN).
Quantities and prices are decimal strings; times are aware date-times (UTC in answers).
"""

from __future__ import annotations

from typing import Annotated, Final
from uuid import UUID

from pydantic import Field

from shared.contracts._inventory_reads import Batch
from shared.contracts.routes import Route
from shared.contracts.transfer_enums import TransferLineState, TransferStatus
from shared.contracts.types import ApiModel, DecimalString, UtcDateTime

__all__ = [
    "TRANSFER_ROUTES",
    "OutgoingTransfer",
    "OutgoingTransferCancelRequest",
    "OutgoingTransferCreate",
    "OutgoingTransferLine",
    "OutgoingTransferLineRequest",
    "OutgoingTransferListQuery",
    "OutgoingTransferPage",
    "OutgoingTransferSendRequest",
    "OutgoingTransferWriteResult",
]

Text = Annotated[str, Field(min_length=1, max_length=500)]
OptionalText = Annotated[str | None, Field(default=None, max_length=500)]
Version = Annotated[int | None, Field(default=None, ge=1, description="Expected version")]


class OutgoingTransferLineRequest(ApiModel):
    batch_id: UUID
    quantity: DecimalString | None = Field(
        default=None,
        description="Default and only accepted value: the batch's whole stock (Metrc ships a"
        " package whole)",
    )
    wholesale_price: DecimalString | None = Field(
        default=None, description="The package's price on the manifest (Metrc's WholesalePrice)"
    )


class OutgoingTransferCreate(ApiModel):
    """The compliance guide's transfer: packages, destination, transporter, driver, vehicle,
    estimated times (Metrc's outgoing template fields)."""

    site_id: UUID
    destination_license_number: Text
    destination_name: Text
    transfer_type: Text = Field(description="Metrc's transfer type, e.g. Wholesale or Transfer")
    planned_route: Text
    transporter_license_number: Text
    transporter_name: OptionalText
    driver_name: Text
    driver_occupational_license_number: Text
    driver_license_number: Text
    vehicle_make: Text
    vehicle_model: Text
    vehicle_license_plate: Text
    phone_number: OptionalText
    estimated_departure: UtcDateTime
    estimated_arrival: UtcDateTime
    lines: list[OutgoingTransferLineRequest] = Field(min_length=1, max_length=200)


class OutgoingTransferSendRequest(ApiModel):
    version: Version


class OutgoingTransferCancelRequest(ApiModel):
    reason: OptionalText
    version: Version


class OutgoingTransferLine(ApiModel):
    batch_id: UUID
    batch_code: str
    package_tag: str
    product_name: str
    quantity: DecimalString
    unit: str
    wholesale_price: DecimalString | None = None
    state: TransferLineState
    received_quantity: DecimalString | None = None


class OutgoingTransfer(ApiModel):
    id: UUID
    site_id: UUID
    status: TransferStatus
    destination_license_number: str
    destination_name: str
    transfer_type: str
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
    settlement_problem: str | None = Field(
        default=None,
        description="Why Metrc's report of the receiver's decision could not be applied here"
        " (the transfer stays SENT until a person resolves it)",
    )
    lines: list[OutgoingTransferLine]
    version: int
    created_at: UtcDateTime
    updated_at: UtcDateTime


class OutgoingTransferWriteResult(ApiModel):
    transfer: OutgoingTransfer
    batches: list[Batch] = Field(description="The batches the change wrote to, after it")


class OutgoingTransferPage(ApiModel):
    items: list[OutgoingTransfer]
    next_cursor: str | None = None
    has_more: bool


class OutgoingTransferListQuery(ApiModel):
    """Outgoing transfers of a site, newest first (cursor); ``status``: only those in it."""

    site_id: UUID
    status: TransferStatus | None = None
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=200)


_T = "/v1/outgoing-transfers/{transferId}"

TRANSFER_ROUTES: Final[tuple[Route, ...]] = (
    Route(
        "GET",
        "/v1/outgoing-transfers",
        "inventory:read",
        "Outgoing transfers of a site, newest first",
    ),
    Route(
        "POST",
        "/v1/outgoing-transfers",
        "inventory:create",
        "Plan an outgoing transfer (reserves each package's quantity)",
    ),
    Route("GET", _T, "inventory:read", "Get one outgoing transfer"),
    Route("POST", f"{_T}/send", "inventory:update", "Ship the transfer out (SALE per package)"),
    Route(
        "POST", f"{_T}/cancel", "inventory:update", "Cancel before it left (release reservations)"
    ),
)
