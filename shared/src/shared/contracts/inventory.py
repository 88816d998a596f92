"""The inventory service's HTTP contract: request and response models, routes, error codes.

The inventory service serves these routes under ``/v1`` (internal; every route but health needs
the gateway's ``X-Canopy-Identity`` token); the gateway exposes them publicly and builds its
OpenAPI from the same models. JSON field names are camelCase (``onHandQty``, ``batchStatus``);
quantities and money are decimal strings; times are aware UTC.

Writes that a client may retry take an ``Idempotency-Key`` header: a replay with the same key
and body returns the first answer (status and body) and changes nothing; the same key with a
different body is refused with IDEMPOTENCY_KEY_REUSED.
"""

from __future__ import annotations

from typing import Final, Literal, NamedTuple

from shared.contracts._inventory_enums import (
    AdjustmentReason,
    AgingBracket,
    BatchStatus,
    Bucket,
    CogsMode,
    MovementType,
    PaymentTerms,
    SortField,
    SortOrder,
    StockStatus,
)
from shared.contracts._inventory_queries import (
    AvailableBatchesQuery,
    BatchAsOfQuery,
    DeleteBatchQuery,
    MovementsQuery,
    ProductsQuery,
    ReferencePageQuery,
    SearchQuery,
    SiteAsOfQuery,
)
from shared.contracts._inventory_reads import (
    AuditLogEntry,
    AvailableBatch,
    Batch,
    BatchAsOf,
    BatchDetail,
    BatchListQuery,
    BatchLocation,
    BatchPage,
    EnhancedBatchList,
    EnhancedListQuery,
    InventoryAsOf,
    InventorySummary,
    LocationQuantity,
    Movement,
    MovementPage,
    Pagination,
    Reservation,
)
from shared.contracts._inventory_reference import (
    Brand,
    BrandCreate,
    BrandPage,
    InventoryFilters,
    Location,
    LocationCreate,
    Lot,
    LotPage,
    Product,
    ProductCreate,
    ProductPage,
    SavedView,
    SaveViewRequest,
    SaveViewResult,
    Site,
    SiteCreate,
    Vendor,
    VendorCreate,
    VendorPage,
    ViewFilters,
)
from shared.contracts._inventory_writes import (
    AdjustQuantityRequest,
    BatchWriteResult,
    BrandRef,
    BulkDeleteRequest,
    BulkDeleteResult,
    BulkItemError,
    BulkItemResult,
    BulkOutcome,
    BulkStatusRequest,
    BulkStatusResult,
    DefectiveRequest,
    DisposalRequest,
    HoldRequest,
    IntakeRequest,
    IntakeResult,
    LocationRef,
    LotRef,
    ProductRef,
    QuantityField,
    ReleaseReservationRequest,
    ReserveRequest,
    ReturnRequest,
    SaleRequest,
    SampleRequest,
    StatusChangeRequest,
    SuccessResult,
    TransferRequest,
    UpdateBatchRequest,
    VendorRef,
)

__all__ = [
    "ERROR_CODES",
    "IDEMPOTENCY_KEY_HEADER",
    "PERMISSIONS",
    "ROUTES",
    "AdjustQuantityRequest",
    "AdjustmentReason",
    "AgingBracket",
    "AuditLogEntry",
    "AvailableBatch",
    "AvailableBatchesQuery",
    "Batch",
    "BatchAsOf",
    "BatchAsOfQuery",
    "BatchDetail",
    "BatchListQuery",
    "BatchLocation",
    "BatchPage",
    "BatchStatus",
    "BatchWriteResult",
    "Brand",
    "BrandCreate",
    "BrandPage",
    "BrandRef",
    "Bucket",
    "BulkDeleteRequest",
    "BulkDeleteResult",
    "BulkItemError",
    "BulkItemResult",
    "BulkOutcome",
    "BulkStatusRequest",
    "BulkStatusResult",
    "CogsMode",
    "DefectiveRequest",
    "DeleteBatchQuery",
    "DisposalRequest",
    "EnhancedBatchList",
    "EnhancedListQuery",
    "HoldRequest",
    "IntakeRequest",
    "IntakeResult",
    "InventoryAsOf",
    "InventoryFilters",
    "InventorySummary",
    "Location",
    "LocationCreate",
    "LocationQuantity",
    "LocationRef",
    "Lot",
    "LotPage",
    "LotRef",
    "Movement",
    "MovementPage",
    "MovementType",
    "MovementsQuery",
    "Pagination",
    "PaymentTerms",
    "Permission",
    "Product",
    "ProductCreate",
    "ProductPage",
    "ProductRef",
    "ProductsQuery",
    "QuantityField",
    "ReferencePageQuery",
    "ReleaseReservationRequest",
    "Reservation",
    "ReserveRequest",
    "ReturnRequest",
    "Route",
    "SaleRequest",
    "SampleRequest",
    "SaveViewRequest",
    "SaveViewResult",
    "SavedView",
    "SearchQuery",
    "Site",
    "SiteAsOfQuery",
    "SiteCreate",
    "SortField",
    "SortOrder",
    "StatusChangeRequest",
    "StockStatus",
    "SuccessResult",
    "TransferRequest",
    "UpdateBatchRequest",
    "Vendor",
    "VendorCreate",
    "VendorPage",
    "VendorRef",
    "ViewFilters",
]

