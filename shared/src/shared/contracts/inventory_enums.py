"""Closed value sets of the inventory's vocabulary, shared by its HTTP contract
(``shared.contracts.inventory`` re-exports them) and its event payloads (``shared.events.inventory``),
which must not depend on the HTTP contract itself.

They mirror the inventory domain's enums value for value (a test in the inventory service checks
it); shared code cannot import a service, so the contract states them itself.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "AdjustmentReason",
    "AgingBracket",
    "BatchStatus",
    "Bucket",
    "CogsMode",
    "MovementType",
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

    INTAKE = "INTAKE"
    SALE = "SALE"
    RETURN = "RETURN"
    REFUND_RETURN = "REFUND_RETURN"
    ADJUSTMENT = "ADJUSTMENT"
    QUARANTINE = "QUARANTINE"
    RELEASE_FROM_QUARANTINE = "RELEASE_FROM_QUARANTINE"
    DISPOSAL = "DISPOSAL"
    TRANSFER = "TRANSFER"
    SAMPLE = "SAMPLE"
    RESERVE = "RESERVE"
    RELEASE_RESERVATION = "RELEASE_RESERVATION"
    HOLD = "HOLD"
    RELEASE_HOLD = "RELEASE_HOLD"
    DEFECTIVE = "DEFECTIVE"
    CORRECTION = "CORRECTION"


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
