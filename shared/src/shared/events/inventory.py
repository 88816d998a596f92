"""Integration events of the inventory service, on ``inventory.batch.events`` keyed by batch id.

Every event carries what compliance and reporting need so that they never call back: the batch
as it is *after* the change (site and license, product, vendor, lot, unit of measure, buckets
and physical quantity, locations, costs and price, status, version), the ledger rows the change
wrote (each with bucket, type, change, before, after, reason, notes, reference and location),
who did it and when. Quantities and money are decimal strings; times are aware UTC.

``MovementInfo.type`` is an open set (new movement types may appear within version 1; treat an
unknown one like any other change to its bucket); every other enumeration is closed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from pydantic import ConfigDict, Field

from shared.contracts.inventory_enums import (
    AdjustmentReason,
    BatchStatus,
    Bucket,
    CogsMode,
    PaymentTerms,
)
from shared.contracts.types import DecimalString, UtcDateTime
from shared.events.models import FrozenModel, with_example
from shared.events.registry import event_type
from shared.events.topics import INVENTORY_EVENTS

__all__ = [
    "BatchAdjustedV1",
    "BatchConsumedV1",
    "BatchCreatedV1",
    "BatchDeletedV1",
    "BatchDisposedV1",
    "BatchEventBase",
    "BatchHeldV1",
    "BatchHoldReleasedV1",
    "BatchMarkedDefectiveV1",
    "BatchQuarantinePartReleasedV1",
    "BatchQuarantinedPartV1",
    "BatchReservationReleasedV1",
    "BatchReservedV1",
    "BatchReturnedV1",
    "BatchSampleSentV1",
    "BatchSnapshot",
    "BatchSoldV1",
    "BatchStatusChangedV1",
    "BatchTransferredV1",
    "BatchUpdatedV1",
    "BucketBalances",
    "CostInfo",
    "FieldChange",
    "LocationInfo",
    "LocationQuantityInfo",
    "LotInfo",
    "MovementInfo",
    "PackageIngredientInfo",
    "PackageSourceInfo",
    "ProductInfo",
    "ReferenceInfo",
    "SiteInfo",
    "VendorInfo",
]


class SiteInfo(FrozenModel):
    id: UUID
    name: str
    license_number: str = Field(description="The facility license (Metrc license number)")
    state: str = Field(description="Jurisdiction, a US state code")


class ProductInfo(FrozenModel):
    id: UUID
    name: str
    category: str
    subcategory: str | None = None
    strain: str | None = None
    brand_id: UUID
    brand_name: str
    sku: str | None = None


class VendorInfo(FrozenModel):
    id: UUID
    name: str
    license_number: str | None = None


class LotInfo(FrozenModel):
    id: UUID
    code: str


class LocationInfo(FrozenModel):
    id: UUID
    site_id: UUID
    zone: str
    rack: str | None = None
    shelf: str | None = None
    bin: str | None = None
    label: str


class LocationQuantityInfo(FrozenModel):
    location: LocationInfo
    qty: DecimalString


class BucketBalances(FrozenModel):
    """Balances after the change; physical = on_hand + quarantine + defective (what Metrc shows)."""

    on_hand: DecimalString
    reserved: DecimalString
    quarantine: DecimalString
    hold: DecimalString
    defective: DecimalString
    available: DecimalString
    physical: DecimalString


class CostInfo(FrozenModel):
    cogs_mode: CogsMode
    unit_cogs: DecimalString | None = None
    unit_cogs_min: DecimalString | None = None
    unit_cogs_max: DecimalString | None = None
    ticket: DecimalString | None = Field(default=None, description="Asking price per unit")
    payment_terms: PaymentTerms


class PackageIngredientInfo(FrozenModel):
    """A source batch a package is made from: its id, its package tag at the intake, and the
    quantity drawn in its unit."""

    batch_id: UUID
    package_tag: str | None = None
    quantity: DecimalString
    unit: str | None = None


class PackageSourceInfo(FrozenModel):
    """Where a batch's Metrc package came from."""

    kind: Literal["OPENING_BALANCE", "TRANSFER", "BATCHES", "HARVEST"]
    manifest_number: str | None = None
    ingredients: list[PackageIngredientInfo] | None = None
    harvest_id: UUID | None = None
    harvest_name: str | None = Field(
        default=None, description="The harvest's name (Metrc's), for HARVEST"
    )


