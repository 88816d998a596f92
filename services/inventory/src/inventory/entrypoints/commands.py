"""The HTTP contract's requests -> the service layer's commands (the one place that knows both).

The contract speaks the wire's language (camelCase models, its own enums, ``field`` names such
as ``onHandQty``); the commands speak the domain's.
"""

from __future__ import annotations

from uuid import UUID

from shared.contracts import inventory as api

from inventory.domain import (
    AdjustmentReason,
    BatchStatus,
    Bucket,
    CogsMode,
    PaymentTerms,
    Reference,
)
from inventory.service_layer import commands as c

__all__ = [
    "adjust_quantity",
    "change_status",
    "change_statuses",
    "create_brand",
    "create_location",
    "create_product",
    "create_site",
    "create_vendor",
    "defective",
    "delete_batch",
    "delete_batches",
    "dispose",
    "hold",
    "intake",
    "release_hold",
    "release_reservation",
    "reserve",
    "return_",
    "sample",
    "save_view",
    "sell",
    "transfer",
    "update_batch",
]

_FIELD_BUCKETS = {
    api.QuantityField.ON_HAND: Bucket.ON_HAND,
    api.QuantityField.RESERVED: Bucket.RESERVED,
    api.QuantityField.QUARANTINE: Bucket.QUARANTINE,
    api.QuantityField.HOLD: Bucket.HOLD,
    api.QuantityField.DEFECTIVE: Bucket.DEFECTIVE,
}


def _reason(value: api.AdjustmentReason | None) -> AdjustmentReason | None:
    return None if value is None else AdjustmentReason(value.value)


def _reference(kind: str | None, ref_id: str | None) -> Reference | None:
    return Reference(kind, ref_id) if kind and ref_id else None


def adjust_quantity(batch_id: UUID, body: api.AdjustQuantityRequest) -> c.AdjustQuantity:
    return c.AdjustQuantity(
        batch_id=batch_id,
        bucket=_FIELD_BUCKETS[body.field],
        adjustment=body.adjustment,
        reason=_reason(body.reason),
        notes=body.notes,
        location_id=body.location_id,
        version=body.version,
    )


def change_status(batch_id: UUID, body: api.StatusChangeRequest) -> c.ChangeStatus:
    return c.ChangeStatus(
        batch_id=batch_id,
        status=BatchStatus(body.status.value),
        reason=body.reason,
        disposal_reason=AdjustmentReason(body.disposal_reason.value),
        version=body.version,
    )


def transfer(batch_id: UUID, body: api.TransferRequest) -> c.Transfer:
    return c.Transfer(
        batch_id=batch_id,
        quantity=body.quantity,
        from_location_id=body.from_location_id,
        to_location_id=body.to_location_id,
        bucket=Bucket(body.bucket.value) if body.bucket else None,
        notes=body.notes,
        version=body.version,
    )


def reserve(batch_id: UUID, body: api.ReserveRequest) -> c.Reserve:
    return c.Reserve(
        batch_id=batch_id,
        quantity=body.quantity,
        reference=Reference(body.reference_type, body.reference_id),
        notes=body.notes,
        version=body.version,
    )


def release_reservation(
    batch_id: UUID, body: api.ReleaseReservationRequest
) -> c.ReleaseReservation:
    return c.ReleaseReservation(
        batch_id=batch_id,
        reference=Reference(body.reference_type, body.reference_id),
        quantity=body.quantity,
        notes=body.notes,
        version=body.version,
    )


def sell(batch_id: UUID, body: api.SaleRequest) -> c.Sell:
    return c.Sell(
        batch_id=batch_id,
        quantity=body.quantity,
        reference=Reference(body.reference_type, body.reference_id),
        location_id=body.location_id,
        notes=body.notes,
        version=body.version,
    )


def return_(batch_id: UUID, body: api.ReturnRequest) -> c.ReceiveReturn:
    return c.ReceiveReturn(
        batch_id=batch_id,
        quantity=body.quantity,
        refund=body.refund,
        reference=_reference(body.reference_type, body.reference_id),
        location_id=body.location_id,
        notes=body.notes,
        version=body.version,
    )


def sample(batch_id: UUID, body: api.SampleRequest) -> c.SendSample:
    return c.SendSample(
        batch_id=batch_id,
        quantity=body.quantity,
        reference=_reference(body.reference_type, body.reference_id),
        location_id=body.location_id,
        notes=body.notes,
        version=body.version,
    )


def dispose(batch_id: UUID, body: api.DisposalRequest) -> c.Dispose:
    return c.Dispose(
        batch_id=batch_id,
        quantity=body.quantity,
        bucket=Bucket(body.bucket.value),
        reason=_reason(body.reason),
        location_id=body.location_id,
        notes=body.notes,
        version=body.version,
    )


