"""What the batch repository loads and saves: the domain's BatchState plus the facts the domain
does not model (site, names, unit of measure, price, notes, metadata), the known locations, and
the audit row an operation writes next to its movements."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from inventory.domain import BatchState

__all__ = ["AuditEntry", "BatchFacts", "BatchRecord", "LocationRow", "SiteRow"]


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
    def of(cls, row: Mapping[str, Any]) -> LocationRow:
        """From a location's row or its JSON (ids as text; rack, shelf and bin may be absent)."""
        return cls(
            id=str(row["id"]),
            site_id=str(row["site_id"]),
            zone=row["zone"],
            rack=row.get("rack"),
            shelf=row.get("shelf"),
            bin=row.get("bin"),
            label=row["label"],
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


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """The audit row an operation writes next to its movements."""

    action: str
    actor: str
    reason: str | None
    changes: Mapping[str, Any]
    request_id: str | None
    actor_name: str | None = None
