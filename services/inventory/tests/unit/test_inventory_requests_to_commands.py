"""The HTTP contract's requests become the service layer's commands: every field arrives, in the
domain's own types (no value of the contract's types reaches a command; the vocabulary's enums,
which the domain and the contract share, are the domain's own)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest
from inventory.domain import AdjustmentReason, BatchStatus, Bucket, CogsMode, Reference
from inventory.entrypoints import commands as to
from shared.contracts import inventory as api

BATCH, SITE, LOCATION = uuid4(), uuid4(), uuid4()
Q = "5.0000"

REQUESTS: list[tuple[Any, tuple[Any, ...]]] = [
    (to.adjust_quantity, (BATCH, api.AdjustQuantityRequest.model_validate(
        {"field": "holdQty", "adjustment": "-2.5", "reason": "DAMAGED", "notes": "n",
         "locationId": str(LOCATION), "version": 3}))),
    (to.change_status, (BATCH, api.StatusChangeRequest.model_validate(
        {"status": "QUARANTINED", "reason": "mold", "version": 4}))),
    (to.transfer, (BATCH, api.TransferRequest.model_validate(
        {"quantity": Q, "fromLocationId": str(LOCATION), "toLocationId": str(uuid4()),
         "bucket": "QUARANTINE"}))),
    (to.reserve, (BATCH, api.ReserveRequest.model_validate(
        {"quantity": Q, "referenceType": "ORDER", "referenceId": "SO-1"}))),
    (to.release_reservation, (BATCH, api.ReleaseReservationRequest.model_validate(
        {"referenceType": "ORDER", "referenceId": "SO-1"}))),
    (to.sell, (BATCH, api.SaleRequest.model_validate(
        {"quantity": Q, "referenceType": "ORDER", "referenceId": "SO-1"}))),
    (to.return_, (BATCH, api.ReturnRequest.model_validate({"quantity": Q, "refund": True}))),
    (to.sample, (BATCH, api.SampleRequest.model_validate(
        {"quantity": Q, "referenceType": "LAB", "referenceId": "L-1"}))),
    (to.dispose, (BATCH, api.DisposalRequest.model_validate(
        {"quantity": Q, "bucket": "DEFECTIVE", "reason": "EXPIRED"}))),
    (to.hold, (BATCH, api.HoldRequest.model_validate({"quantity": Q}))),
    (to.release_hold, (BATCH, api.HoldRequest.model_validate({"quantity": Q}))),
    (to.defective, (BATCH, api.DefectiveRequest.model_validate({"quantity": Q, "reason": "DAMAGED"}))),
    (to.delete_batch, (BATCH, api.DeleteBatchQuery.model_validate({"reason": "gone", "version": 2}))),
    (to.update_batch, (BATCH, api.UpdateBatchRequest.model_validate(
        {"version": 3, "ticket": "4.5", "cogsMode": "RANGE", "paymentTerms": "COD"}))),
    (to.change_statuses, (api.BulkStatusRequest.model_validate(
        {"batchIds": [str(BATCH)], "newStatus": "ON_HOLD", "reason": "audit"}),)),
    (to.delete_batches, (api.BulkDeleteRequest.model_validate({"batchIds": [str(BATCH)]}),)),
    (to.intake, (api.IntakeRequest.model_validate(
        api.IntakeRequest.model_config["json_schema_extra"]["examples"][0]  # type: ignore[index]
        | {"referenceType": "PO", "referenceId": "PO-7"}),)),
    (to.create_site, (api.SiteCreate.model_validate(
        {"name": "Eugene", "licenseNumber": "OR-1", "state": "OR"}),)),
    (to.create_location, (SITE, api.LocationCreate.model_validate({"zone": "Vault", "bin": "B1"}))),
    (to.create_vendor, (api.VendorCreate.model_validate({"name": "Acme", "isSeller": False}),)),
    (to.create_brand, (api.BrandCreate.model_validate({"name": "Gold", "vendorId": str(uuid4())}),)),
    (to.create_product, (api.ProductCreate.model_validate(
        {"name": "OG", "category": "Vape", "brandId": str(uuid4()), "unitOfMeasure": "Each"}),)),
    (to.save_view, (api.SaveViewRequest.model_validate({"name": "Mine", "filters": {}}),)),
]  # fmt: skip


def values(value: Any) -> list[Any]:
    """Every value inside a command, nested commands and collections included."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [v for f in dataclasses.fields(value) for v in values(getattr(value, f.name))]
    if isinstance(value, list | tuple | frozenset):
        return [v for item in value for v in values(item)]
    return [value]


@pytest.mark.parametrize(
    ("translate", "arguments"), REQUESTS, ids=lambda x: getattr(x, "__name__", "")
)
def test_no_value_of_the_contracts_types_reaches_a_command(translate: Any, arguments: Any) -> None:
    command = translate(*arguments)
    leaked = [
        v
        for v in values(command)
        if type(v).__module__.startswith("shared.contracts")
        and type(v).__module__ != "shared.contracts.inventory_enums"
    ]
    assert not leaked, leaked


def test_every_translation_is_checked() -> None:
    translations = {
        name for name, value in vars(to).items()
        if callable(value) and getattr(value, "__module__", "") == to.__name__ and name[0] != "_"
    }  # fmt: skip
    assert {t.__name__ for t, _ in REQUESTS} == translations


def test_fields_arrive_under_their_own_names_and_the_rest_in_the_domains_terms() -> None:
    adjust = to.adjust_quantity(*REQUESTS[0][1])
    assert (adjust.bucket, adjust.adjustment, adjust.reason) == (
        Bucket.HOLD,
        Decimal("-2.5"),
        AdjustmentReason.DAMAGED,
    )
    assert (adjust.notes, adjust.location_id, adjust.version) == ("n", LOCATION, 3)
    update = to.update_batch(*REQUESTS[13][1])
    assert update.given == {"version", "ticket", "cogs_mode", "payment_terms"}
    assert update.cogs_mode is CogsMode.RANGE
    bulk = to.change_statuses(*REQUESTS[14][1])
    assert (bulk.batch_ids, bulk.status, bulk.reason) == ((BATCH,), BatchStatus.ON_HOLD, "audit")
    intake = to.intake(*REQUESTS[16][1])
    assert intake.reference == Reference("PO", "PO-7")
    assert intake.product.name == "Blue Dream 3.5g"
