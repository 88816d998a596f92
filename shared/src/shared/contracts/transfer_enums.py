"""The vocabulary of transfers (manifests between licensed facilities), shared by the inventory
API, its events and compliance."""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "IncomingPackageState",
    "IncomingTransferStatus",
    "TransferLineState",
    "TransferStatus",
]


class TransferStatus(StrEnum):
    """An outgoing transfer's life::

    CREATED  -> SENT | CANCELLED
    SENT     -> ACCEPTED | PARTIALLY_ACCEPTED | REJECTED   (as Metrc reports the receiver)
    """

    CREATED = "CREATED"
    """Planned: the quantities are reserved, the manifest (a Metrc template) is being made."""
    SENT = "SENT"
    """Shipped: the quantities left the batches (SALE referencing the transfer)."""
    ACCEPTED = "ACCEPTED"
    PARTIALLY_ACCEPTED = "PARTIALLY_ACCEPTED"
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"


class TransferLineState(StrEnum):
    """One package (batch) on a transfer."""

    RESERVED = "RESERVED"
    SHIPPED = "SHIPPED"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    """Refused by the receiver: the quantity came back to the batch (RETURN)."""
    RELEASED = "RELEASED"
    """The transfer was cancelled before it left: the reservation was released."""


class IncomingTransferStatus(StrEnum):
    """An incoming transfer (a Metrc manifest delivery to one of our sites)::

    PENDING -> RECEIVED
    """

    PENDING = "PENDING"
    """Pulled from Metrc; not received here yet."""
    RECEIVED = "RECEIVED"
    """Received: each accepted package is a batch."""


class IncomingPackageState(StrEnum):
    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    """Taken in as a batch (with its received quantity)."""
    REJECTED = "REJECTED"
    """Refused here: no batch."""
