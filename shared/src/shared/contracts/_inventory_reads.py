"""Read models of the inventory API: batches, lists, detail, ledger, as-of balances
(private; import from ``shared.contracts.inventory``)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import ConfigDict, Field

from shared.contracts._inventory_reference import InventoryFilters
from shared.contracts.inventory_enums import (
    AdjustmentReason,
    AgingBracket,
    BatchStatus,
    Bucket,
    CogsMode,
    MovementType,
    PackageSourceKind,
    PaymentTerms,
    SortField,
    SortOrder,
    StockStatus,
)
from shared.contracts.types import ApiModel, DecimalString, DecimalTotalString, UtcDateTime

__all__ = [
    "AuditLogEntry",
    "AvailableBatch",
    "Batch",
    "BatchAsOf",
    "BatchDetail",
    "BatchListQuery",
    "BatchLocation",
    "BatchPackageIngredient",
    "BatchPackageSource",
    "BatchPage",
    "EnhancedBatchList",
    "EnhancedListQuery",
    "InventoryAsOf",
    "InventorySummary",
    "LocationQuantity",
    "Movement",
    "MovementPage",
    "Pagination",
    "Reservation",
]

EXAMPLE_BATCH: dict[str, Any] = {
    "id": "0f8b8a52-5a43-4d8e-8a57-2f7b2b1f0c11",
    "code": "B-20260302-0001",
    "sku": "BD-35",
    "siteId": "6a1e2d4c-9b1f-4f53-8f7a-1d2c3b4a5e60",
    "productId": "9d3c1a7e-2b4f-4e8a-9c1d-5f6e7a8b9c0d",
    "productName": "Blue Dream 3.5g",
    "category": "Flower",
    "subcategory": "Indoor",
    "strain": "Blue Dream",
    "brandId": "4b0c1e53-4d2a-4c39-9c39-9b7b1f1e2a10",
    "brandName": "Valley Gold",
    "vendorId": "7c2d9e1f-3a4b-4c5d-8e9f-0a1b2c3d4e5f",
    "vendorName": "Green Valley Farms",
    "lotId": "2e3f4a5b-6c7d-4e8f-9a0b-1c2d3e4f5a6b",
    "lotCode": "GV-2026-03",
    "status": "LIVE",
    "grade": "A",
    "isSample": False,
    "unitOfMeasure": "Grams",
    "onHandQty": "100.0000",
    "reservedQty": "10.0000",
    "quarantineQty": "0.0000",
    "holdQty": "0.0000",
    "defectiveQty": "0.0000",
    "availableQty": "90.0000",
    "physicalQty": "100.0000",
    "cogsMode": "FIXED",
    "unitCogs": "2.5000",
    "unitCogsMin": None,
    "unitCogsMax": None,
    "paymentTerms": "NET_30",
    "ticket": "4.0000",
    "notes": None,
    "metadata": {"harvestDate": "2026-02-01"},
    "primaryLocationId": "5d6e7f80-1a2b-4c3d-8e4f-5a6b7c8d9e0f",
    "version": 3,
    "ageDays": 4,
    "agingBracket": "FRESH",
    "stockStatus": "IN_STOCK",
    "createdAt": "2026-03-02T09:30:00Z",
    "updatedAt": "2026-03-04T15:00:00Z",
    "deletedAt": None,
    "packageTag": "1A4FF0100000022000000123",
    "packageSource": {
        "kind": "BATCHES",
        "manifestNumber": None,
        "ingredients": [
            {
                "batchId": "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f",
                "packageTag": "1A4FF0100000022000000101",
                "quantity": "60.0000",
                "unit": "Grams",
            },
            {
                "batchId": "8e9f0a1b-2c3d-4e5f-8a6b-7c8d9e0f1a2b",
                "packageTag": "1A4FF0100000022000000102",
                "quantity": "40.0000",
                "unit": "Grams",
            },
        ],
        "harvestId": None,
    },
}


class BatchPackageIngredient(ApiModel):
    """A batch this one was made from: the quantity drawn (in that batch's unit) and its package
    tag, both as they were at the intake."""

    batch_id: UUID
    package_tag: str | None = None
    quantity: DecimalString
    unit: str | None = None


class BatchPackageSource(ApiModel):
    """Where the batch's Metrc package came from: an opening balance, a transfer (its
    manifest), other batches (``ingredients``) or a harvest (``harvestId``)."""

    kind: PackageSourceKind
    manifest_number: str | None = None
    ingredients: list[BatchPackageIngredient] | None = None
    harvest_id: UUID | None = None


class Batch(ApiModel):
    """A batch with its buckets; ``availableQty = max(0, onHand - reserved - quarantine - hold)``,
    ``physicalQty = onHand + quarantine + defective`` (what the state system must show)."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_BATCH]})

    id: UUID
    code: str
    sku: str
    site_id: UUID
    product_id: UUID
    product_name: str
    category: str
    subcategory: str | None = None
    strain: str | None = None
    brand_id: UUID
    brand_name: str
    vendor_id: UUID
    vendor_name: str
    lot_id: UUID
    lot_code: str
    status: BatchStatus
    grade: str | None = None
    is_sample: bool = False
    unit_of_measure: str
    on_hand_qty: DecimalString
    reserved_qty: DecimalString
    quarantine_qty: DecimalString
    hold_qty: DecimalString
    defective_qty: DecimalString
    available_qty: DecimalString
    physical_qty: DecimalString
    cogs_mode: CogsMode
    unit_cogs: DecimalString | None = None
    unit_cogs_min: DecimalString | None = None
    unit_cogs_max: DecimalString | None = None
    cogs_total: DecimalString | None = Field(
        default=None,
        description="FIXED only: what the batch cost as a whole, exactly, where it was bought as"
        " a whole (a package received by transfer: the shipper's price for what was accepted);"
        " unitCogs is it per unit, to four places",
    )
    payment_terms: PaymentTerms
    ticket: DecimalString | None = Field(default=None, description="Asking price per unit")
    notes: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    primary_location_id: UUID
    version: int = Field(ge=1, description="Optimistic-lock version; send it back on writes")
    age_days: int = Field(ge=0, description="Whole days since intake")
    aging_bracket: AgingBracket
    stock_status: StockStatus
    created_at: UtcDateTime
    updated_at: UtcDateTime
    deleted_at: UtcDateTime | None = None
    package_tag: str | None = Field(
        default=None, description="The Metrc package tag (24 characters), when known"
    )
    package_source: BatchPackageSource | None = Field(
        default=None, description="How the Metrc package came to be, when known"
    )


