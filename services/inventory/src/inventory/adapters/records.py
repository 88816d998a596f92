"""What the batch store loads and saves: the domain's BatchState plus the facts the domain does
not model (site, names, unit of measure, price, notes, metadata) and the known locations."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
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
    PaymentTerms,
    QuantityMap,
    Reference,
)

__all__ = ["BatchFacts", "BatchRecord", "LocationRow", "SiteRow", "state_from_row"]


@dataclass(frozen=True, slots=True)
class LocationRow:
    id: str
    site_id: str
    zone: str
    rack: str | None
    shelf: str | None
    bin: str | None
    label: str

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LocationRow:
        return cls(
            id=str(data["id"]),
            site_id=str(data["site_id"]),
            zone=data["zone"],
            rack=data.get("rack"),
            shelf=data.get("shelf"),
            bin=data.get("bin"),
            label=data["label"],
        )


@dataclass(frozen=True, slots=True)
class SiteRow:
    id: str
    name: str
    license_number: str
    state: str


@dataclass(frozen=True, slots=True)
class BatchFacts:
    """Facts of a batch outside the domain's BatchDetails (copied from reference rows at
    intake, or edited by updateBatch: ticket, notes, metadata, is_sample)."""

    site: SiteRow
    product_name: str
    subcategory: str | None
    product_sku: str | None
    brand_name: str
    vendor_name: str
    vendor_license: str | None
    lot_code: str
    unit_of_measure: str
    is_sample: bool
    ticket: Decimal | None
    notes: str | None
    metadata: dict[str, Any]


@dataclass(slots=True)
class BatchRecord:
    """A loaded batch: domain state, facts, and the locations whose descriptions are known
    (those holding stock, the primary one, and any a handler looked up)."""

    state: BatchState
    facts: BatchFacts
    places: dict[str, LocationRow] = field(default_factory=dict)


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
        ),
        payment_terms=PaymentTerms(row["payment_terms"]),
        strain=row["strain"],
        sku=row["sku"],
        grade=row["grade"],
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
