"""Batches, movements, write answers and bulk results as the HTTP contract shows them.

Two sources: a loaded :class:`BatchRecord` (after a write) and a ``batch`` row (list queries,
whose columns have the same names). What a write answers is built directly in its JSON form
(``batch_json``, ``movement_json``; see ``json_form``): validating the models and dumping them
again cost about 0.2 ms per write. Age, aging bracket and stock status depend on "now", which
the caller passes in once per request.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel
from shared.contracts import inventory as api
from shared.json_form import decimal_text, utc_text

from inventory.domain import (
    BatchStatus,
    Movement,
    age_in_days,
    aging_bracket,
    allowed_transitions,
    stock_status,
)
from inventory.service_layer.batch_operations import WriteOutcome
from inventory.service_layer.bulk import BulkItem, BulkOutcome
from inventory.service_layer.caller import utc_now
from inventory.service_layer.records import BatchRecord

__all__ = [
    "allowed_next_statuses",
    "batch_from_row",
    "batch_json",
    "bulk_result",
    "movement_from_row",
    "movement_json",
    "shown",
    "write_result",
]


def _derived(created_at: datetime, available: Decimal, now: datetime) -> dict[str, Any]:
    return {
        "age_days": age_in_days(created_at, as_of=now),
        "aging_bracket": aging_bracket(created_at, as_of=now).value,
        "stock_status": stock_status(available).value,
    }


def batch_json(record: BatchRecord, now: datetime) -> dict[str, Any]:
    """A loaded batch in the JSON form of ``api.Batch`` (camelCase; what a write answers)."""
    state, facts = record.state, record.facts
    d, b, costing = state.details, state.buckets, state.details.costing
    available = b.available
    return {
        "id": state.batch_id,
        "code": d.code,
        "sku": d.sku or d.code,
        "siteId": facts.site.id,
        "productId": d.product_id,
        "productName": facts.product_name,
        "category": d.category,
        "subcategory": facts.subcategory,
        "strain": d.strain,
        "brandId": d.brand_id,
        "brandName": facts.brand_name,
        "vendorId": d.vendor_id,
        "vendorName": facts.vendor_name,
        "lotId": d.lot_id,
        "lotCode": facts.lot_code,
        "status": state.status.value,
        "grade": d.grade,
        "isSample": facts.is_sample,
        "unitOfMeasure": facts.unit_of_measure,
        "onHandQty": format(b.on_hand, "f"),
        "reservedQty": format(b.reserved, "f"),
        "quarantineQty": format(b.quarantine, "f"),
        "holdQty": format(b.hold, "f"),
        "defectiveQty": format(b.defective, "f"),
        "availableQty": format(available, "f"),
        "physicalQty": format(b.physical, "f"),
        "cogsMode": costing.mode.value,
        "unitCogs": decimal_text(costing.unit_cogs),
        "unitCogsMin": decimal_text(costing.unit_cogs_min),
        "unitCogsMax": decimal_text(costing.unit_cogs_max),
        "cogsTotal": decimal_text(costing.total),
        "paymentTerms": d.payment_terms.value,
        "ticket": decimal_text(facts.ticket),
        "notes": facts.notes,
        "metadata": facts.metadata,
        "primaryLocationId": state.primary_location_id,
        "version": state.version,
        "ageDays": age_in_days(state.created_at, as_of=now),
        "agingBracket": aging_bracket(state.created_at, as_of=now).value,
        "stockStatus": stock_status(available).value,
        "createdAt": utc_text(state.created_at),
        "updatedAt": utc_text(state.updated_at),
        "deletedAt": None if state.deleted_at is None else utc_text(state.deleted_at),
        "packageTag": d.package_tag,
        "packageSource": None if d.package_source is None else _source(d.package_source.to_json()),
    }


def _source(stored: Mapping[str, Any]) -> dict[str, Any]:
    """A package source as stored (``PackageSource.to_json``) in the contract's JSON form."""
    ingredients = stored.get("ingredients")
    return {
        "kind": stored["kind"],
        "manifestNumber": stored.get("manifest_number"),
        "ingredients": None
        if ingredients is None
        else [
            {
                "batchId": i["batch_id"],
                "packageTag": i.get("package_tag"),
                "quantity": i["quantity"],
                "unit": i.get("unit"),
            }
            for i in ingredients
        ],
        "harvestId": stored.get("harvest_id"),
    }


