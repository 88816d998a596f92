"""The HTTP contract's requests -> the service layer's commands (the one place that knows both).

The contract speaks the wire's language (camelCase models); the commands speak the domain's. Both use the one vocabulary of enums
(``shared.contracts.inventory_enums``). A command takes the request's fields of the same name as
they are, and what differs is stated per command; a test checks that no value of the contract's
own types reaches a command.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any, TypeVar
from uuid import UUID

from pydantic import BaseModel
from shared.contracts import inventory as api

from inventory.domain import PackageIngredient, PackageSource, Reference
from inventory.service_layer import commands as c

C = TypeVar("C")


_NAMES: dict[type[Any], frozenset[str]] = {}


def _names(command: type[Any]) -> frozenset[str]:
    names = _NAMES.get(command)
    if names is None:
        names = _NAMES[command] = frozenset(f.name for f in fields(command))
    return names


def _command(command: type[C], request: BaseModel, **different: Any) -> C:
    """``command`` from ``request``'s fields of the same names, and ``different``; a request's
    ``referenceType`` and ``referenceId`` become the command's ``reference`` (None without them)."""
    if "reference" in _names(command):
        different.setdefault("reference", _reference(request))
    same = {
        name: getattr(request, name)
        for name in _names(command) - different.keys()
        if name in type(request).model_fields
    }
    return command(**same, **different)


def _reference(request: BaseModel) -> Reference | None:
    kind = getattr(request, "reference_type", None)
    ref_id = getattr(request, "reference_id", None)
    return Reference(kind, ref_id) if kind and ref_id else None


def adjust_quantity(batch_id: UUID, body: api.AdjustQuantityRequest) -> c.AdjustQuantity:
    return _command(c.AdjustQuantity, body, batch_id=batch_id)


def change_status(batch_id: UUID, body: api.StatusChangeRequest) -> c.ChangeStatus:
    return _command(c.ChangeStatus, body, batch_id=batch_id)


def transfer(batch_id: UUID, body: api.TransferRequest) -> c.Transfer:
    return _command(c.Transfer, body, batch_id=batch_id)


def reserve(batch_id: UUID, body: api.ReserveRequest) -> c.Reserve:
    return _command(c.Reserve, body, batch_id=batch_id)


def release_reservation(
    batch_id: UUID, body: api.ReleaseReservationRequest
) -> c.ReleaseReservation:
    return _command(c.ReleaseReservation, body, batch_id=batch_id)


def sell(batch_id: UUID, body: api.SaleRequest) -> c.Sell:
    return _command(c.Sell, body, batch_id=batch_id)


def return_(batch_id: UUID, body: api.ReturnRequest) -> c.ReceiveReturn:
    return _command(c.ReceiveReturn, body, batch_id=batch_id)


def sample(batch_id: UUID, body: api.SampleRequest) -> c.SendSample:
    return _command(c.SendSample, body, batch_id=batch_id)


def dispose(batch_id: UUID, body: api.DisposalRequest) -> c.Dispose:
    return _command(c.Dispose, body, batch_id=batch_id)


def hold(batch_id: UUID, body: api.HoldRequest) -> c.Hold:
    return _command(c.Hold, body, batch_id=batch_id)


def release_hold(batch_id: UUID, body: api.HoldRequest) -> c.ReleaseHold:
    return _command(c.ReleaseHold, body, batch_id=batch_id)


def defective(batch_id: UUID, body: api.DefectiveRequest) -> c.MarkDefective:
    return _command(c.MarkDefective, body, batch_id=batch_id)


def quarantine_part(batch_id: UUID, body: api.QuarantinePartRequest) -> c.QuarantinePart:
    return _command(c.QuarantinePart, body, batch_id=batch_id)


def release_quarantine_part(batch_id: UUID, body: api.QuarantinePartRequest) -> c.QuarantinePart:
    return _command(c.QuarantinePart, body, batch_id=batch_id, release=True)


def delete_batch(batch_id: UUID, query: api.DeleteBatchQuery) -> c.DeleteBatch:
    return _command(c.DeleteBatch, query, batch_id=batch_id)


def update_batch(batch_id: UUID, body: api.UpdateBatchRequest) -> c.UpdateBatch:
    return _command(
        c.UpdateBatch,
        body,
        batch_id=batch_id,
        given=frozenset(body.model_fields_set),
    )


def change_statuses(body: api.BulkStatusRequest) -> c.ChangeStatuses:
    return _command(c.ChangeStatuses, body, batch_ids=tuple(body.batch_ids))


def delete_batches(body: api.BulkDeleteRequest) -> c.DeleteBatches:
    return _command(c.DeleteBatches, body, batch_ids=tuple(body.batch_ids))


def intake(body: api.IntakeRequest) -> c.Intake:
    return _command(
        c.Intake,
        body,
        vendor=_command(c.VendorChoice, body.vendor),
        brand=_command(c.BrandChoice, body.brand),
        product=_command(c.ProductChoice, body.product),
        lot=_command(c.LotChoice, body.lot),
        location=_command(c.LocationChoice, body.location),
        package_tag=None if body.package is None else body.package.tag,
        package_source=_package_source(body.package),
    )


def _package_source(package: api.PackageRef | None) -> PackageSource | None:
    source = None if package is None else package.source
    if source is None:
        return None
    return PackageSource(
        kind=source.kind,
        manifest_number=source.manifest_number,
        ingredients=tuple(
            PackageIngredient(batch_id=str(i.batch_id), quantity=i.quantity)
            for i in source.ingredients or ()
        ),
        harvest_id=None if source.harvest_id is None else str(source.harvest_id),
    )


def create_site(body: api.SiteCreate) -> c.CreateSite:
    return _command(c.CreateSite, body)


def create_location(site_id: UUID, body: api.LocationCreate) -> c.CreateLocation:
    return _command(c.CreateLocation, body, site_id=site_id)


def create_vendor(body: api.VendorCreate) -> c.CreateVendor:
    return _command(c.CreateVendor, body)


def create_brand(body: api.BrandCreate) -> c.CreateBrand:
    return _command(c.CreateBrand, body)


def create_product(body: api.ProductCreate) -> c.CreateProduct:
    return _command(c.CreateProduct, body)


def save_view(body: api.SaveViewRequest) -> c.SaveView:
    filters = body.filters.model_dump_json(by_alias=True)
    return _command(c.SaveView, body, filters_json=filters)