class BatchSnapshot(FrozenModel):
    batch_id: UUID
    code: str
    sku: str
    site: SiteInfo
    product: ProductInfo
    vendor: VendorInfo
    lot: LotInfo
    unit_of_measure: str
    status: BatchStatus
    grade: str | None = None
    is_sample: bool = False
    balances: BucketBalances
    locations: list[LocationQuantityInfo]
    costs: CostInfo
    version: int
    created_at: UtcDateTime
    updated_at: UtcDateTime
    deleted_at: UtcDateTime | None = None
    package_tag: str | None = Field(
        default=None, description="The Metrc package tag (24 characters), once known"
    )
    package_source: PackageSourceInfo | None = None


class ReferenceInfo(FrozenModel):
    type: str
    id: str


class MovementInfo(FrozenModel):
    """One ledger row the change wrote; ``(batch_id, batch_version, sequence)`` is unique."""

    batch_version: int
    sequence: int
    bucket: Bucket
    type: str = Field(description="INTAKE, SALE, ADJUSTMENT, QUARANTINE, TRANSFER ... (open set)")
    change: DecimalString
    before: DecimalString
    after: DecimalString
    reason: AdjustmentReason | None = None
    notes: str | None = None
    reference: ReferenceInfo | None = None
    location: LocationInfo | None = None
    actor: str
    occurred_at: UtcDateTime


class BatchEventBase(FrozenModel):
    batch: BatchSnapshot
    movements: list[MovementInfo]
    actor: str
    occurred_at: UtcDateTime


class FieldChange(FrozenModel):
    before: Any = None
    after: Any = None


# ---------------------------------------------------------------------------- examples

_SITE = {
    "id": "6a1e2d4c-9b1f-4f53-8f7a-1d2c3b4a5e60",
    "name": "Eugene warehouse",
    "license_number": "OR-123456",
    "state": "OR",
}
_LOCATION = {
    "id": "5d6e7f80-1a2b-4c3d-8e4f-5a6b7c8d9e0f",
    "site_id": _SITE["id"],
    "zone": "Vault",
    "rack": "R1",
    "shelf": None,
    "bin": None,
    "label": "Vault/R1",
}
_OTHER_LOCATION = {
    **_LOCATION,
    "id": "8e9f0a1b-2c3d-4e5f-8a6b-7c8d9e0f1a2b",
    "rack": "R2",
    "label": "Vault/R2",
}
_AT = "2026-03-02T09:30:00Z"
_ACTOR = "user-17"


def _balances(on_hand: str, reserved: str = "0.0000", hold: str = "0.0000") -> dict[str, str]:
    available = Decimal(on_hand) - Decimal(reserved) - Decimal(hold)
    return {
        "on_hand": on_hand,
        "reserved": reserved,
        "quarantine": "0.0000",
        "hold": hold,
        "defective": "0.0000",
        "available": f"{max(available, Decimal(0)):.4f}",
        "physical": on_hand,
    }