class BatchPage(ApiModel):
    """A page of the cursor list; pass ``nextCursor`` back as ``cursor`` for the next one."""

    items: list[Batch]
    next_cursor: str | None = None
    has_more: bool


class BatchListQuery(ApiModel):
    """Parameters of the cursor list (newest first)."""

    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=200)
    site_id: list[UUID] = Field(default_factory=list)
    status: list[BatchStatus] = Field(default_factory=list)
    category: list[str] = Field(default_factory=list)
    search: str | None = Field(default=None, max_length=100)
    include_archived: bool = False


class EnhancedListQuery(InventoryFilters):
    """Parameters of the enhanced list: page, sort and every filter."""

    page: int = Field(default=1, ge=1, le=100_000)
    page_size: int = Field(default=25, ge=1, le=200)
    sort_by: SortField = SortField.CREATED_AT
    sort_order: SortOrder = SortOrder.DESC


class Pagination(ApiModel):
    page: int
    page_size: int
    total_items: int
    total_pages: int
    has_next: bool
    has_previous: bool


class InventorySummary(ApiModel):
    """Counts and totals over the whole filtered set (not just the page).

    ``totalValue`` values physical stock at unit cost (a RANGE cost counts at its midpoint),
    rounded to 4 places. Totals are sums over any number of batches, so they are not bounded
    by NUMERIC(15,4) as a single batch's quantities are."""

    total_batches: int
    total_on_hand_qty: DecimalTotalString
    total_reserved_qty: DecimalTotalString
    total_quarantine_qty: DecimalTotalString
    total_hold_qty: DecimalTotalString
    total_defective_qty: DecimalTotalString
    total_available_qty: DecimalTotalString
    total_value: DecimalTotalString
    status_counts: dict[BatchStatus, int]
    stock_status_counts: dict[StockStatus, int]
    aging_counts: dict[AgingBracket, int]


