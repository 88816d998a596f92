"""Rows -> the service layer's records: the domain's BatchState rebuilt from a ``batch`` row and
its location and reservation JSON."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from uuid import UUID

import orjson

from inventory.domain import (
    BatchDetails,
    BatchState,
    BatchStatus,
    Buckets,
    CogsMode,
    Costing,
    PackageSource,
    PaymentTerms,
    QuantityMap,
    Reference,
)

__all__ = ["state_from_row"]


def _uuid_text(value: UUID | str) -> str:
    return str(value)


def state_from_row(
    row: Mapping[str, Any], *, locations: list[dict[str, Any]] | None = None
) -> BatchState:
    """Rebuild the domain state from a ``batch`` row plus its location and reservation JSON
    (``locations``: that JSON already parsed)."""
    details = BatchDetails(
        code=row["code"],
        product_id=_uuid_text(row["product_id"]),
        vendor_id=_uuid_text(row["vendor_id"]),
        brand_id=_uuid_text(row["brand_id"]),
        lot_id=_uuid_text(row["lot_id"]),
        category=row["category"],
        costing=Costing(
            mode=CogsMode(row["cogs_mode"]),
            unit_cogs=row["unit_cogs"],
            unit_cogs_min=row["unit_cogs_min"],
            unit_cogs_max=row["unit_cogs_max"],
            total=row["cogs_total"],
        ),
        payment_terms=PaymentTerms(row["payment_terms"]),
        strain=row["strain"],
        sku=row["sku"],
        grade=row["grade"],
        package_tag=row["package_tag"],
        package_source=(
            None
            if row["package_source"] is None
            else PackageSource.from_json(orjson.loads(row["package_source"]))
        ),
    )
    if locations is None:
        locations = orjson.loads(row["locations"])
    # Our own JSON (ids, names, quantities as text): orjson reads it exactly, five times as
    # fast as the standard library.
    held = QuantityMap((str(item["id"]), Decimal(item["qty"])) for item in locations)
    reservations = QuantityMap(
        (Reference(kind, ref), Decimal(qty)) for kind, ref, qty in orjson.loads(row["reservations"])
    )
    return BatchState(
        batch_id=_uuid_text(row["id"]),
        details=details,
        status=BatchStatus(row["status"]),
        buckets=Buckets(
            on_hand=row["on_hand_qty"],
            reserved=row["reserved_qty"],
            quarantine=row["quarantine_qty"],
            hold=row["hold_qty"],
            defective=row["defective_qty"],
        ),
        locations=held,
        primary_location_id=_uuid_text(row["primary_location_id"]),
        reservations=reservations,
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        deleted_at=row["deleted_at"],
    )
