"""Outgoing transfers: packages (batches, shipped whole) leaving for another licensed facility on
a Metrc manifest. Pure rules; the batches' stock moves through the batch aggregate."""

from shared.contracts.transfer_enums import TransferLineState, TransferStatus

from inventory.domain.transfers.outgoing import (
    MAX_LINES,
    LineOutcome,
    OutgoingTransfer,
    PlannedLine,
    Shipment,
    TransferLine,
    TransferState,
    check_whole_package,
)

__all__ = [
    "MAX_LINES",
    "LineOutcome",
    "OutgoingTransfer",
    "PlannedLine",
    "Shipment",
    "TransferLine",
    "TransferLineState",
    "TransferState",
    "TransferStatus",
    "check_whole_package",
]