IDEMPOTENCY_KEY_HEADER: Final = "Idempotency-Key"

Permission = Literal["inventory:read", "inventory:create", "inventory:update", "inventory:delete"]
PERMISSIONS: Final[tuple[Permission, ...]] = (
    "inventory:read",
    "inventory:create",
    "inventory:update",
    "inventory:delete",
)


class Route(NamedTuple):
    """One internal route: the gateway maps ``/api/v1/...`` onto ``path`` and checks
    ``permission`` before forwarding (the service checks it again)."""

    method: str
    path: str
    permission: Permission
    summary: str


_B = "/v1/batches/{batchId}"

ROUTES: Final[tuple[Route, ...]] = (
    # batches: reads
    Route("GET", "/v1/batches", "inventory:read", "List batches, newest first (cursor)"),
    Route(
        "GET",
        "/v1/batches/enhanced",
        "inventory:read",
        "Enhanced list: page, sort, search, filters and a summary of the filtered set",
    ),
    Route("GET", _B, "inventory:read", "Get one batch"),
    Route(
        "GET",
        f"{_B}/detail",
        "inventory:read",
        "Batch detail: locations, audit trail, movements, reservations, available quantity",
    ),
    Route("GET", f"{_B}/movements", "inventory:read", "The batch's ledger, newest first (cursor)"),
    Route("GET", f"{_B}/as-of", "inventory:read", "The batch's balances at a past instant"),
    Route(
        "GET",
        "/v1/inventory/as-of",
        "inventory:read",
        "A site's inventory at a past instant, per batch, bucket and location",
    ),
    Route(
        "GET",
        "/v1/products/{productId}/available-batches",
        "inventory:read",
        "Batches of a product that can be sold now, oldest first (FIFO)",
    ),
    # batches: writes
    Route("POST", "/v1/batches/intake", "inventory:create", "Intake a new batch"),
    Route("PATCH", _B, "inventory:update", "Update batch fields (optimistic locking)"),
    Route("DELETE", _B, "inventory:delete", "Soft-delete an empty batch"),
    Route("POST", f"{_B}/adjustments", "inventory:update", "Adjust a bucket (adjustQty)"),
    Route("POST", f"{_B}/status", "inventory:update", "Change status (with quarantine sync)"),
    Route("POST", f"{_B}/transfers", "inventory:update", "Transfer stock between locations"),
    Route("POST", f"{_B}/reservations", "inventory:update", "Reserve stock for an order"),
    Route(
        "POST",
        f"{_B}/reservations/release",
        "inventory:update",
        "Release an order's reservation",
    ),
    Route("POST", f"{_B}/sales", "inventory:update", "Sell stock (consumes the reservation)"),
    Route("POST", f"{_B}/returns", "inventory:update", "Receive a customer return"),
    Route("POST", f"{_B}/samples", "inventory:update", "Send stock out as a sample"),
    Route("POST", f"{_B}/disposals", "inventory:update", "Dispose of stock"),
    Route("POST", f"{_B}/holds", "inventory:update", "Put stock on hold"),
    Route("POST", f"{_B}/holds/release", "inventory:update", "Take stock off hold"),
    Route("POST", f"{_B}/defective", "inventory:update", "Mark stock defective"),
    Route("POST", "/v1/batches/bulk/status", "inventory:update", "Bulk status change"),
    Route("POST", "/v1/batches/bulk/delete", "inventory:delete", "Bulk soft delete"),
    # saved views (a user's own, plus those shared)
    Route("GET", "/v1/views", "inventory:read", "Saved views: mine and shared ones"),
    Route("POST", "/v1/views", "inventory:read", "Save the current filters as a view"),
    Route("DELETE", "/v1/views/{viewId}", "inventory:read", "Delete one of my saved views"),
    # reference data
    Route("GET", "/v1/sites", "inventory:read", "Sites I may access"),
    Route("POST", "/v1/sites", "inventory:create", "Create a site (needs access to all sites)"),
    Route("GET", "/v1/sites/{siteId}/locations", "inventory:read", "Locations of a site"),
    Route("POST", "/v1/sites/{siteId}/locations", "inventory:create", "Create a location"),
    Route("GET", "/v1/vendors", "inventory:read", "Vendors (clients that sell to us)"),
    Route("POST", "/v1/vendors", "inventory:create", "Create a vendor"),
    Route("GET", "/v1/vendors/{vendorId}/lots", "inventory:read", "Lots of a vendor"),
    Route("GET", "/v1/brands", "inventory:read", "Brands"),
    Route("POST", "/v1/brands", "inventory:create", "Create a brand"),
    Route("GET", "/v1/products", "inventory:read", "Products"),
    Route("POST", "/v1/products", "inventory:create", "Create a product"),
)
"""Every internal route of the inventory API (health, readiness and metrics aside)."""