def _snapshot(version: int, on_hand: str, **changes: Any) -> dict[str, Any]:
    snapshot: dict[str, Any] = {
        "batch_id": "0f8b8a52-5a43-4d8e-8a57-2f7b2b1f0c11",
        "code": "B-20260302-0001",
        "sku": "BD-35",
        "site": _SITE,
        "product": {
            "id": "9d3c1a7e-2b4f-4e8a-9c1d-5f6e7a8b9c0d",
            "name": "Blue Dream 3.5g",
            "category": "Flower",
            "subcategory": "Indoor",
            "strain": "Blue Dream",
            "brand_id": "4b0c1e53-4d2a-4c39-9c39-9b7b1f1e2a10",
            "brand_name": "Valley Gold",
            "sku": "BD-35",
        },
        "vendor": {
            "id": "7c2d9e1f-3a4b-4c5d-8e9f-0a1b2c3d4e5f",
            "name": "Green Valley Farms",
            "license_number": "C-42",
        },
        "lot": {"id": "2e3f4a5b-6c7d-4e8f-9a0b-1c2d3e4f5a6b", "code": "GV-2026-03"},
        "unit_of_measure": "Grams",
        "status": "LIVE",
        "grade": "A",
        "is_sample": False,
        "balances": _balances(on_hand),
        "locations": [{"location": _LOCATION, "qty": on_hand}],
        "costs": {
            "cogs_mode": "FIXED",
            "unit_cogs": "2.5000",
            "ticket": "4.0000",
            "payment_terms": "NET_30",
        },
        "version": version,
        "created_at": _AT,
        "updated_at": _AT,
        "deleted_at": None,
    }
    snapshot.update(changes)
    return snapshot


def _movement(
    version: int,
    bucket: str,
    kind: str,
    change: str,
    before: str,
    after: str,
    *,
    sequence: int = 0,
    located: bool = True,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "batch_version": version,
        "sequence": sequence,
        "bucket": bucket,
        "type": kind,
        "change": change,
        "before": before,
        "after": after,
        "location": _LOCATION if located else None,
        "actor": _ACTOR,
        "occurred_at": _AT,
        **extra,
    }


def _example(batch: dict[str, Any], movements: list[dict[str, Any]], **fields: Any) -> ConfigDict:
    example: dict[str, Any] = {
        "batch": batch,
        "movements": movements,
        "actor": _ACTOR,
        "occurred_at": _AT,
        **fields,
    }
    return with_example(example)


_ORDER = {"type": "ORDER", "id": "SO-1042"}

# ---------------------------------------------------------------------------- event types


@event_type("inventory.batch.created", version=1, topic=INVENTORY_EVENTS)
class BatchCreatedV1(BatchEventBase):
    """A batch was taken in (status AWAITING_INTAKE) with one INTAKE movement."""

    model_config = _example(
        _snapshot(1, "100.0000", status="AWAITING_INTAKE"),
        [_movement(1, "ON_HAND", "INTAKE", "100.0000", "0.0000", "100.0000")],
        quantity="100.0000",
        location=_LOCATION,
        reference={"type": "PURCHASE_ORDER", "id": "PO-7"},
        notes=None,
    )

    quantity: DecimalString
    location: LocationInfo
    reference: ReferenceInfo | None = None
    notes: str | None = None


@event_type("inventory.batch.adjusted", version=1, topic=INVENTORY_EVENTS)
class BatchAdjustedV1(BatchEventBase):
    """A physical bucket was corrected by hand (one ADJUSTMENT movement)."""

    model_config = _example(
        _snapshot(3, "97.5000"),
        [
            _movement(
                3, "ON_HAND", "ADJUSTMENT", "-2.5000", "100.0000", "97.5000",
                reason="COUNT_DISCREPANCY", notes="cycle count",
            )
        ],
        bucket="ON_HAND",
        adjustment="-2.5000",
        reason="COUNT_DISCREPANCY",
        notes="cycle count",
        location=_LOCATION,
    )  # fmt: skip

    bucket: Bucket
    adjustment: DecimalString
    reason: AdjustmentReason
    notes: str | None = None
    location: LocationInfo


