"""The inventory service's public routes: its contract's ROUTES table, with the contract's models.

``shared.contracts.inventory.ROUTES`` says which routes exist and the permission each needs;
this table adds, per route, the models the gateway validates and documents. A route of the
contract that this table does not know yet is still served, forwarded as it is (a test fails
until it is described here).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from pydantic import BaseModel
from shared.contracts import inventory as c

from gateway.entrypoints.forwarded.routes import RouteSpec

__all__ = ["INVENTORY_MODELS", "INVENTORY_ROUTES"]


@dataclass(frozen=True)
class Models:
    response: Any = None
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    status_code: int = 200
    idempotent: bool = False
    tag: str = "batches"


_B = "/v1/batches/{batchId}"


def _write(body: type[BaseModel], response: Any = c.BatchWriteResult) -> Models:
    return Models(response=response, body=body, idempotent=True)


def _created(body: type[BaseModel], response: Any, tag: str) -> Models:
    return Models(response=response, body=body, status_code=201, idempotent=True, tag=tag)


_PB = "/v1/plant-batches/{plantBatchId}"
_H = "/v1/harvests/{harvestId}"
_CULTIVATION = "cultivation"


def _cultivation_write(body: type[BaseModel], response: Any, status_code: int = 200) -> Models:
    return Models(
        response=response, body=body, status_code=status_code, idempotent=True, tag=_CULTIVATION
    )


CULTIVATION_MODELS: dict[tuple[str, str], Models] = {
    ("GET", "/v1/plant-batches"): Models(
        c.PlantBatchPage, query=c.PlantBatchListQuery, tag=_CULTIVATION
    ),
    ("POST", "/v1/plant-batches"): _cultivation_write(
        c.PlantBatchCreate, c.PlantBatchWriteResult, 201
    ),
    ("GET", _PB): Models(c.PlantBatch, tag=_CULTIVATION),
    ("GET", f"{_PB}/movements"): Models(
        c.PlantMovementPage, query=c.PlantMovementQuery, tag=_CULTIVATION
    ),
    ("POST", f"{_PB}/split"): _cultivation_write(c.PlantBatchSplitRequest, c.PlantBatchSplitResult),
    ("POST", f"{_PB}/adjustments"): _cultivation_write(
        c.PlantBatchAdjustRequest, c.PlantBatchWriteResult
    ),
    ("POST", f"{_PB}/move"): _cultivation_write(c.PlantBatchMoveRequest, c.PlantBatchWriteResult),
    ("POST", f"{_PB}/destroy"): _cultivation_write(
        c.PlantBatchDestroyRequest, c.PlantBatchWriteResult
    ),
    ("POST", f"{_PB}/growth-phase"): _cultivation_write(
        c.GrowthPhaseRequest, c.PlantsMovedIntoGrowthResult
    ),
    ("GET", "/v1/plants"): Models(c.PlantPage, query=c.PlantListQuery, tag=_CULTIVATION),
    ("POST", "/v1/plants/growth-phase"): _cultivation_write(
        c.PlantsGrowthPhaseRequest, c.PlantsResult
    ),
    ("GET", "/v1/harvests"): Models(c.HarvestPage, query=c.HarvestListQuery, tag=_CULTIVATION),
    ("POST", "/v1/harvests"): _cultivation_write(c.HarvestCreate, c.HarvestWriteResult, 201),
    ("GET", _H): Models(c.HarvestDetail, tag=_CULTIVATION),
    ("POST", f"{_H}/waste"): _cultivation_write(c.HarvestWasteRequest, c.HarvestWriteResult),
    ("POST", f"{_H}/finish"): _cultivation_write(c.HarvestFinishRequest, c.HarvestWriteResult),
    ("POST", f"{_H}/unfinish"): _cultivation_write(c.HarvestUnfinishRequest, c.HarvestWriteResult),
    ("POST", f"{_H}/packages"): _cultivation_write(
        c.HarvestPackagesRequest, c.HarvestPackagesResult, 201
    ),
}
"""Cultivation's routes: plant batches, tracked plants, harvests."""

_OT = "/v1/outgoing-transfers/{transferId}"
_IT = "/v1/incoming-transfers/{transferId}"
_TRANSFERS = "transfers"


def _transfer_write(body: type[BaseModel], status_code: int = 200) -> Models:
    return Models(
        response=c.OutgoingTransferWriteResult,
        body=body,
        status_code=status_code,
        idempotent=True,
        tag=_TRANSFERS,
    )


TRANSFER_MODELS: dict[tuple[str, str], Models] = {
    ("GET", "/v1/outgoing-transfers"): Models(
        c.OutgoingTransferPage, query=c.OutgoingTransferListQuery, tag=_TRANSFERS
    ),
    ("POST", "/v1/outgoing-transfers"): _transfer_write(c.OutgoingTransferCreate, 201),
    ("GET", _OT): Models(c.OutgoingTransfer, tag=_TRANSFERS),
    ("POST", f"{_OT}/send"): _transfer_write(c.OutgoingTransferSendRequest),
    ("POST", f"{_OT}/cancel"): _transfer_write(c.OutgoingTransferCancelRequest),
    ("GET", "/v1/incoming-transfers"): Models(
        c.IncomingTransferPage, query=c.IncomingTransferListQuery, tag=_TRANSFERS
    ),
    ("GET", _IT): Models(c.IncomingTransfer, tag=_TRANSFERS),
    ("POST", f"{_IT}/receive"): Models(
        response=c.IncomingTransferReceiveResult,
        body=c.IncomingTransferReceiveRequest,
        idempotent=True,
        tag=_TRANSFERS,
    ),
}
"""Outgoing transfers (plan, send, cancel, read) and incoming ones (read, receive)."""

