"""Domain events -> integration events (``shared.events.inventory``), in one place.

Each integration event carries the batch as it is after the operation (a snapshot built once per
operation) and exactly the ledger rows its domain event explains.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from shared.contracts.inventory import AdjustmentReason as WireReason
from shared.contracts.inventory import Bucket as WireBucket
from shared.events import EventEnvelope, new_event
from shared.events import inventory as ev

from inventory.adapters.records import BatchRecord, LocationRow
from inventory.domain import (
    BatchDeleted,
    BatchEvent,
    BatchReceived,
    BatchRevised,
    BatchStatusChanged,
    HoldReleased,
    Movement,
    MovementType,
    Reference,
    ReservationReleased,
    SampleSent,
    StockAdjusted,
    StockDisposed,
    StockHeld,
    StockMarkedDefective,
    StockReserved,
    StockReturned,
    StockSold,
    StockTransferred,
)
from inventory.service_layer.caller import Caller

__all__ = ["PRODUCER", "integration_events", "snapshot"]

PRODUCER = "inventory"


def _location(row: LocationRow) -> ev.LocationInfo:
    return ev.LocationInfo(
        id=row.id,
        site_id=row.site_id,
        zone=row.zone,
        rack=row.rack,
        shelf=row.shelf,
        bin=row.bin,
        label=row.label,
    )


def _reference(reference: Reference | None) -> ev.ReferenceInfo | None:
    return None if reference is None else ev.ReferenceInfo(type=reference.type, id=reference.id)


def snapshot(record: BatchRecord) -> ev.BatchSnapshot:
    """The batch after the operation, as every inventory event carries it."""
    state, facts = record.state, record.facts
    d, b = state.details, state.buckets
    return ev.BatchSnapshot.model_validate(
        {
            "batch_id": state.batch_id,
            "code": d.code,
            "sku": d.sku,
            "site": {
                "id": facts.site.id,
                "name": facts.site.name,
                "license_number": facts.site.license_number,
                "state": facts.site.state,
            },
            "product": {
                "id": d.product_id,
                "name": facts.product_name,
                "category": d.category,
                "subcategory": facts.subcategory,
                "strain": d.strain,
                "brand_id": d.brand_id,
                "brand_name": facts.brand_name,
                "sku": facts.product_sku,
            },
            "vendor": {
                "id": d.vendor_id,
                "name": facts.vendor_name,
                "license_number": facts.vendor_license,
            },
            "lot": {"id": d.lot_id, "code": facts.lot_code},
            "unit_of_measure": facts.unit_of_measure,
            "status": state.status.value,
            "grade": d.grade,
            "is_sample": facts.is_sample,
            "balances": {
                "on_hand": b.on_hand,
                "reserved": b.reserved,
                "quarantine": b.quarantine,
                "hold": b.hold,
                "defective": b.defective,
                "available": b.available,
                "physical": b.physical,
            },
            "locations": [
                {"location": _location(record.places[location_id]), "qty": qty}
                for location_id, qty in sorted(state.locations.items())
            ],
            "costs": {
                "cogs_mode": d.costing.mode.value,
                "unit_cogs": d.costing.unit_cogs,
                "unit_cogs_min": d.costing.unit_cogs_min,
                "unit_cogs_max": d.costing.unit_cogs_max,
                "ticket": facts.ticket,
                "payment_terms": d.payment_terms.value,
            },
            "version": state.version,
            "created_at": state.created_at,
            "updated_at": state.updated_at,
            "deleted_at": state.deleted_at,
        }
    )


def _movements(record: BatchRecord, movements: Sequence[Movement]) -> list[ev.MovementInfo]:
    return [
        ev.MovementInfo(
            batch_version=m.batch_version,
            sequence=m.sequence,
            bucket=WireBucket(m.bucket.value),
            type=m.type.value,
            change=m.change,
            before=m.before,
            after=m.after,
            reason=WireReason(m.reason.value) if m.reason else None,
            notes=m.notes,
            reference=_reference(m.reference),
            location=_location(record.places[m.location_id]) if m.location_id else None,
            actor=m.actor,
            occurred_at=m.occurred_at,
        )
        for m in movements
    ]


def _specific(
    event: BatchEvent, record: BatchRecord, changes: Mapping[str, Any] | None
) -> tuple[type[ev.BatchEventBase], dict[str, Any]]:
    place = record.places
    match event:
        case BatchReceived():
            return ev.BatchCreatedV1, {
                "quantity": event.quantity,
                "location": _location(place[event.location_id]),
                "reference": _reference(event.reference),
                "notes": event.movements[0].notes if event.movements else None,
            }
        case StockAdjusted():
            return ev.BatchAdjustedV1, {
                "bucket": event.bucket.value,
                "adjustment": event.adjustment,
                "reason": event.reason.value,
                "notes": event.notes,
                "location": _location(place[event.location_id]),
            }
        case BatchStatusChanged():
            return ev.BatchStatusChangedV1, {
                "from_status": event.from_status.value,
                "to_status": event.to_status.value,
                "reason": event.reason,
            }
        case BatchRevised():
            return ev.BatchUpdatedV1, {"changes": dict(changes or {}), "reason": event.reason}
        case BatchDeleted():
            return ev.BatchDeletedV1, {"reason": event.reason}
        case StockTransferred():
            return ev.BatchTransferredV1, {
                "bucket": event.bucket.value,
                "quantity": event.quantity,
                "from_location": _location(place[event.from_location_id]),
                "to_location": _location(place[event.to_location_id]),
            }
        case StockReserved():
            return ev.BatchReservedV1, {
                "reference": _reference(event.reference),
                "quantity": event.quantity,
            }
        case ReservationReleased():
            return ev.BatchReservationReleasedV1, {
                "reference": _reference(event.reference),
                "quantity": event.quantity,
                "remaining": event.remaining,
            }
        case StockSold():
            return ev.BatchSoldV1, {
                "reference": _reference(event.reference),
                "quantity": event.quantity,
                "from_reservation": event.from_reservation,
                "location": _location(place[event.location_id]),
            }
        case StockReturned():
            return ev.BatchReturnedV1, {
                "refund": event.movement_type is MovementType.REFUND_RETURN,
                "bucket": event.bucket.value,
                "quantity": event.quantity,
                "location": _location(place[event.location_id]),
                "reference": _reference(event.reference),
            }
        case SampleSent():
            return ev.BatchSampleSentV1, {
                "quantity": event.quantity,
                "location": _location(place[event.location_id]),
                "reference": _reference(event.reference),
            }
        case StockDisposed():
            return ev.BatchDisposedV1, {
                "bucket": event.bucket.value,
                "quantity": event.quantity,
                "reason": event.reason.value,
                "location": _location(place[event.location_id]),
            }
        case StockHeld():
            return ev.BatchHeldV1, {"quantity": event.quantity}
        case HoldReleased():
            return ev.BatchHoldReleasedV1, {"quantity": event.quantity}
        case StockMarkedDefective():
            return ev.BatchMarkedDefectiveV1, {
                "source_bucket": event.source_bucket.value,
                "quantity": event.quantity,
                "reason": event.reason.value,
            }
    raise TypeError(f"no integration event for {type(event).__name__}")


def integration_events(
    record: BatchRecord,
    events: Sequence[BatchEvent],
    caller: Caller,
    *,
    changes: Mapping[str, Any] | None = None,
) -> list[EventEnvelope]:
    """Envelopes for every domain event of one operation on ``record`` (already updated)."""
    if not events:
        return []
    batch = snapshot(record)
    envelopes = []
    for event in events:
        model, fields = _specific(event, record, changes)
        payload = model(
            batch=batch,
            movements=_movements(record, event.movements),
            actor=event.actor,
            occurred_at=event.occurred_at,
            **fields,
        )
        envelopes.append(
            new_event(
                payload,
                producer=PRODUCER,
                aggregate_id=record.state.batch_id,
                aggregate_version=event.version,
                site_id=record.facts.site.id,
                actor=caller.event_actor,
                correlation_id=caller.request_id,
                occurred_at=event.occurred_at,
            )
        )
    return envelopes
