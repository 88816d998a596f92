"""Domain events -> integration events (``shared.events.inventory``), in one place.

Each integration event carries the batch as it is after the operation (a snapshot built once per
operation) and exactly the ledger rows its domain event explains.

Payloads are built here directly in their JSON form (the form ``model_dump(mode="json")`` of
the registered payload model gives: decimal strings, ``...Z`` times, enum values) and handed to
``shared.outbox.outbox_message``, which wraps and encodes them once (see there for why). The
models stay the contract: the test suite checks every event the service writes against its
registered model, and that the model gives back exactly this JSON.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel
from shared.events import inventory as ev
from shared.json_form import decimal_text, utc_text
from shared.outbox import OutboxMessage, outbox_message

from inventory.domain import (
    BatchDeleted,
    BatchEvent,
    BatchReceived,
    BatchRevised,
    BatchStatusChanged,
    HoldReleased,
    Movement,
    MovementType,
    QuarantineReleased,
    Reference,
    ReservationReleased,
    SampleSent,
    StockAdjusted,
    StockConsumed,
    StockDisposed,
    StockHeld,
    StockMarkedDefective,
    StockQuarantined,
    StockReserved,
    StockReturned,
    StockSold,
    StockTransferred,
)
from inventory.service_layer.caller import Caller
from inventory.service_layer.records import BatchRecord, LocationRow

__all__ = ["PRODUCER", "integration_events", "payload_json", "snapshot"]

PRODUCER = "inventory"

JsonObject = dict[str, Any]


def _location(row: LocationRow) -> JsonObject:
    return {
        "id": row.id,
        "site_id": row.site_id,
        "zone": row.zone,
        "rack": row.rack,
        "shelf": row.shelf,
        "bin": row.bin,
        "label": row.label,
    }


def _reference(reference: Reference | None) -> JsonObject | None:
    return None if reference is None else {"type": reference.type, "id": reference.id}


def snapshot(record: BatchRecord) -> JsonObject:
    """The batch after the operation, as every inventory event carries it (the JSON form of
    ``ev.BatchSnapshot``)."""
    state, facts = record.state, record.facts
    d, b, costing = state.details, state.buckets, state.details.costing
    return {
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
            "on_hand": format(b.on_hand, "f"),
            "reserved": format(b.reserved, "f"),
            "quarantine": format(b.quarantine, "f"),
            "hold": format(b.hold, "f"),
            "defective": format(b.defective, "f"),
            "available": format(b.available, "f"),
            "physical": format(b.physical, "f"),
        },
        "locations": [
            {"location": _location(record.places[location_id]), "qty": format(qty, "f")}
            for location_id, qty in sorted(state.locations.items())
        ],
        "costs": {
            "cogs_mode": costing.mode.value,
            "unit_cogs": decimal_text(costing.unit_cogs),
            "unit_cogs_min": decimal_text(costing.unit_cogs_min),
            "unit_cogs_max": decimal_text(costing.unit_cogs_max),
            "ticket": decimal_text(facts.ticket),
            "payment_terms": d.payment_terms.value,
        },
        "version": state.version,
        "created_at": utc_text(state.created_at),
        "updated_at": utc_text(state.updated_at),
        "deleted_at": None if state.deleted_at is None else utc_text(state.deleted_at),
        "package_tag": d.package_tag,
        "package_source": None if d.package_source is None else d.package_source.to_json(),
    }


def _movements(record: BatchRecord, movements: Sequence[Movement]) -> list[JsonObject]:
    return [
        {
            "batch_version": m.batch_version,
            "sequence": m.sequence,
            "bucket": m.bucket.value,
            "type": m.type.value,
            "change": format(m.change, "f"),
            "before": format(m.before, "f"),
            "after": format(m.after, "f"),
            "reason": m.reason.value if m.reason else None,
            "notes": m.notes,
            "reference": _reference(m.reference),
            "location": _location(record.places[m.location_id]) if m.location_id else None,
            "actor": m.actor,
            "occurred_at": utc_text(m.occurred_at),
        }
        for m in movements
    ]


def _specific(
    event: BatchEvent, record: BatchRecord, changes: Mapping[str, Any] | None
) -> tuple[type[ev.BatchEventBase], JsonObject]:
    """The registered payload model of ``event`` and the JSON of its own fields."""
    place = record.places
    match event:
        case BatchReceived():
            return ev.BatchCreatedV1, {
                "quantity": format(event.quantity, "f"),
                "location": _location(place[event.location_id]),
                "reference": _reference(event.reference),
                "notes": event.movements[0].notes if event.movements else None,
            }
        case StockAdjusted():
            return ev.BatchAdjustedV1, {
                "bucket": event.bucket.value,
                "adjustment": format(event.adjustment, "f"),
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
            # Field changes arrive JSON-ready (wire names, before/after values).
            return ev.BatchUpdatedV1, {
                "changes": {
                    name: {"before": change.get("before"), "after": change.get("after")}
                    for name, change in (changes or {}).items()
                },
                "reason": event.reason,
            }
        case BatchDeleted():
            return ev.BatchDeletedV1, {"reason": event.reason}
        case StockTransferred():
            return ev.BatchTransferredV1, {
                "bucket": event.bucket.value,
                "quantity": format(event.quantity, "f"),
                "from_location": _location(place[event.from_location_id]),
                "to_location": _location(place[event.to_location_id]),
            }
        case StockReserved():
            return ev.BatchReservedV1, {
                "reference": _reference(event.reference),
                "quantity": format(event.quantity, "f"),
            }
        case ReservationReleased():
            return ev.BatchReservationReleasedV1, {
                "reference": _reference(event.reference),
                "quantity": format(event.quantity, "f"),
                "remaining": format(event.remaining, "f"),
            }
        case StockSold():
            return ev.BatchSoldV1, {
                "reference": _reference(event.reference),
                "quantity": format(event.quantity, "f"),
                "from_reservation": format(event.from_reservation, "f"),
                "location": _location(place[event.location_id]),
            }
        case StockReturned():
            return ev.BatchReturnedV1, {
                "refund": event.movement_type is MovementType.REFUND_RETURN,
                "bucket": event.bucket.value,
                "quantity": format(event.quantity, "f"),
                "location": _location(place[event.location_id]),
                "reference": _reference(event.reference),
            }
        case SampleSent():
            return ev.BatchSampleSentV1, {
                "quantity": format(event.quantity, "f"),
                "location": _location(place[event.location_id]),
                "reference": _reference(event.reference),
            }
        case StockDisposed():
            return ev.BatchDisposedV1, {
                "bucket": event.bucket.value,
                "quantity": format(event.quantity, "f"),
                "reason": event.reason.value,
                "location": _location(place[event.location_id]),
            }
        case StockHeld():
            return ev.BatchHeldV1, {"quantity": format(event.quantity, "f")}
        case HoldReleased():
            return ev.BatchHoldReleasedV1, {"quantity": format(event.quantity, "f")}
        case StockQuarantined():
            return ev.BatchQuarantinedPartV1, {
                "quantity": format(event.quantity, "f"),
                "reason": event.reason,
            }
        case QuarantineReleased():
            return ev.BatchQuarantinePartReleasedV1, {
                "quantity": format(event.quantity, "f"),
                "reason": event.reason,
            }
        case StockConsumed():
            return ev.BatchConsumedV1, {
                "quantity": format(event.quantity, "f"),
                "into_batch_id": event.into_batch_id,
            }
        case StockMarkedDefective():
            return ev.BatchMarkedDefectiveV1, {
                "source_bucket": event.source_bucket.value,
                "quantity": format(event.quantity, "f"),
                "reason": event.reason.value,
            }
    raise TypeError(f"no integration event for {type(event).__name__}")


def payload_json(
    record: BatchRecord,
    event: BatchEvent,
    *,
    batch: JsonObject | None = None,
    changes: Mapping[str, Any] | None = None,
) -> tuple[type[BaseModel], JsonObject]:
    """The registered payload model of ``event`` and the payload in its JSON form.

    ``batch``: the snapshot of ``record``, when the caller has built it already."""
    model, fields = _specific(event, record, changes)
    return model, {
        "batch": snapshot(record) if batch is None else batch,
        "movements": _movements(record, event.movements),
        "actor": event.actor,
        "occurred_at": utc_text(event.occurred_at),
        **fields,
    }


def integration_events(
    record: BatchRecord,
    events: Sequence[BatchEvent],
    caller: Caller,
    *,
    changes: Mapping[str, Any] | None = None,
) -> list[OutboxMessage]:
    """The outbox messages of every domain event of one operation on ``record`` (already
    updated), each built by ``shared.outbox.outbox_message`` from its payload's JSON form."""
    if not events:
        return []
    batch = snapshot(record)
    actor = caller.event_actor
    batch_id, site_id = record.state.batch_id, record.facts.site.id
    messages = []
    for event in events:
        model, payload = payload_json(record, event, batch=batch, changes=changes)
        messages.append(
            outbox_message(
                payload,
                event=model,
                producer=PRODUCER,
                aggregate_id=batch_id,
                aggregate_version=event.version,
                site_id=site_id,
                actor=actor,
                correlation_id=caller.request_id,
                occurred_at=event.occurred_at,
            )
        )
    return messages