INVENTORY_MODELS: dict[tuple[str, str], Models] = {
    ("GET", "/v1/batches"): Models(c.BatchPage, query=c.BatchListQuery),
    ("GET", "/v1/batches/enhanced"): Models(c.EnhancedBatchList, query=c.EnhancedListQuery),
    ("GET", _B): Models(c.Batch),
    ("GET", f"{_B}/detail"): Models(c.BatchDetail),
    ("GET", f"{_B}/movements"): Models(c.MovementPage, query=c.MovementsQuery),
    ("GET", f"{_B}/as-of"): Models(c.BatchAsOf, query=c.BatchAsOfQuery),
    ("GET", "/v1/inventory/as-of"): Models(c.InventoryAsOf, query=c.SiteAsOfQuery),
    ("GET", "/v1/products/{productId}/available-batches"): Models(
        list[c.AvailableBatch], query=c.AvailableBatchesQuery, tag="reference data"
    ),
    ("POST", "/v1/batches/intake"): Models(
        c.IntakeResult, body=c.IntakeRequest, status_code=201, idempotent=True
    ),
    ("PATCH", _B): _write(c.UpdateBatchRequest),
    ("DELETE", _B): Models(c.BatchWriteResult, query=c.DeleteBatchQuery, idempotent=True),
    ("POST", f"{_B}/adjustments"): _write(c.AdjustQuantityRequest),
    ("POST", f"{_B}/status"): _write(c.StatusChangeRequest),
    ("POST", f"{_B}/transfers"): _write(c.TransferRequest),
    ("POST", f"{_B}/reservations"): _write(c.ReserveRequest),
    ("POST", f"{_B}/reservations/release"): _write(c.ReleaseReservationRequest),
    ("POST", f"{_B}/sales"): _write(c.SaleRequest),
    ("POST", f"{_B}/returns"): _write(c.ReturnRequest),
    ("POST", f"{_B}/samples"): _write(c.SampleRequest),
    ("POST", f"{_B}/disposals"): _write(c.DisposalRequest),
    ("POST", f"{_B}/holds"): _write(c.HoldRequest),
    ("POST", f"{_B}/holds/release"): _write(c.HoldRequest),
    ("POST", f"{_B}/defective"): _write(c.DefectiveRequest),
    ("POST", f"{_B}/quarantine"): _write(c.QuarantinePartRequest),
    ("POST", f"{_B}/quarantine/release"): _write(c.QuarantinePartRequest),
    ("POST", "/v1/batches/bulk/status"): _write(c.BulkStatusRequest, c.BulkStatusResult),
    ("POST", "/v1/batches/bulk/delete"): _write(c.BulkDeleteRequest, c.BulkDeleteResult),
    ("GET", "/v1/views"): Models(list[c.SavedView], tag="saved views"),
    ("POST", "/v1/views"): _created(c.SaveViewRequest, c.SaveViewResult, "saved views"),
    ("DELETE", "/v1/views/{viewId}"): Models(c.SuccessResult, idempotent=True, tag="saved views"),
    ("GET", "/v1/sites"): Models(list[c.Site], tag="reference data"),
    ("POST", "/v1/sites"): _created(c.SiteCreate, c.Site, "reference data"),
    ("GET", "/v1/sites/{siteId}/locations"): Models(list[c.Location], tag="reference data"),
    ("POST", "/v1/sites/{siteId}/locations"): _created(
        c.LocationCreate, c.Location, "reference data"
    ),
    ("GET", "/v1/vendors"): Models(c.VendorPage, query=c.SearchQuery, tag="reference data"),
    ("POST", "/v1/vendors"): _created(c.VendorCreate, c.Vendor, "reference data"),
    ("GET", "/v1/vendors/{vendorId}/lots"): Models(
        c.LotPage, query=c.ReferencePageQuery, tag="reference data"
    ),
    ("GET", "/v1/brands"): Models(c.BrandPage, query=c.SearchQuery, tag="reference data"),
    ("POST", "/v1/brands"): _created(c.BrandCreate, c.Brand, "reference data"),
    ("GET", "/v1/products"): Models(c.ProductPage, query=c.ProductsQuery, tag="reference data"),
    ("POST", "/v1/products"): _created(c.ProductCreate, c.Product, "reference data"),
    **CULTIVATION_MODELS,
    **TRANSFER_MODELS,
}

# Every path parameter of the inventory API is a UUID; declaring it lets the gateway refuse a
# malformed id with 422 before forwarding.
_ID_PARAMS = {
    "batchId": UUID,
    "productId": UUID,
    "viewId": UUID,
    "siteId": UUID,
    "vendorId": UUID,
    "plantBatchId": UUID,
    "harvestId": UUID,
    "transferId": UUID,
}


def _spec(route: c.Route) -> RouteSpec:
    models = INVENTORY_MODELS.get((route.method, route.path), Models(tag="inventory"))
    return RouteSpec.of(
        route,
        upstream="inventory",
        error_codes=c.ERROR_CODES,
        body=models.body,
        query=models.query,
        response=models.response,
        status_code=models.status_code,
        path_types=_ID_PARAMS,
        tags=(models.tag,),
        idempotent=models.idempotent,
    )


INVENTORY_ROUTES: tuple[RouteSpec, ...] = tuple(_spec(route) for route in c.ROUTES)