class EnhancedBatchList(ApiModel):
    items: list[Batch]
    pagination: Pagination
    summary: InventorySummary


class BatchLocation(ApiModel):
    """Quantity of a batch at one location; a batch's locations add up to its physicalQty."""

    location_id: UUID
    site_id: UUID
    zone: str
    rack: str | None = None
    shelf: str | None = None
    bin: str | None = None
    label: str
    qty: DecimalString


class Movement(ApiModel):
    """One ledger row: one change to one bucket. Never updated or deleted."""

    id: int
    batch_id: UUID
    batch_version: int
    sequence: int
    bucket: Bucket
    movement_type: MovementType
    quantity_change: DecimalString
    quantity_before: DecimalString
    quantity_after: DecimalString
    location_id: UUID | None = None
    adjustment_reason: AdjustmentReason | None = None
    notes: str | None = None
    reference_type: str | None = None
    reference_id: str | None = None
    performed_by: str = Field(description="Who: the user id or API key id")
    performed_by_name: str | None = Field(
        default=None,
        description="Who, as people read it: the display name the caller had when it acted "
        "(null on rows written before names were recorded)",
    )
    occurred_at: UtcDateTime


class MovementPage(ApiModel):
    items: list[Movement]
    next_cursor: str | None = None
    has_more: bool
    total: int | None = Field(
        default=None,
        description="How many movements match the filters (all pages); only with includeTotal",
    )


class AuditLogEntry(ApiModel):
    """Who did what to a batch, when and why, with the fields it changed (before/after)."""

    id: int
    batch_id: UUID
    action: str = Field(examples=["ADJUST_QTY", "UPDATE_STATUS", "UPDATE_BATCH"])
    performed_by: str = Field(description="Who: the user id or API key id")
    performed_by_name: str | None = Field(
        default=None, description="Who, as people read it (the caller's display name then)"
    )
    occurred_at: UtcDateTime
    reason: str | None = None
    version: int
    changes: dict[str, Any] = Field(default_factory=dict)
    request_id: str | None = None


class Reservation(ApiModel):
    reference_type: str
    reference_id: str
    qty: DecimalString


class BatchDetail(ApiModel):
    """Everything the batch drawer shows."""

    batch: Batch
    locations: list[BatchLocation]
    audit_logs: list[AuditLogEntry] = Field(description="Newest first, at most 50")
    movements: list[Movement] = Field(description="Newest first, at most 50")
    reservations: list[Reservation]
    available_qty: DecimalString
    allowed_transitions: list[BatchStatus]


class AvailableBatch(ApiModel):
    """A batch that can be sold now, FIFO by age (oldest first)."""

    batch_id: UUID
    code: str
    sku: str
    site_id: UUID
    product_id: UUID
    status: BatchStatus
    available_qty: DecimalString
    unit_of_measure: str
    unit_cogs: DecimalString | None = None
    ticket: DecimalString | None = None
    grade: str | None = None
    created_at: UtcDateTime
    age_days: int
    aging_bracket: AgingBracket
    version: int


class LocationQuantity(ApiModel):
    location_id: UUID
    qty: DecimalString


class BatchAsOf(ApiModel):
    """A batch's balances at an instant, replayed from the ledger."""

    batch_id: UUID
    code: str
    at: UtcDateTime
    version: int = Field(description="Batch version of the last movement at or before ``at``")
    on_hand_qty: DecimalString
    reserved_qty: DecimalString
    quarantine_qty: DecimalString
    hold_qty: DecimalString
    defective_qty: DecimalString
    available_qty: DecimalString
    physical_qty: DecimalString
    locations: list[LocationQuantity]


class InventoryAsOf(ApiModel):
    """A site's inventory at an instant: per batch, and per location over the page's batches."""

    site_id: UUID
    at: UtcDateTime
    items: list[BatchAsOf]
    next_cursor: str | None = None
    has_more: bool
