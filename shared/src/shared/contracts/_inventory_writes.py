"""Write requests and results of the inventory API (private; import from
``shared.contracts.inventory``).

Every write that changes a batch takes an optional ``version``: when sent and stale, the write is
refused with OPTIMISTIC_LOCK_CONFLICT. Reasons that the spec makes mandatory are optional in the
schema on purpose, so that a missing one is answered with the spec's REASON_REQUIRED error.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import BeforeValidator, ConfigDict, Field, model_validator

from shared.contracts._inventory_reads import Batch, Movement
from shared.contracts.inventory_enums import (
    AdjustmentReason,
    BatchStatus,
    Bucket,
    BulkOutcome,
    CogsMode,
    PackageSourceKind,
    PaymentTerms,
)
from shared.contracts.types import ApiModel, DecimalString

__all__ = [
    "AdjustQuantityRequest",
    "BatchWriteResult",
    "BrandRef",
    "BulkDeleteRequest",
    "BulkDeleteResult",
    "BulkItemError",
    "BulkItemResult",
    "BulkOutcome",
    "BulkStatusRequest",
    "BulkStatusResult",
    "DefectiveRequest",
    "DisposalRequest",
    "HoldRequest",
    "IntakeRequest",
    "IntakeResult",
    "LocationRef",
    "LotRef",
    "PackageIngredientRef",
    "PackageRef",
    "PackageSourceRef",
    "ProductRef",
    "QuantityField",
    "ReleaseReservationRequest",
    "ReserveRequest",
    "ReturnRequest",
    "SaleRequest",
    "SampleRequest",
    "StatusChangeRequest",
    "SuccessResult",
    "TransferRequest",
    "UpdateBatchRequest",
    "VendorRef",
]


def _blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


OptionalReason = Annotated[AdjustmentReason | None, BeforeValidator(_blank_to_none)]
Version = Annotated[int | None, Field(default=None, ge=1, description="Expected batch version")]
Notes = Annotated[str | None, Field(default=None, max_length=2000)]
ReferenceType = Annotated[str, Field(min_length=1, max_length=50, examples=["ORDER"])]
ReferenceId = Annotated[str, Field(min_length=1, max_length=100, examples=["SO-1042"])]


class _OneOf(ApiModel):
    """A reference to an existing row by ``id``, or the fields to find-or-create it."""

    id: UUID | None = None

    @model_validator(mode="after")
    def _id_or_fields(self) -> _OneOf:
        given = {name for name in self.model_fields_set if getattr(self, name) is not None}
        if "id" in given and len(given) > 1:
            raise ValueError("give either id or the fields to create it, not both")
        if not given:
            raise ValueError("give id, or the fields to find or create it")
        return self


class VendorRef(_OneOf):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    license_number: str | None = Field(default=None, max_length=100)


class BrandRef(_OneOf):
    name: str | None = Field(default=None, min_length=1, max_length=200)


class ProductRef(_OneOf):
    """By id, or by name (found within the intake's brand, else created with these fields)."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    category: str | None = Field(default=None, min_length=1, max_length=50)
    subcategory: str | None = Field(default=None, max_length=50)
    strain: str | None = Field(default=None, max_length=100)
    unit_of_measure: str | None = Field(
        default=None,
        min_length=1,
        max_length=30,
        description="One of the state's units as Metrc spells them (Grams, Each ...)",
    )
    sku: str | None = Field(default=None, max_length=100)


class LotRef(_OneOf):
    code: str | None = Field(default=None, min_length=1, max_length=100)


class LocationRef(_OneOf):
    zone: str | None = Field(default=None, min_length=1, max_length=50)
    rack: str | None = Field(default=None, max_length=50)
    shelf: str | None = Field(default=None, max_length=50)
    bin: str | None = Field(default=None, max_length=50)


class PackageIngredientRef(ApiModel):
    batch_id: UUID = Field(description="A batch of the same site")
    quantity: DecimalString = Field(description="Drawn from it, in its unit; greater than zero")


class PackageSourceRef(ApiModel):
    """Where the package came from: ``TRANSFER`` (``manifestNumber`` optional), ``BATCHES``
    (``ingredients``), ``OPENING_BALANCE`` or ``HARVEST`` (``harvestId``)."""

    kind: PackageSourceKind
    manifest_number: str | None = Field(default=None, min_length=1, max_length=50)
    ingredients: list[PackageIngredientRef] | None = Field(default=None, max_length=50)
    harvest_id: UUID | None = None


class PackageRef(ApiModel):
    """The batch's Metrc package, for compliance."""

    tag: str | None = Field(
        default=None,
        max_length=100,
        description="24 characters, digits and capital letters; required for TRANSFER",
        examples=["1A4FF0100000022000000123"],
    )
    source: PackageSourceRef | None = None


class IntakeRequest(ApiModel):
    """Receive a new batch: vendor, brand, product, lot, location (each found or created),
    the batch (status AWAITING_INTAKE) and its INTAKE movement, in one transaction."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "siteId": "6a1e2d4c-9b1f-4f53-8f7a-1d2c3b4a5e60",
                    "vendor": {"name": "Green Valley Farms"},
                    "brand": {"name": "Valley Gold"},
                    "product": {
                        "name": "Blue Dream 3.5g",
                        "category": "Flower",
                        "strain": "Blue Dream",
                        "unitOfMeasure": "Grams",
                    },
                    "lot": {"code": "GV-2026-03"},
                    "location": {"zone": "Vault", "rack": "R1"},
                    "quantity": "100.0000",
                    "cogsMode": "FIXED",
                    "unitCogs": "2.5000",
                    "paymentTerms": "NET_30",
                    "grade": "A",
                }
            ]
        }
    )

    site_id: UUID
    vendor: VendorRef
    brand: BrandRef
    product: ProductRef
    lot: LotRef
    location: LocationRef
    code: str | None = Field(
        default=None, min_length=1, max_length=100, description="Generated when absent"
    )
    sku: str | None = Field(
        default=None, max_length=100, description="Defaults to the product's SKU, else the code"
    )
    grade: str | None = Field(default=None, max_length=20)
    is_sample: bool = False
    quantity: DecimalString = Field(description="Greater than zero")
    cogs_mode: CogsMode
    unit_cogs: DecimalString | None = None
    unit_cogs_min: DecimalString | None = None
    unit_cogs_max: DecimalString | None = None
    payment_terms: PaymentTerms
    ticket: DecimalString | None = Field(default=None, description="Asking price per unit")
    metadata: dict[str, Any] = Field(default_factory=dict)
    notes: Notes
    reference_type: str | None = Field(default=None, max_length=50)
    reference_id: str | None = Field(default=None, max_length=100)
    package: PackageRef | None = Field(
        default=None, description="The Metrc package the batch is (tag and source), if known"
    )


class QuantityField(StrEnum):
    """The spec's bucket column names, as adjustQty's ``field`` takes them."""

    ON_HAND = "onHandQty"
    RESERVED = "reservedQty"
    QUARANTINE = "quarantineQty"
    HOLD = "holdQty"
    DEFECTIVE = "defectiveQty"


class AdjustQuantityRequest(ApiModel):
    """adjustQty: a signed correction (within +/-1,000,000) of a physical bucket."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "field": "onHandQty",
                    "adjustment": "-2.5000",
                    "reason": "COUNT_DISCREPANCY",
                    "notes": "cycle count",
                    "version": 3,
                }
            ]
        }
    )

    field: QuantityField = QuantityField.ON_HAND
    adjustment: DecimalString
    reason: OptionalReason = None
    notes: Notes
    location_id: UUID | None = None
    version: Version