@event_type("inventory.batch.status_changed", version=1, topic=INVENTORY_EVENTS)
class BatchStatusChangedV1(BatchEventBase):
    """The status changed, with its quantity sync (QUARANTINE / RELEASE_FROM_QUARANTINE pairs,
    DISPOSAL when a quarantined batch closes, CORRECTION when an intake is cancelled)."""

    model_config = _example(
        _snapshot(
            4,
            "0.0000",
            status="QUARANTINED",
            balances={**_balances("0.0000"), "quarantine": "100.0000", "physical": "100.0000"},
            locations=[{"location": _LOCATION, "qty": "100.0000"}],
        ),
        [
            _movement(4, "ON_HAND", "QUARANTINE", "-100.0000", "100.0000", "0.0000",
                      located=False, notes="mold"),
            _movement(4, "QUARANTINE", "QUARANTINE", "100.0000", "0.0000", "100.0000",
                      sequence=1, located=False, notes="mold"),
        ],
        from_status="LIVE",
        to_status="QUARANTINED",
        reason="mold",
    )  # fmt: skip

    from_status: BatchStatus
    to_status: BatchStatus
    reason: str


@event_type("inventory.batch.updated", version=1, topic=INVENTORY_EVENTS)
class BatchUpdatedV1(BatchEventBase):
    """Descriptive fields changed (price, grade, costs, notes ...); no quantities moved."""

    model_config = _example(
        _snapshot(5, "100.0000"),
        [],
        changes={"ticket": {"before": "4.0000", "after": "4.5000"}},
        reason="repricing",
    )

    changes: dict[str, FieldChange]
    reason: str


@event_type("inventory.batch.deleted", version=1, topic=INVENTORY_EVENTS)
class BatchDeletedV1(BatchEventBase):
    """The batch was soft-deleted (it is CLOSED and empty)."""

    model_config = _example(
        _snapshot(
            6,
            "0.0000",
            status="CLOSED",
            locations=[],
            deleted_at=_AT,
        ),
        [],
        reason="duplicate entry",
    )

    reason: str


@event_type("inventory.batch.transferred", version=1, topic=INVENTORY_EVENTS)
class BatchTransferredV1(BatchEventBase):
    """Stock moved between locations (a TRANSFER pair; debits equal credits)."""

    model_config = _example(
        _snapshot(
            5,
            "100.0000",
            locations=[
                {"location": _LOCATION, "qty": "60.0000"},
                {"location": _OTHER_LOCATION, "qty": "40.0000"},
            ],
        ),
        [
            _movement(5, "ON_HAND", "TRANSFER", "-40.0000", "100.0000", "60.0000"),
            {
                **_movement(5, "ON_HAND", "TRANSFER", "40.0000", "60.0000", "100.0000", sequence=1),
                "location": _OTHER_LOCATION,
            },
        ],
        bucket="ON_HAND",
        quantity="40.0000",
        from_location=_LOCATION,
        to_location=_OTHER_LOCATION,
    )

    bucket: Bucket
    quantity: DecimalString
    from_location: LocationInfo
    to_location: LocationInfo


@event_type("inventory.batch.reserved", version=1, topic=INVENTORY_EVENTS)
class BatchReservedV1(BatchEventBase):
    """Stock was earmarked for an order (one RESERVE movement)."""

    model_config = _example(
        _snapshot(4, "100.0000", balances=_balances("100.0000", reserved="10.0000")),
        [
            _movement(4, "RESERVED", "RESERVE", "10.0000", "0.0000", "10.0000",
                      located=False, reference=_ORDER)
        ],
        reference=_ORDER,
        quantity="10.0000",
    )  # fmt: skip

    reference: ReferenceInfo
    quantity: DecimalString


@event_type("inventory.batch.reservation_released", version=1, topic=INVENTORY_EVENTS)
class BatchReservationReleasedV1(BatchEventBase):
    """A reservation shrank or went away without a sale; ``remaining`` zero = gone."""

    model_config = _example(
        _snapshot(5, "100.0000"),
        [
            _movement(5, "RESERVED", "RELEASE_RESERVATION", "-10.0000", "10.0000", "0.0000",
                      located=False, reference=_ORDER)
        ],
        reference=_ORDER,
        quantity="10.0000",
        remaining="0.0000",
    )  # fmt: skip

    reference: ReferenceInfo
    quantity: DecimalString
    remaining: DecimalString


