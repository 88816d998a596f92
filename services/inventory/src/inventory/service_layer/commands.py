"""Commands: what the service is asked to do, in its own terms (domain types, no HTTP).

An HTTP route builds one from the contract's request (``entrypoints/commands.py``); a Kafka
consumer would build one from an event; the handlers in this package take them alike. Every
write on an existing batch carries ``version`` (None: not checked), refused with
OPTIMISTIC_LOCK_CONFLICT when stale.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from uuid import UUID

from inventory.domain import (
    AdjustmentReason,
    BatchStatus,
    Bucket,
    CogsMode,
    PackageSource,
    PaymentTerms,
    Reference,
)

__all__ = [
    "AdjustQuantity",
    "BrandChoice",
    "ChangeStatus",
    "ChangeStatuses",
    "CreateBrand",
    "CreateLocation",
    "CreateProduct",
    "CreateSite",
    "CreateVendor",
    "DeleteBatch",
    "DeleteBatches",
    "DeleteView",
    "Dispose",
    "Hold",
    "Intake",
    "LocationChoice",
    "LotChoice",
    "MarkDefective",
    "ProductChoice",
    "QuarantinePart",
    "ReceiveReturn",
    "ReleaseHold",
    "ReleaseReservation",
    "Reserve",
    "SaveView",
    "Sell",
    "SendSample",
    "Transfer",
    "UpdateBatch",
    "VendorChoice",
]


# --------------------------------------------------------------------- one existing batch


@dataclass(frozen=True, slots=True)
class AdjustQuantity:
    batch_id: UUID
    bucket: Bucket
    adjustment: Decimal
    reason: AdjustmentReason | None = None
    notes: str | None = None
    location_id: UUID | None = None
    version: int | None = None


@dataclass(frozen=True, slots=True)
class ChangeStatus:
    batch_id: UUID
    status: BatchStatus
    reason: str | None = None
    disposal_reason: AdjustmentReason = AdjustmentReason.QUALITY_ISSUE
    """Reason of the DISPOSAL movements when a QUARANTINED batch is closed."""
    version: int | None = None


@dataclass(frozen=True, slots=True)
class Transfer:
    batch_id: UUID
    quantity: Decimal
    from_location_id: UUID
    to_location_id: UUID
    bucket: Bucket | None = None
    notes: str | None = None
    version: int | None = None


@dataclass(frozen=True, slots=True)
class Reserve:
    batch_id: UUID
    quantity: Decimal
    reference: Reference
    notes: str | None = None
    version: int | None = None


@dataclass(frozen=True, slots=True)
class ReleaseReservation:
    batch_id: UUID
    reference: Reference
    quantity: Decimal | None = None
    """All of it when None."""
    notes: str | None = None
    version: int | None = None


@dataclass(frozen=True, slots=True)
class Sell:
    batch_id: UUID
    quantity: Decimal
    reference: Reference
    location_id: UUID | None = None
    notes: str | None = None
    version: int | None = None


@dataclass(frozen=True, slots=True)
class ReceiveReturn:
    batch_id: UUID
    quantity: Decimal
    refund: bool
    reference: Reference | None = None
    location_id: UUID | None = None
    notes: str | None = None
    version: int | None = None


@dataclass(frozen=True, slots=True)
class SendSample:
    batch_id: UUID
    quantity: Decimal
    reference: Reference | None = None
    location_id: UUID | None = None
    notes: str | None = None
    version: int | None = None


@dataclass(frozen=True, slots=True)
class Dispose:
    batch_id: UUID
    quantity: Decimal
    bucket: Bucket = Bucket.ON_HAND
    reason: AdjustmentReason | None = None
    location_id: UUID | None = None
    notes: str | None = None
    version: int | None = None


@dataclass(frozen=True, slots=True)
class Hold:
    batch_id: UUID
    quantity: Decimal
    notes: str | None = None
    version: int | None = None


@dataclass(frozen=True, slots=True)
class ReleaseHold:
    batch_id: UUID
    quantity: Decimal
    notes: str | None = None
    version: int | None = None


@dataclass(frozen=True, slots=True)
class QuarantinePart:
    """Part of the on-hand into quarantine (``release`` False) or back (``release`` True)."""

    batch_id: UUID
    quantity: Decimal
    reason: str | None = None
    release: bool = False
    version: int | None = None


@dataclass(frozen=True, slots=True)
class MarkDefective:
    batch_id: UUID
    quantity: Decimal
    reason: AdjustmentReason | None = None
    notes: str | None = None
    version: int | None = None


@dataclass(frozen=True, slots=True)
class DeleteBatch:
    batch_id: UUID
    reason: str | None = None
    version: int | None = None


@dataclass(frozen=True, slots=True)
class UpdateBatch:
    """Only the fields named in ``given`` change; a given None clears an optional field."""

    batch_id: UUID
    given: frozenset[str]
    version: int | None = None
    reason: str | None = None
    ticket: Decimal | None = None
    notes: str | None = None
    grade: str | None = None
    sku: str | None = None
    is_sample: bool | None = None
    payment_terms: PaymentTerms | None = None
    cogs_mode: CogsMode | None = None
    unit_cogs: Decimal | None = None
    unit_cogs_min: Decimal | None = None
    unit_cogs_max: Decimal | None = None
    metadata: Mapping[str, Any] | None = None


# ------------------------------------------------------------------------- many batches


@dataclass(frozen=True, slots=True)
class ChangeStatuses:
    batch_ids: tuple[UUID, ...]
    status: BatchStatus
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class DeleteBatches:
    batch_ids: tuple[UUID, ...]
    reason: str | None = None


# ------------------------------------------------------------------------------- intake


@dataclass(frozen=True, slots=True)
class VendorChoice:
    """An existing vendor by ``id``, or one found (by name) or created."""

    id: UUID | None = None
    name: str | None = None
    license_number: str | None = None


@dataclass(frozen=True, slots=True)
class BrandChoice:
    id: UUID | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class ProductChoice:
    """By id, or by name (found within the intake's brand, else created with these fields)."""

    id: UUID | None = None
    name: str | None = None
    category: str | None = None
    subcategory: str | None = None
    strain: str | None = None
    unit_of_measure: str | None = None
    sku: str | None = None


@dataclass(frozen=True, slots=True)
class LotChoice:
    id: UUID | None = None
    code: str | None = None


@dataclass(frozen=True, slots=True)
class LocationChoice:
    id: UUID | None = None
    zone: str | None = None
    rack: str | None = None
    shelf: str | None = None
    bin: str | None = None


@dataclass(frozen=True, slots=True)
class Intake:
    site_id: UUID
    vendor: VendorChoice
    brand: BrandChoice
    product: ProductChoice
    lot: LotChoice
    location: LocationChoice
    quantity: Decimal
    cogs_mode: CogsMode
    payment_terms: PaymentTerms
    code: str | None = None
    """Generated when None."""
    sku: str | None = None
    grade: str | None = None
    is_sample: bool = False
    unit_cogs: Decimal | None = None
    unit_cogs_min: Decimal | None = None
    unit_cogs_max: Decimal | None = None
    cogs_total: Decimal | None = None
    """FIXED only: the exact cost of the whole batch, where it was bought as a whole."""
    ticket: Decimal | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    notes: str | None = None
    reference: Reference | None = None
    package_tag: str | None = None
    package_source: PackageSource | None = None


# ----------------------------------------------------------------------- reference data


@dataclass(frozen=True, slots=True)
class CreateSite:
    name: str
    license_number: str
    state: str


@dataclass(frozen=True, slots=True)
class CreateLocation:
    site_id: UUID
    zone: str
    rack: str | None = None
    shelf: str | None = None
    bin: str | None = None


@dataclass(frozen=True, slots=True)
class CreateVendor:
    name: str
    is_seller: bool = True
    license_number: str | None = None


@dataclass(frozen=True, slots=True)
class CreateBrand:
    name: str
    vendor_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class CreateProduct:
    brand_id: UUID
    name: str
    category: str
    unit_of_measure: str
    subcategory: str | None = None
    strain: str | None = None
    sku: str | None = None


# -------------------------------------------------------------------------- saved views


@dataclass(frozen=True, slots=True)
class SaveView:
    name: str
    filters_json: str
    """The view's filters as JSON text (the contract's form, camelCase), stored as they are."""
    is_shared: bool = False


@dataclass(frozen=True, slots=True)
class DeleteView:
    view_id: UUID
