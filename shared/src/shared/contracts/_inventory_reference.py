"""Reference data of the inventory API: sites, locations, vendors, brands, products, lots and
saved views (private; import from ``shared.contracts.inventory``)."""

from __future__ import annotations

from uuid import UUID

from pydantic import ConfigDict, Field

from shared.contracts.inventory_enums import (
    AgingBracket,
    BatchStatus,
    SortField,
    SortOrder,
    StockStatus,
)
from shared.contracts.types import ApiModel, UtcDateTime

__all__ = [
    "Brand",
    "BrandCreate",
    "BrandPage",
    "InventoryFilters",
    "Location",
    "LocationCreate",
    "Lot",
    "LotPage",
    "Product",
    "ProductCreate",
    "ProductPage",
    "SaveViewRequest",
    "SaveViewResult",
    "SavedView",
    "Site",
    "SiteCreate",
    "Vendor",
    "VendorCreate",
    "VendorPage",
    "ViewFilters",
]

_NAME = Field(min_length=1, max_length=200)


class SiteCreate(ApiModel):
    """A licensed facility. Only an identity granted every site may create one."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"name": "Eugene warehouse", "licenseNumber": "OR-123456", "state": "OR"}]
        }
    )

    name: str = _NAME
    license_number: str = Field(min_length=1, max_length=100, description="Facility license")
    state: str = Field(
        min_length=2, max_length=2, pattern="^[A-Z]{2}$", description="Jurisdiction (US state)"
    )


class Site(SiteCreate):
    id: UUID
    created_at: UtcDateTime


class LocationCreate(ApiModel):
    """A place inside a site; (zone, rack, shelf, bin) is unique per site."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"zone": "Vault", "rack": "R1", "shelf": "S2", "bin": "B3"}]
        }
    )

    zone: str = Field(min_length=1, max_length=50)
    rack: str | None = Field(default=None, max_length=50)
    shelf: str | None = Field(default=None, max_length=50)
    bin: str | None = Field(default=None, max_length=50)


class Location(LocationCreate):
    id: UUID
    site_id: UUID
    label: str = Field(description="zone/rack/shelf/bin, for people")
    created_at: UtcDateTime


class VendorCreate(ApiModel):
    """A client of the business; vendors of batches are clients with isSeller."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"name": "Green Valley Farms", "isSeller": True, "licenseNumber": "C-42"}]
        }
    )

    name: str = _NAME
    is_seller: bool = True
    license_number: str | None = Field(default=None, max_length=100)


class Vendor(VendorCreate):
    id: UUID
    created_at: UtcDateTime


class BrandCreate(ApiModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "Valley Gold"}]})

    name: str = _NAME
    vendor_id: UUID | None = None


class Brand(BrandCreate):
    id: UUID
    created_at: UtcDateTime


class ProductCreate(ApiModel):
    """A product; a Flower product must name its strain."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Blue Dream 3.5g",
                    "category": "Flower",
                    "subcategory": "Indoor",
                    "strain": "Blue Dream",
                    "brandId": "4b0c1e53-4d2a-4c39-9c39-9b7b1f1e2a10",
                    "unitOfMeasure": "Grams",
                    "sku": "BD-35",
                }
            ]
        }
    )

    name: str = _NAME
    category: str = Field(min_length=1, max_length=50, examples=["Flower", "Concentrate"])
    subcategory: str | None = Field(default=None, max_length=50)
    strain: str | None = Field(default=None, max_length=100)
    brand_id: UUID
    unit_of_measure: str = Field(
        min_length=1,
        max_length=30,
        description="One of the state's units as Metrc spells them (Grams, Kilograms,"
        " Milligrams, Ounces, Pounds, Each ...: the service's INVENTORY_UNITS_OF_MEASURE)",
    )
    sku: str | None = Field(default=None, max_length=100)


class Product(ProductCreate):
    id: UUID
    brand_name: str
    created_at: UtcDateTime


class Lot(ApiModel):
    """A supplier lot; batches of one intake share it. (vendor, code) is unique."""

    id: UUID
    code: str
    vendor_id: UUID
    created_at: UtcDateTime


class InventoryFilters(ApiModel):
    """Filters of the enhanced list (every list is AND-ed; values within one list are OR-ed)."""

    search: str | None = Field(
        default=None, max_length=100, description="Substring of SKU, batch code or product name"
    )
    site_id: list[UUID] = Field(default_factory=list)
    status: list[BatchStatus] = Field(default_factory=list)
    category: list[str] = Field(default_factory=list)
    vendor_id: list[UUID] = Field(default_factory=list)
    brand_id: list[UUID] = Field(default_factory=list)
    grade: list[str] = Field(default_factory=list)
    stock_status: list[StockStatus] = Field(default_factory=list)
    age_bracket: list[AgingBracket] = Field(default_factory=list)
    location_id: list[UUID] = Field(default_factory=list)
    include_archived: bool = Field(default=False, description="Include CLOSED and deleted batches")


class ViewFilters(InventoryFilters):
    """What a saved view remembers: the filters and the sort."""

    sort_by: SortField = SortField.CREATED_AT
    sort_order: SortOrder = SortOrder.DESC


class SaveViewRequest(ApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Live flower, low stock",
                    "filters": {
                        "status": ["LIVE"],
                        "category": ["Flower"],
                        "stockStatus": ["LOW_STOCK"],
                        "sortBy": "availableQty",
                        "sortOrder": "asc",
                    },
                    "isShared": True,
                }
            ]
        }
    )

    name: str = Field(min_length=1, max_length=100)
    filters: ViewFilters
    is_shared: bool = False


class SaveViewResult(ApiModel):
    success: bool = True
    id: UUID


class SavedView(ApiModel):
    id: UUID
    name: str
    filters: ViewFilters
    is_shared: bool
    owner_id: str = Field(description="The identity subject that saved it")
    created_at: UtcDateTime
    updated_at: UtcDateTime


_NEXT_CURSOR = Field(
    default=None, description="Pass as ``cursor`` for the next page; null on the last"
)


class VendorPage(ApiModel):
    """Vendors by name, a page at a time."""

    items: list[Vendor]
    next_cursor: str | None = _NEXT_CURSOR
    has_more: bool


class BrandPage(ApiModel):
    """Brands by name, a page at a time."""

    items: list[Brand]
    next_cursor: str | None = _NEXT_CURSOR
    has_more: bool


class ProductPage(ApiModel):
    """Products by name, a page at a time."""

    items: list[Product]
    next_cursor: str | None = _NEXT_CURSOR
    has_more: bool


class LotPage(ApiModel):
    """A vendor's lots, newest first, a page at a time."""

    items: list[Lot]
    next_cursor: str | None = _NEXT_CURSOR
    has_more: bool