@event_type("inventory.batch.sold", version=1, topic=INVENTORY_EVENTS)
class BatchSoldV1(BatchEventBase):
    """Stock was sold for an order: SALE on reserved (the consumed reservation) and on on-hand."""

    model_config = _example(
        _snapshot(5, "90.0000"),
        [
            _movement(5, "RESERVED", "SALE", "-10.0000", "10.0000", "0.0000",
                      located=False, reference=_ORDER),
            _movement(5, "ON_HAND", "SALE", "-10.0000", "100.0000", "90.0000",
                      sequence=1, reference=_ORDER),
        ],
        reference=_ORDER,
        quantity="10.0000",
        from_reservation="10.0000",
        location=_LOCATION,
    )  # fmt: skip

    reference: ReferenceInfo
    quantity: DecimalString
    from_reservation: DecimalString
    location: LocationInfo


@event_type("inventory.batch.returned", version=1, topic=INVENTORY_EVENTS)
class BatchReturnedV1(BatchEventBase):
    """A customer returned stock (RETURN, or REFUND_RETURN when refunded)."""

    model_config = _example(
        _snapshot(6, "95.0000"),
        [_movement(6, "ON_HAND", "REFUND_RETURN", "5.0000", "90.0000", "95.0000",
                   reference=_ORDER)],
        refund=True,
        bucket="ON_HAND",
        quantity="5.0000",
        location=_LOCATION,
        reference=_ORDER,
    )  # fmt: skip

    refund: bool
    bucket: Bucket
    quantity: DecimalString
    location: LocationInfo
    reference: ReferenceInfo | None = None


@event_type("inventory.batch.sample_sent", version=1, topic=INVENTORY_EVENTS)
class BatchSampleSentV1(BatchEventBase):
    """Stock left as a sample (one SAMPLE movement)."""

    model_config = _example(
        _snapshot(4, "99.0000"),
        [_movement(4, "ON_HAND", "SAMPLE", "-1.0000", "100.0000", "99.0000")],
        quantity="1.0000",
        location=_LOCATION,
        reference=None,
    )

    quantity: DecimalString
    location: LocationInfo
    reference: ReferenceInfo | None = None


@event_type("inventory.batch.disposed", version=1, topic=INVENTORY_EVENTS)
class BatchDisposedV1(BatchEventBase):
    """Stock was destroyed or written off (one DISPOSAL movement)."""

    model_config = _example(
        _snapshot(4, "98.0000"),
        [_movement(4, "ON_HAND", "DISPOSAL", "-2.0000", "100.0000", "98.0000",
                   reason="DAMAGED")],
        bucket="ON_HAND",
        quantity="2.0000",
        reason="DAMAGED",
        location=_LOCATION,
    )  # fmt: skip

    bucket: Bucket
    quantity: DecimalString
    reason: AdjustmentReason
    location: LocationInfo


@event_type("inventory.batch.held", version=1, topic=INVENTORY_EVENTS)
class BatchHeldV1(BatchEventBase):
    """On-hand stock was put on hold (one HOLD movement)."""

    model_config = _example(
        _snapshot(4, "100.0000", balances=_balances("100.0000", hold="20.0000")),
        [_movement(4, "HOLD", "HOLD", "20.0000", "0.0000", "20.0000", located=False)],
        quantity="20.0000",
    )

    quantity: DecimalString


@event_type("inventory.batch.hold_released", version=1, topic=INVENTORY_EVENTS)
class BatchHoldReleasedV1(BatchEventBase):
    """Stock came off hold (one RELEASE_HOLD movement)."""

    model_config = _example(
        _snapshot(5, "100.0000"),
        [_movement(5, "HOLD", "RELEASE_HOLD", "-20.0000", "20.0000", "0.0000", located=False)],
        quantity="20.0000",
    )

    quantity: DecimalString