def shown(model: type[M], row: Mapping[str, Any], **given: Any) -> M:
    """A row as the contract shows it: the model's fields from the row's columns of the same names
    (a list's sort key is not one), and ``given`` (what is renamed, decoded or computed)."""
    return model.model_validate(
        {**{name: row[name] for name in model.model_fields if name not in given}, **given}
    )


def batch_from_row(row: Mapping[str, Any], now: datetime) -> api.Batch:
    """From a ``batch`` row (all columns, ``metadata`` as JSON text)."""
    return shown(
        api.Batch,
        row,
        physical_qty=row["on_hand_qty"] + row["quarantine_qty"] + row["defective_qty"],
        metadata=json.loads(row["metadata"]),
        package_source=(
            None if row["package_source"] is None else _source(json.loads(row["package_source"]))
        ),
        **_derived(row["created_at"], row["available_qty"], now),
    )


def movement_json(
    movement: Movement, movement_id: int, actor_name: str | None = None
) -> dict[str, Any]:
    """A movement a write appended, in the JSON form of ``api.Movement``."""
    reference = movement.reference
    return {
        "id": movement_id,
        "batchId": movement.batch_id,
        "batchVersion": movement.batch_version,
        "sequence": movement.sequence,
        "bucket": movement.bucket.value,
        "movementType": movement.type.value,
        "quantityChange": format(movement.change, "f"),
        "quantityBefore": format(movement.before, "f"),
        "quantityAfter": format(movement.after, "f"),
        "locationId": movement.location_id,
        "adjustmentReason": movement.reason.value if movement.reason else None,
        "notes": movement.notes,
        "referenceType": reference.type if reference else None,
        "referenceId": reference.id if reference else None,
        "performedBy": movement.actor,
        "performedByName": actor_name,
        "occurredAt": utc_text(movement.occurred_at),
    }


def movement_from_row(row: Mapping[str, Any]) -> api.Movement:
    return shown(api.Movement, row)


def allowed_next_statuses(status: str) -> list[api.BatchStatus]:
    """The statuses the machine allows next (guards such as "empty" aside)."""
    return sorted(allowed_transitions(BatchStatus(status)))


def write_result(outcome: WriteOutcome) -> dict[str, Any]:
    """The JSON form of ``api.BatchWriteResult`` (and of ``api.IntakeResult``, the same)."""
    return {
        "success": True,
        "batch": batch_json(outcome.record, utc_now()),
        "movements": [
            movement_json(m, i, outcome.actor_name)
            for m, i in zip(outcome.movements, outcome.movement_ids, strict=True)
        ],
    }


B = TypeVar("B", api.BulkStatusResult, api.BulkDeleteResult)
M = TypeVar("M", bound=BaseModel)


def bulk_result(items: list[BulkItem], model: type[B], done: BulkOutcome) -> B:
    """A bulk action's answer: per batch, and counted (``updated`` or ``deleted``, by ``done``)."""
    results = [
        api.BulkItemResult(
            batch_id=item.batch_id,
            outcome=item.outcome,
            code=item.code,
            message=item.message,
            version=item.version,
        )
        for item in items
    ]
    errors = [
        api.BulkItemError(batch_id=r.batch_id, code=r.code or "", message=r.message or "")
        for r in results
        if r.outcome is api.BulkOutcome.FAILED
    ]
    counts = {
        done.value.lower(): sum(1 for i in items if i.outcome is done),
        "skipped": sum(1 for i in items if i.outcome is BulkOutcome.SKIPPED),
    }
    return model(success=not errors, errors=errors, results=results, **counts)
