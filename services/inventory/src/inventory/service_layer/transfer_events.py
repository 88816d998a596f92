"""Transfer changes -> integration events (``shared.events.transfers``), one per change, keyed
by the transfer's id and built as their payload model (transfers are not a hot path)."""

from __future__ import annotations

from typing import Any

from shared.events import transfers as ev
from shared.outbox import OutboxMessage, outbox_message

from inventory.domain.transfers import TransferState, TransferStatus
from inventory.service_layer.caller import Caller
from inventory.service_layer.cultivation_events import site_info
from inventory.service_layer.event_mapping import PRODUCER
from inventory.service_layer.records import SiteRow

__all__ = ["transfer_event", "transfer_snapshot"]

_EVENT_OF: dict[TransferStatus, type[ev.TransferEventBase]] = {
    TransferStatus.CREATED: ev.TransferCreatedV1,
    TransferStatus.SENT: ev.TransferSentV1,
    TransferStatus.CANCELLED: ev.TransferCancelledV1,
    TransferStatus.ACCEPTED: ev.TransferSettledV1,
    TransferStatus.PARTIALLY_ACCEPTED: ev.TransferSettledV1,
    TransferStatus.REJECTED: ev.TransferSettledV1,
}


def transfer_snapshot(state: TransferState, site: SiteRow) -> dict[str, Any]:
    s = state.shipment
    return {
        "transfer_id": state.transfer_id,
        "site": site_info(site),
        "status": state.status,
        "destination_license_number": s.destination_license_number,
        "destination_name": s.destination_name,
        "transfer_type": s.transfer_type,
        "planned_route": s.planned_route,
        "transporter_license_number": s.transporter_license_number,
        "transporter_name": s.transporter_name,
        "driver_name": s.driver_name,
        "driver_occupational_license_number": s.driver_occupational_license_number,
        "driver_license_number": s.driver_license_number,
        "vehicle_make": s.vehicle_make,
        "vehicle_model": s.vehicle_model,
        "vehicle_license_plate": s.vehicle_license_plate,
        "phone_number": s.phone_number,
        "estimated_departure": s.estimated_departure,
        "estimated_arrival": s.estimated_arrival,
        "manifest_number": state.manifest_number,
        "lines": [
            {
                "batch_id": line.batch_id,
                "batch_code": line.batch_code,
                "package_tag": line.package_tag,
                "product_name": line.product_name,
                "quantity": line.quantity,
                "unit": line.unit,
                "wholesale_price": line.wholesale_price,
                "state": line.state,
                "received_quantity": line.received_quantity,
            }
            for line in state.lines
        ],
        "version": state.version,
        "created_at": state.created_at,
        "updated_at": state.updated_at,
    }


def transfer_event(state: TransferState, site: SiteRow, caller: Caller) -> OutboxMessage:
    """The event of the change that brought the transfer to ``state``."""
    payload = _EVENT_OF[state.status].model_validate(
        {
            "transfer": transfer_snapshot(state, site),
            "actor": caller.actor,
            "occurred_at": state.updated_at,
        }
    )
    return outbox_message(
        payload,
        producer=PRODUCER,
        aggregate_id=state.transfer_id,
        aggregate_version=state.version,
        site_id=state.site_id,
        actor=caller.event_actor,
        correlation_id=caller.request_id,
        occurred_at=state.updated_at,
    )