class StatusChangeRequest(ApiModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"status": "QUARANTINED", "reason": "mold", "version": 4}]}
    )

    status: BatchStatus
    reason: str | None = Field(default=None, max_length=500)
    version: Version
    disposal_reason: AdjustmentReason = Field(
        default=AdjustmentReason.QUALITY_ISSUE,
        description="Reason of the DISPOSAL movements when a QUARANTINED batch is closed",
    )


class UpdateBatchRequest(ApiModel):
    """updateBatch: only the fields present change; ``null`` clears an optional field."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"version": 3, "ticket": "4.5000", "notes": "premium", "reason": "repricing"}
            ]
        }
    )

    version: Version
    reason: str | None = Field(default=None, max_length=500)
    ticket: DecimalString | None = None
    notes: Notes
    grade: str | None = Field(default=None, max_length=20)
    sku: str | None = Field(default=None, min_length=1, max_length=100)
    is_sample: bool | None = None
    payment_terms: PaymentTerms | None = None
    cogs_mode: CogsMode | None = None
    unit_cogs: DecimalString | None = None
    unit_cogs_min: DecimalString | None = None
    unit_cogs_max: DecimalString | None = None
    metadata: dict[str, Any] | None = None


class TransferRequest(ApiModel):
    """Move stock between locations of the batch's site (a TRANSFER pair; debits = credits)."""

    quantity: DecimalString
    from_location_id: UUID
    to_location_id: UUID
    bucket: Bucket | None = Field(default=None, description="Which physical bucket, if not on-hand")
    notes: Notes
    version: Version


