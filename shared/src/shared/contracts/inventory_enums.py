"""Closed value sets of the inventory's vocabulary, defined once: the inventory domain speaks them
(its only import from shared; plain enums, no I/O), its HTTP contract re-exports them
(``shared.contracts.inventory``) and its event payloads use them (``shared.events.inventory``,
which must not depend on the HTTP contract itself). What the domain adds to them (which buckets
are physical, a bucket's spec column, a bracket's days) stays in the domain.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "AdjustmentReason",
    "AgingBracket",
    "BatchStatus",
    "Bucket",
    "BulkOutcome",
    "CogsMode",
    "MovementType",
    "PackageSourceKind",
    "PaymentTerms",
    "SortField",
    "SortOrder",
    "StockStatus",
]


class BatchStatus(StrEnum):
    """Lifecycle status of a batch (the spec's status machine)."""

    AWAITING_INTAKE = "AWAITING_INTAKE"
    LIVE = "LIVE"
    PHOTOGRAPHY_COMPLETE = "PHOTOGRAPHY_COMPLETE"
    ON_HOLD = "ON_HOLD"
    QUARANTINED = "QUARANTINED"
    SOLD_OUT = "SOLD_OUT"
    CLOSED = "CLOSED"


class Bucket(StrEnum):
    """A quantity bucket of a batch; ON_HAND, QUARANTINE and DEFECTIVE hold stock, RESERVED and
    HOLD are earmarks within on-hand."""

    ON_HAND = "ON_HAND"
    RESERVED = "RESERVED"
    QUARANTINE = "QUARANTINE"
    HOLD = "HOLD"
    DEFECTIVE = "DEFECTIVE"


class MovementType(StrEnum):
    """Why a bucket changed (the spec's ten types plus those that make the ledger complete)."""

    # The first ten are the spec's; the rest make the ledger bucket-complete (the source system
    # changed reserved/hold/defective without a trace).

    INTAKE = "INTAKE"
    """New stock received from a supplier (ON_HAND +)."""
    SALE = "SALE"
    """Stock sold; consumes the order's reservation (RESERVED -) and on-hand (ON_HAND -)."""
    RETURN = "RETURN"
    """Customer return without refund (the spec's legacy type) (ON_HAND or QUARANTINE +)."""
    REFUND_RETURN = "REFUND_RETURN"
    """Customer return with refund (ON_HAND or QUARANTINE +)."""
    ADJUSTMENT = "ADJUSTMENT"
    """Manual correction of a physical bucket with a reason (+/-)."""
    QUARANTINE = "QUARANTINE"
    """Pair: ON_HAND -x, QUARANTINE +x, when the batch becomes QUARANTINED."""
    RELEASE_FROM_QUARANTINE = "RELEASE_FROM_QUARANTINE"
    """Pair: QUARANTINE -x, ON_HAND +x, when a QUARANTINED batch goes back to LIVE."""
    DISPOSAL = "DISPOSAL"
    """Stock destroyed or written off with a reason (physical bucket -)."""
    TRANSFER = "TRANSFER"
    """Pair of legs, -x at the source location and +x at the destination, same bucket."""
    SAMPLE = "SAMPLE"
    """Stock sent out as a sample (ON_HAND -); samples leave the building."""
    RESERVE = "RESERVE"
    """Earmark stock for an order (RESERVED +)."""
    RELEASE_RESERVATION = "RELEASE_RESERVATION"
    """Drop an order's earmark without selling (RESERVED -)."""
    HOLD = "HOLD"
    """Put stock on hold (HOLD +)."""
    RELEASE_HOLD = "RELEASE_HOLD"
    """Take stock off hold (HOLD -)."""
    DEFECTIVE = "DEFECTIVE"
    """Pair: ON_HAND (or QUARANTINE) -x, DEFECTIVE +x."""
    CORRECTION = "CORRECTION"
    """Compensating movement; used when an intake is cancelled (AWAITING_INTAKE -> CLOSED)."""
    CONSUMPTION = "CONSUMPTION"
    """Stock drawn into another batch made from it (ON_HAND -); the reference is that batch
    (``BATCH <id>``). Metrc draws the same from the package when it creates the other one."""


class AdjustmentReason(StrEnum):
    """The spec's adjustment reasons; OTHER requires notes."""

    DAMAGED = "DAMAGED"
    EXPIRED = "EXPIRED"
    LOST = "LOST"
    THEFT = "THEFT"
    COUNT_DISCREPANCY = "COUNT_DISCREPANCY"
    QUALITY_ISSUE = "QUALITY_ISSUE"
    REWEIGH = "REWEIGH"
    OTHER = "OTHER"


class CogsMode(StrEnum):
    """Unit cost known as one figure (FIXED) or as a range (RANGE, min < max)."""

    FIXED = "FIXED"
    RANGE = "RANGE"


class PackageSourceKind(StrEnum):
    """Where a batch's Metrc package came from."""

    OPENING_BALANCE = "OPENING_BALANCE"
    TRANSFER = "TRANSFER"
    BATCHES = "BATCHES"
    HARVEST = "HARVEST"


class PaymentTerms(StrEnum):
    """Payment terms agreed with the vendor."""

    COD = "COD"
    NET_7 = "NET_7"
    NET_15 = "NET_15"
    NET_30 = "NET_30"
    CONSIGNMENT = "CONSIGNMENT"
    PARTIAL = "PARTIAL"


class StockStatus(StrEnum):
    """OUT_OF_STOCK at 0 available, LOW_STOCK up to 10, IN_STOCK above."""

    IN_STOCK = "IN_STOCK"
    LOW_STOCK = "LOW_STOCK"
    OUT_OF_STOCK = "OUT_OF_STOCK"


class AgingBracket(StrEnum):
    """FRESH 0-14 days since intake, MODERATE 15-30, AGING 31-60, CRITICAL 61+."""

    FRESH = "FRESH"
    MODERATE = "MODERATE"
    AGING = "AGING"
    CRITICAL = "CRITICAL"


class BulkOutcome(StrEnum):
    UPDATED = "UPDATED"
    DELETED = "DELETED"
    SKIPPED = "SKIPPED"
    FAILED = "FAILED"


class SortOrder(StrEnum):
    ASC = "asc"
    DESC = "desc"


class SortField(StrEnum):
    """Columns the enhanced list sorts on (ties are broken by batch id, so pages are stable)."""

    CODE = "code"
    SKU = "sku"
    PRODUCT_NAME = "productName"
    CATEGORY = "category"
    VENDOR_NAME = "vendorName"
    BRAND_NAME = "brandName"
    GRADE = "grade"
    STATUS = "status"
    ON_HAND = "onHandQty"
    RESERVED = "reservedQty"
    QUARANTINE = "quarantineQty"
    HOLD = "holdQty"
    DEFECTIVE = "defectiveQty"
    AVAILABLE = "availableQty"
    UNIT_COGS = "unitCogs"
    TICKET = "ticket"
    AGE = "ageDays"
    CREATED_AT = "createdAt"
    UPDATED_AT = "updatedAt"
