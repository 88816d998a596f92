"""What Metrc's web UI does and its API cannot: send a template as a manifest (receiving is in
``receiving``)."""

from __future__ import annotations

from typing import Any

from metrc_sandbox.model import Delivery, DeliveryPackage, Transfer
from metrc_sandbox.store import SandboxState, Tx


class LifecycleError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def send_template(state: SandboxState, template_id: int) -> dict[str, Any]:
    """Register the template as a manifest: its packages leave active inventory, in transit."""
    template = state.templates.get(template_id)
    if template is None or template.archived:
        raise LifecycleError(404, f"no transfer template {template_id}")
    if template.sent_transfer_id is not None:
        raise LifecycleError(409, f"template {template_id} was already sent")
    destinations = [state.template_destinations.get(i) for i in template.destination_ids]
    problems = []
    for destination in destinations:
        assert destination is not None
        for entry in destination.packages:
            package = state.packages.get(entry.package_id)
            if (
                package is None
                or package.status != "active"
                or package.facility_id != template.facility_id
            ):
                label = "?" if package is None else package.label
                status = "missing" if package is None else package.status
                problems.append(f"package {label} is {status}, not active")
    if problems:
        raise LifecycleError(409, "; ".join(problems))
    tx = Tx(state)
    transfer = Transfer(
        id=state.next_id("transfer"),
        facility_id=template.facility_id,
        manifest_number=f"{state.next_id('manifest_number'):010d}",
        template_id=template.id,
        name=template.name,
        transport=template.transport,
        created_at=tx.now,
    )
    delivery_ids = []
    for number, destination in enumerate(destinations, start=1):
        assert destination is not None
        shipped = []
        for entry in destination.packages:
            package = state.packages.get(entry.package_id)
            assert package is not None
            shipped.append(
                DeliveryPackage(
                    package_id=package.id,
                    shipped_quantity=package.quantity,
                    shipped_unit_of_measure=package.unit_of_measure,
                    wholesale_price=entry.wholesale_price,
                    gross_weight=entry.gross_weight,
                    gross_unit_of_weight=entry.gross_unit_of_weight,
                )
            )
            tx.touch(package)
            package.status = "intransit"
        delivery = Delivery(
            id=state.next_id("delivery"),
            facility_id=template.facility_id,
            transfer_id=transfer.id,
            delivery_number=number,
            recipient_facility_id=destination.recipient_facility_id,
            transfer_type=destination.transfer_type,
            planned_route=destination.planned_route,
            estimated_departure=destination.estimated_departure,
            estimated_arrival=destination.estimated_arrival,
            invoice_number=destination.invoice_number,
            actual_departure=tx.now,
            packages=tuple(shipped),
        )
        delivery_ids.append(state.deliveries.add(delivery, tx).id)
    transfer.delivery_ids = tuple(delivery_ids)
    state.transfers.add(transfer, tx)
    tx.touch(template)
    template.sent_transfer_id = transfer.id
    return {
        "transfer_id": transfer.id,
        "manifest_number": transfer.manifest_number,
        "delivery_ids": delivery_ids,
    }
