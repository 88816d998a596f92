"""Incoming transfers in the inventory API (private; import from ``shared.contracts.inventory``).

An incoming transfer is a Metrc manifest delivery to one of our sites, as compliance pulled it
from Metrc (``compliance.incoming_transfer.changed``). Receiving it takes each accepted package in
as a batch (an intake with the package's tag, source TRANSFER with the manifest number, vendor the
shipper, cost the shipper's wholesale price per unit where Metrc has one); a rejected package
creates nothing. Quantities and prices are decimal strings; times are aware date-times.
"""

from __future__ import annotations

from typing import Annotated, Final
from uuid import UUID

from pydantic import Field

from shared.contracts._inventory_reads import Batch
from shared.contracts.inventory_enums import PaymentTerms
from shared.contracts.routes import Route
from shared.contracts.transfer_enums import IncomingPackageState, IncomingTransferStatus
from shared.contracts.types import ApiModel, DecimalString, UtcDateTime

__all__ = [
    "INCOMING_ROUTES",
    "IncomingPackageReceipt",
    "IncomingPackageState",
    "IncomingTransfer",
    "IncomingTransferListQuery",
    "IncomingTransferPackage",
    "IncomingTransferPage",
    "IncomingTransferReceiveRequest",
    "IncomingTransferReceiveResult",
    "IncomingTransferStatus",
]

Version = Annotated[int | None, Field(default=None, ge=1, description="Expected version")]


class IncomingTransferPackage(ApiModel):
    package_tag: str
    metrc_package_id: int
    item_name: str | None = None
    item_category: str | None = None
    item_strain: str | None = None
    shipped_quantity: DecimalString
    unit: str
    wholesale_price: DecimalString | None = Field(
        default=None, description="The shipper's price for the whole package, where Metrc has it"
    )
    metrc_state: str = Field(
        description="Metrc's ShipmentPackageState: Shipped until the receiver decides in Metrc,"
        " then Accepted, Rejected or Returned"
    )
    metrc_received_quantity: DecimalString | None = None
    state: IncomingPackageState
    received_quantity: DecimalString | None = None
    batch_id: UUID | None = Field(default=None, description="The batch it became (accepted)")


class IncomingTransfer(ApiModel):
    id: UUID
    site_id: UUID
    license_number: str
    status: IncomingTransferStatus
    metrc_transfer_id: int
    delivery_id: int
    manifest_number: str | None = None
    shipper_license_number: str | None = None
    shipper_name: str | None = None
    shipment_type: str | None = None
    estimated_arrival: UtcDateTime | None = None
    metrc_received_at: UtcDateTime | None = Field(
        default=None, description="When the receiver received it in Metrc (None before)"
    )
    packages: list[IncomingTransferPackage]
    received_by: str | None = None
    received_at: UtcDateTime | None = None
    version: int
    created_at: UtcDateTime
    updated_at: UtcDateTime


class IncomingTransferPage(ApiModel):
    items: list[IncomingTransfer]
    next_cursor: str | None = None
    has_more: bool


class IncomingTransferListQuery(ApiModel):
    """Incoming transfers of a site, newest first (cursor); ``status`` filters."""

    site_id: UUID
    status: IncomingTransferStatus | None = None
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=200)


class IncomingPackageReceipt(ApiModel):
    package_tag: str = Field(min_length=1, max_length=50)
    accepted: bool = True
    received_quantity: DecimalString | None = Field(
        default=None,
        description="Accepted packages only; default what Metrc says was received, else the"
        " shipped quantity (in the shipped unit)",
    )
    product_id: UUID | None = Field(
        default=None,
        description="The product the batch is of; default the product named like Metrc's item"
        " (found or created under the shipper's brand)",
    )


class IncomingTransferReceiveRequest(ApiModel):
    """Receive the transfer: packages not listed are accepted (with what Metrc says was
    received, else as shipped), unless Metrc shows them rejected or returned."""

    location_id: UUID
    packages: list[IncomingPackageReceipt] = Field(default_factory=list, max_length=200)
    payment_terms: PaymentTerms = PaymentTerms.COD
    version: Version


class IncomingTransferReceiveResult(ApiModel):
    transfer: IncomingTransfer
    batches: list[Batch] = Field(description="One batch per accepted package")


_I = "/v1/incoming-transfers/{transferId}"

INCOMING_ROUTES: Final[tuple[Route, ...]] = (
    Route(
        "GET",
        "/v1/incoming-transfers",
        "inventory:read",
        "Incoming transfers of a site (pulled from Metrc), newest first",
    ),
    Route("GET", _I, "inventory:read", "Get one incoming transfer with its packages"),
    Route(
        "POST",
        f"{_I}/receive",
        "inventory:create",
        "Receive the transfer: one batch per accepted package (intake, source TRANSFER)",
    ),
)