ERROR_CODES: Final[dict[str, tuple[int, str]]] = {
    "BATCH_NOT_FOUND": (404, "Batch {id} not found (also for a batch of a site you cannot see)"),
    "NOT_FOUND": (404, "A referenced site, location, vendor, brand, product, lot or view"),
    "RESERVATION_NOT_FOUND": (404, "No reservation for that reference on the batch"),
    "OPTIMISTIC_LOCK_CONFLICT": (409, "Batch was modified by another user"),
    "DUPLICATE": (409, "A batch code, site, location, vendor or brand that exists already"),
    "NEGATIVE_INVENTORY": (
        422,
        "Adjustment would result in negative inventory. "
        "Current {field}: {current}, adjustment: {adjustment}",
    ),
    "INVALID_STATUS_TRANSITION": (422, "Cannot transition from {current} to {new}"),
    "ADJUSTMENT_TOO_LARGE": (422, "Adjustment too large"),
    "REASON_REQUIRED": (422, "Reason is required"),
    "NOTES_REQUIRED": (422, "Notes are required when the reason is OTHER"),
    "INVALID_QUANTITY": (422, "Not a positive quantity, too many places, or too large"),
    "INSUFFICIENT_AVAILABLE": (422, "More than is available (or reserved, or on hold)"),
    "INSUFFICIENT_AT_LOCATION": (422, "The location holds less of the batch than requested"),
    "BATCH_NOT_EMPTY": (422, "Stock, reservations or holds remain"),
    "BATCH_CLOSED": (422, "The batch is closed or deleted"),
    "OPERATION_NOT_ALLOWED": (422, "Not in the batch's current status"),
    "VALIDATION_ERROR": (422, "The request breaks a field rule (details list every problem)"),
    "IDEMPOTENCY_KEY_REUSED": (422, "The Idempotency-Key was used with a different request"),
    "MALFORMED_JSON": (400, "The body is not JSON: syntax, UTF-8, NaN, a huge number, a surrogate"),
    "UNSUPPORTED_MEDIA_TYPE": (415, "The body is not sent as application/json"),
    "UNAUTHENTICATED": (401, "No valid identity token from the gateway"),
    "PERMISSION_DENIED": (403, "The identity lacks the route's permission"),
    "SITE_ACCESS_DENIED": (403, "The identity is not granted the site named in the request"),
    "INTERNAL_ERROR": (500, "A bug or corrupt data; the request id identifies it in the logs"),
}
"""Every error code the inventory API answers with: HTTP status and meaning. The body is always
``{"error": {"code", "message", "details"}}``."""
