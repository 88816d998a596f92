"""Query parameters of the inventory routes that take more than an id: what the inventory
service reads from the query string and what the gateway documents and validates (camelCase on
the wire; an unknown parameter is refused). The list routes' queries are read models
(``BatchListQuery``, ``EnhancedListQuery``)."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from pydantic import Field

from shared.contracts.inventory_enums import Bucket, MovementType, SortOrder
from shared.contracts.types import ApiModel, DecimalString, UtcDateTime

__all__ = [
    "AvailableBatchesQuery",
    "BatchAsOfQuery",
    "DeleteBatchQuery",
    "MovementsQuery",
    "ProductsQuery",
    "ReferencePageQuery",
    "SearchQuery",
    "SiteAsOfQuery",
]


class MovementsQuery(ApiModel):
    """A page of a batch's ledger, newest first unless ``order=asc``. The filters combine (AND);
    ``movementType`` and ``bucket`` may repeat (any of them). ``occurredFrom`` is inclusive,
    ``occurredTo`` exclusive. Pass the previous page's ``nextCursor`` with the same filters and
    order. ``includeTotal=true`` also counts every matching movement (one more query)."""

    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=100, ge=1, le=500)
    movement_type: list[MovementType] = Field(default_factory=list, max_length=20)
    bucket: list[Bucket] = Field(default_factory=list, max_length=5)
    occurred_from: UtcDateTime | None = Field(default=None, description="Inclusive")
    occurred_to: UtcDateTime | None = Field(default=None, description="Exclusive")
    order: SortOrder = SortOrder.DESC
    include_total: bool = False


class BatchAsOfQuery(ApiModel):
    at: UtcDateTime = Field(description="The instant (aware, ISO 8601)")


class SiteAsOfQuery(ApiModel):
    site_id: UUID
    at: UtcDateTime = Field(description="The instant (aware, ISO 8601)")
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=100, ge=1, le=500)


class AvailableBatchesQuery(ApiModel):
    min_quantity: DecimalString = Decimal("0")


class DeleteBatchQuery(ApiModel):
    reason: str | None = Field(default=None, max_length=500)
    version: int | None = Field(default=None, ge=1, description="Expected batch version")


class ReferencePageQuery(ApiModel):
    """A page of a reference list: pass the previous page's ``nextCursor`` as ``cursor``."""

    cursor: str | None = Field(default=None, max_length=2000)
    limit: int = Field(default=100, ge=1, le=500)


class SearchQuery(ReferencePageQuery):
    search: str | None = Field(
        default=None,
        max_length=100,
        description="Part of the name, matched literally (% and _ are plain characters)",
    )


class ProductsQuery(SearchQuery):
    category: str | None = Field(default=None, max_length=50)
    brand_id: UUID | None = None