class ReserveRequest(ApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"quantity": "5.0000", "referenceType": "ORDER", "referenceId": "SO-1042"}]
        }
    )

    quantity: DecimalString
    reference_type: ReferenceType
    reference_id: ReferenceId
    notes: Notes
    version: Version


class ReleaseReservationRequest(ApiModel):
    reference_type: ReferenceType
    reference_id: ReferenceId
    quantity: DecimalString | None = Field(default=None, description="All of it when absent")
    notes: Notes
    version: Version


class SaleRequest(ApiModel):
    """Sell for an order: consumes the order's reservation first, then available stock."""

    quantity: DecimalString
    reference_type: ReferenceType
    reference_id: ReferenceId
    location_id: UUID | None = None
    notes: Notes
    version: Version


class ReturnRequest(ApiModel):
    quantity: DecimalString
    refund: bool = Field(description="REFUND_RETURN when true, RETURN otherwise")
    reference_type: str | None = Field(default=None, max_length=50)
    reference_id: str | None = Field(default=None, max_length=100)
    location_id: UUID | None = None
    notes: Notes
    version: Version


class SampleRequest(ApiModel):
    quantity: DecimalString
    reference_type: str | None = Field(default=None, max_length=50)
    reference_id: str | None = Field(default=None, max_length=100)
    location_id: UUID | None = None
    notes: Notes
    version: Version


class DisposalRequest(ApiModel):
    quantity: DecimalString
    bucket: Bucket = Bucket.ON_HAND
    reason: OptionalReason = None
    location_id: UUID | None = None
    notes: Notes
    version: Version


class HoldRequest(ApiModel):
    """Put stock on hold, or take it off hold."""

    quantity: DecimalString
    notes: Notes
    version: Version


class DefectiveRequest(ApiModel):
    quantity: DecimalString
    reason: OptionalReason = None
    notes: Notes
    version: Version


class BatchWriteResult(ApiModel):
    """The batch after the write, and the ledger rows the write appended."""

    success: bool = True
    batch: Batch
    movements: list[Movement]


class IntakeResult(BatchWriteResult):
    pass


class SuccessResult(ApiModel):
    success: bool = True


BatchIds = Annotated[list[UUID], Field(min_length=1, max_length=500)]
BulkReason = Annotated[
    str | None,
    Field(
        default=None,
        max_length=500,
        description="Why; required (REASON_REQUIRED without it), as for a single-batch change",
    ),
]


class BulkStatusRequest(ApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "batchIds": ["0f8b8a52-5a43-4d8e-8a57-2f7b2b1f0c11"],
                    "newStatus": "ON_HOLD",
                    "reason": "audit",
                }
            ]
        }
    )

    batch_ids: BatchIds
    new_status: BatchStatus
    reason: BulkReason


class BulkDeleteRequest(ApiModel):
    batch_ids: BatchIds
    reason: BulkReason


class BulkItemResult(ApiModel):
    batch_id: UUID
    outcome: BulkOutcome
    code: str | None = Field(default=None, description="Error code when FAILED or SKIPPED")
    message: str | None = None
    version: int | None = Field(default=None, description="Batch version after the change")


class BulkItemError(ApiModel):
    batch_id: UUID
    code: str
    message: str


class BulkStatusResult(ApiModel):
    """Each batch is validated and changed on its own; ``success`` is true when none failed.
    A batch already in the requested status is SKIPPED."""

    success: bool
    updated: int
    skipped: int
    errors: list[BulkItemError]
    results: list[BulkItemResult]


class BulkDeleteResult(ApiModel):
    """Soft delete per batch (only empty batches; each goes to CLOSED through the status
    machine). An already deleted batch is SKIPPED."""

    success: bool
    deleted: int
    skipped: int
    errors: list[BulkItemError]
    results: list[BulkItemResult]