def hold(batch_id: UUID, body: api.HoldRequest) -> c.Hold:
    return c.Hold(batch_id=batch_id, quantity=body.quantity, notes=body.notes, version=body.version)


def release_hold(batch_id: UUID, body: api.HoldRequest) -> c.ReleaseHold:
    return c.ReleaseHold(
        batch_id=batch_id, quantity=body.quantity, notes=body.notes, version=body.version
    )


def defective(batch_id: UUID, body: api.DefectiveRequest) -> c.MarkDefective:
    return c.MarkDefective(
        batch_id=batch_id,
        quantity=body.quantity,
        reason=_reason(body.reason),
        notes=body.notes,
        version=body.version,
    )


def delete_batch(batch_id: UUID, query: api.DeleteBatchQuery) -> c.DeleteBatch:
    return c.DeleteBatch(batch_id=batch_id, reason=query.reason, version=query.version)


def update_batch(batch_id: UUID, body: api.UpdateBatchRequest) -> c.UpdateBatch:
    return c.UpdateBatch(
        batch_id=batch_id,
        given=frozenset(body.model_fields_set),
        version=body.version,
        reason=body.reason,
        ticket=body.ticket,
        notes=body.notes,
        grade=body.grade,
        sku=body.sku,
        is_sample=body.is_sample,
        payment_terms=PaymentTerms(body.payment_terms.value) if body.payment_terms else None,
        cogs_mode=CogsMode(body.cogs_mode.value) if body.cogs_mode else None,
        unit_cogs=body.unit_cogs,
        unit_cogs_min=body.unit_cogs_min,
        unit_cogs_max=body.unit_cogs_max,
        metadata=body.metadata,
    )


def change_statuses(body: api.BulkStatusRequest) -> c.ChangeStatuses:
    return c.ChangeStatuses(
        batch_ids=tuple(body.batch_ids),
        status=BatchStatus(body.new_status.value),
        reason=body.reason,
    )


def delete_batches(body: api.BulkDeleteRequest) -> c.DeleteBatches:
    return c.DeleteBatches(batch_ids=tuple(body.batch_ids), reason=body.reason)


def intake(body: api.IntakeRequest) -> c.Intake:
    return c.Intake(
        site_id=body.site_id,
        vendor=c.VendorChoice(
            id=body.vendor.id, name=body.vendor.name, license_number=body.vendor.license_number
        ),
        brand=c.BrandChoice(id=body.brand.id, name=body.brand.name),
        product=c.ProductChoice(
            id=body.product.id,
            name=body.product.name,
            category=body.product.category,
            subcategory=body.product.subcategory,
            strain=body.product.strain,
            unit_of_measure=body.product.unit_of_measure,
            sku=body.product.sku,
        ),
        lot=c.LotChoice(id=body.lot.id, code=body.lot.code),
        location=c.LocationChoice(
            id=body.location.id,
            zone=body.location.zone,
            rack=body.location.rack,
            shelf=body.location.shelf,
            bin=body.location.bin,
        ),
        quantity=body.quantity,
        cogs_mode=CogsMode(body.cogs_mode.value),
        payment_terms=PaymentTerms(body.payment_terms.value),
        code=body.code,
        sku=body.sku,
        grade=body.grade,
        is_sample=body.is_sample,
        unit_cogs=body.unit_cogs,
        unit_cogs_min=body.unit_cogs_min,
        unit_cogs_max=body.unit_cogs_max,
        ticket=body.ticket,
        metadata=body.metadata,
        notes=body.notes,
        reference=_reference(body.reference_type, body.reference_id),
    )


def create_site(body: api.SiteCreate) -> c.CreateSite:
    return c.CreateSite(name=body.name, license_number=body.license_number, state=body.state)


def create_location(site_id: UUID, body: api.LocationCreate) -> c.CreateLocation:
    return c.CreateLocation(
        site_id=site_id, zone=body.zone, rack=body.rack, shelf=body.shelf, bin=body.bin
    )


def create_vendor(body: api.VendorCreate) -> c.CreateVendor:
    return c.CreateVendor(
        name=body.name, is_seller=body.is_seller, license_number=body.license_number
    )


def create_brand(body: api.BrandCreate) -> c.CreateBrand:
    return c.CreateBrand(name=body.name, vendor_id=body.vendor_id)


def create_product(body: api.ProductCreate) -> c.CreateProduct:
    return c.CreateProduct(
        brand_id=body.brand_id,
        name=body.name,
        category=body.category,
        unit_of_measure=body.unit_of_measure,
        subcategory=body.subcategory,
        strain=body.strain,
        sku=body.sku,
    )


def save_view(body: api.SaveViewRequest) -> c.SaveView:
    return c.SaveView(
        name=body.name,
        filters_json=body.filters.model_dump_json(by_alias=True),
        is_shared=body.is_shared,
    )
