"""Transfer requests of the HTTP contract -> the service layer's transfer commands (the one place
that knows both, as ``commands.py`` is for batches)."""

from __future__ import annotations

from dataclasses import fields
from uuid import UUID

from shared.contracts import inventory as api

from inventory.service_layer import transfer_commands as c

__all__ = ["cancel_transfer", "create_transfer", "receive_incoming", "send_transfer"]


def create_transfer(body: api.OutgoingTransferCreate) -> c.CreateTransfer:
    same = {f.name: getattr(body, f.name) for f in fields(c.CreateTransfer) if f.name != "lines"}
    lines = tuple(
        c.TransferLineChoice(
            batch_id=line.batch_id, quantity=line.quantity, wholesale_price=line.wholesale_price
        )
        for line in body.lines
    )
    return c.CreateTransfer(**same, lines=lines)


def send_transfer(transfer_id: UUID, body: api.OutgoingTransferSendRequest) -> c.SendTransfer:
    return c.SendTransfer(transfer_id=transfer_id, version=body.version)


def cancel_transfer(transfer_id: UUID, body: api.OutgoingTransferCancelRequest) -> c.CancelTransfer:
    return c.CancelTransfer(transfer_id=transfer_id, reason=body.reason, version=body.version)


def receive_incoming(
    transfer_id: UUID, body: api.IncomingTransferReceiveRequest
) -> c.ReceiveIncoming:
    return c.ReceiveIncoming(
        transfer_id=transfer_id,
        location_id=body.location_id,
        packages=tuple(
            c.PackageReceipt(
                package_tag=p.package_tag,
                accepted=p.accepted,
                received_quantity=p.received_quantity,
                product_id=p.product_id,
            )
            for p in body.packages
        ),
        payment_terms=body.payment_terms.value,
        version=body.version,
    )
