"""Batches, movements and locations as the HTTP contract shows them (``shared.contracts``).

Two sources: a loaded :class:`BatchRecord` (after a write) and a ``batch`` row (list queries,
whose columns have the same names). Age, aging bracket and stock status depend on "now", which
the caller passes in once per request.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from shared.contracts import inventory as api

from inventory.adapters.records import BatchRecord
from inventory.domain import (
    BatchStatus,
    Movement,
    age_in_days,
    aging_bracket,
    allowed_transitions,
    stock_status,
)

__all__ = [
    "allowed_next_statuses",
    "batch_from_record",
    "batch_from_row",
    "movement_from_domain",
    "movement_from_row",
]


def _derived(created_at: datetime, available: Decimal, now: datetime) -> dict[str, Any]:
    return {
        "age_days": age_in_days(created_at, as_of=now),
        "aging_bracket": aging_bracket(created_at, as_of=now).value,
        "stock_status": stock_status(available).value,
    }


def batch_from_record(record: BatchRecord, now: datetime) -> api.Batch:
    state, facts = record.state, record.facts
    d, b = state.details, state.buckets
    return api.Batch(
        id=state.batch_id,
        code=d.code,
        sku=d.sku or d.code,
        site_id=facts.site.id,
        product_id=d.product_id,
        product_name=facts.product_name,
        category=d.category,
        subcategory=facts.subcategory,
        strain=d.strain,
        brand_id=d.brand_id,
        brand_name=facts.brand_name,
        vendor_id=d.vendor_id,
        vendor_name=facts.vendor_name,
        lot_id=d.lot_id,
        lot_code=facts.lot_code,
        batch_status=api.BatchStatus(state.status.value),
        grade=d.grade,
        is_sample=facts.is_sample,
        unit_of_measure=facts.unit_of_measure,
        on_hand_qty=b.on_hand,
        reserved_qty=b.reserved,
        quarantine_qty=b.quarantine,
        hold_qty=b.hold,
        defective_qty=b.defective,
        available_qty=b.available,
        physical_qty=b.physical,
        cogs_mode=api.CogsMode(d.costing.mode.value),
        unit_cogs=d.costing.unit_cogs,
        unit_cogs_min=d.costing.unit_cogs_min,
        unit_cogs_max=d.costing.unit_cogs_max,
        payment_terms=api.PaymentTerms(d.payment_terms.value),
        ticket=facts.ticket,
        notes=facts.notes,
        metadata=facts.metadata,
        primary_location_id=state.primary_location_id,
        version=state.version,
        created_at=state.created_at,
        updated_at=state.updated_at,
        deleted_at=state.deleted_at,
        **_derived(state.created_at, b.available, now),
    )


def batch_from_row(row: Mapping[str, Any], now: datetime) -> api.Batch:
    """From a ``batch`` row (all columns, ``metadata`` as JSON text)."""
    physical = row["on_hand_qty"] + row["quarantine_qty"] + row["defective_qty"]
    return api.Batch(
        id=row["id"],
        code=row["code"],
        sku=row["sku"],
        site_id=row["site_id"],
        product_id=row["product_id"],
        product_name=row["product_name"],
        category=row["category"],
        subcategory=row["subcategory"],
        strain=row["strain"],
        brand_id=row["brand_id"],
        brand_name=row["brand_name"],
        vendor_id=row["vendor_id"],
        vendor_name=row["vendor_name"],
        lot_id=row["lot_id"],
        lot_code=row["lot_code"],
        batch_status=row["status"],
        grade=row["grade"],
        is_sample=row["is_sample"],
        unit_of_measure=row["unit_of_measure"],
        on_hand_qty=row["on_hand_qty"],
        reserved_qty=row["reserved_qty"],
        quarantine_qty=row["quarantine_qty"],
        hold_qty=row["hold_qty"],
        defective_qty=row["defective_qty"],
        available_qty=row["available_qty"],
        physical_qty=physical,
        cogs_mode=row["cogs_mode"],
        unit_cogs=row["unit_cogs"],
        unit_cogs_min=row["unit_cogs_min"],
        unit_cogs_max=row["unit_cogs_max"],
        payment_terms=row["payment_terms"],
        ticket=row["ticket"],
        notes=row["notes"],
        metadata=json.loads(row["metadata"]),
        primary_location_id=row["primary_location_id"],
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        deleted_at=row["deleted_at"],
        **_derived(row["created_at"], row["available_qty"], now),
    )


def movement_from_domain(movement: Movement, movement_id: int) -> api.Movement:
    return api.Movement(
        id=movement_id,
        batch_id=movement.batch_id,
        batch_version=movement.batch_version,
        sequence=movement.sequence,
        bucket=api.Bucket(movement.bucket.value),
        movement_type=api.MovementType(movement.type.value),
        quantity_change=movement.change,
        quantity_before=movement.before,
        quantity_after=movement.after,
        location_id=movement.location_id,
        adjustment_reason=api.AdjustmentReason(movement.reason.value) if movement.reason else None,
        notes=movement.notes,
        reference_type=movement.reference.type if movement.reference else None,
        reference_id=movement.reference.id if movement.reference else None,
        performed_by=movement.actor,
        occurred_at=movement.occurred_at,
    )


def movement_from_row(row: Mapping[str, Any]) -> api.Movement:
    return api.Movement(
        id=row["id"],
        batch_id=row["batch_id"],
        batch_version=row["batch_version"],
        sequence=row["sequence"],
        bucket=row["bucket"],
        movement_type=row["movement_type"],
        quantity_change=row["quantity_change"],
        quantity_before=row["quantity_before"],
        quantity_after=row["quantity_after"],
        location_id=row["location_id"],
        adjustment_reason=row["adjustment_reason"],
        notes=row["notes"],
        reference_type=row["reference_type"],
        reference_id=row["reference_id"],
        performed_by=row["performed_by"],
        occurred_at=row["occurred_at"],
    )


def allowed_next_statuses(status: str) -> list[api.BatchStatus]:
    """The statuses the machine allows next (guards such as "empty" aside)."""
    return sorted(api.BatchStatus(s.value) for s in allowed_transitions(BatchStatus(status)))