@event_type("inventory.batch.marked_defective", version=1, topic=INVENTORY_EVENTS)
class BatchMarkedDefectiveV1(BatchEventBase):
    """Stock moved into the defective bucket (a DEFECTIVE pair; it stays where it is)."""

    model_config = _example(
        _snapshot(
            4,
            "97.0000",
            balances={**_balances("97.0000"), "defective": "3.0000", "physical": "100.0000"},
            locations=[{"location": _LOCATION, "qty": "100.0000"}],
        ),
        [
            _movement(4, "ON_HAND", "DEFECTIVE", "-3.0000", "100.0000", "97.0000",
                      located=False, reason="DAMAGED"),
            _movement(4, "DEFECTIVE", "DEFECTIVE", "3.0000", "0.0000", "3.0000",
                      sequence=1, located=False, reason="DAMAGED"),
        ],
        source_bucket="ON_HAND",
        quantity="3.0000",
        reason="DAMAGED",
    )  # fmt: skip

    source_bucket: Bucket
    quantity: DecimalString
    reason: AdjustmentReason


_PARTLY_QUARANTINED = {
    **_balances("88.0000"),
    "quarantine": "12.0000",
    "physical": "100.0000",
}


@event_type("inventory.batch.quarantined_part", version=1, topic=INVENTORY_EVENTS)
class BatchQuarantinedPartV1(BatchEventBase):
    """Part of a LIVE batch's on-hand moved into quarantine (a QUARANTINE pair; the stock stays
    where it is and the status stays LIVE). Physical quantity is unchanged; available dropped
    by ``quantity``. The whole batch is quarantined by a status change instead."""

    model_config = _example(
        _snapshot(
            4, "88.0000", balances=_PARTLY_QUARANTINED,
            locations=[{"location": _LOCATION, "qty": "100.0000"}],
        ),
        [
            _movement(4, "ON_HAND", "QUARANTINE", "-12.0000", "100.0000", "88.0000",
                      located=False, notes="failed potency check"),
            _movement(4, "QUARANTINE", "QUARANTINE", "12.0000", "0.0000", "12.0000",
                      sequence=1, located=False, notes="failed potency check"),
        ],
        quantity="12.0000",
        reason="failed potency check",
    )  # fmt: skip

    quantity: DecimalString
    reason: str


@event_type("inventory.batch.quarantine_part_released", version=1, topic=INVENTORY_EVENTS)
class BatchQuarantinePartReleasedV1(BatchEventBase):
    """Part of the quarantined stock moved back to on-hand (a RELEASE_FROM_QUARANTINE pair)
    without a status change."""

    model_config = _example(
        _snapshot(5, "100.0000", locations=[{"location": _LOCATION, "qty": "100.0000"}]),
        [
            _movement(5, "QUARANTINE", "RELEASE_FROM_QUARANTINE", "-12.0000", "12.0000",
                      "0.0000", located=False, notes="retest passed"),
            _movement(5, "ON_HAND", "RELEASE_FROM_QUARANTINE", "12.0000", "88.0000",
                      "100.0000", sequence=1, located=False, notes="retest passed"),
        ],
        quantity="12.0000",
        reason="retest passed",
    )  # fmt: skip

    quantity: DecimalString
    reason: str


_MADE_FROM = "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f"


@event_type("inventory.batch.consumed", version=1, topic=INVENTORY_EVENTS)
class BatchConsumedV1(BatchEventBase):
    """Stock was drawn into another batch made from this one (``into_batch_id``, whose
    ``package_source`` lists this batch among its ingredients): CONSUMPTION movements on
    on-hand, one per location drawn from, each referencing ``BATCH <into_batch_id>``. In Metrc
    the other package's creation draws the same quantity from this one's package, so it is not
    an adjustment."""

    model_config = _example(
        _snapshot(4, "70.0000"),
        [_movement(4, "ON_HAND", "CONSUMPTION", "-30.0000", "100.0000", "70.0000",
                   reference={"type": "BATCH", "id": _MADE_FROM})],
        quantity="30.0000",
        into_batch_id=_MADE_FROM,
    )  # fmt: skip

    quantity: DecimalString
    into_batch_id: UUID
