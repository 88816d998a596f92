"""The reporting service's HTTP contract: the specification's dashboard statistics
(``dashboardStats``), aging (``getAgingSummary``), profitability per batch and in summary, and
compliance status per license; a CSV export of each; the read models' lag.

Every report is computed from read models built from events only, for the caller's sites (all
they are granted, or the ``siteId`` ones, each of which must be granted). Every answer says how
fresh it is: ``asOf`` (every event published before that instant is in it; null while nothing
is known) and ``lagMs`` (the time since). Quantities and money are decimal strings.
"""

from __future__ import annotations

from typing import Final
from uuid import UUID

from pydantic import Field, model_validator

from shared.contracts.routes import Route
from shared.contracts.types import ApiModel, DecimalTotalString, UtcDateTime

__all__ = [
    "ERROR_CODES",
    "ROUTES",
    "AgingBracketTotals",
    "AgingItem",
    "AgingQuery",
    "AgingSummary",
    "BatchProfitability",
    "CategoryProfit",
    "ComplianceStatus",
    "DashboardStats",
    "LastSync",
    "LicenseStatus",
    "NamedStat",
    "PartitionLag",
    "ProfitabilitySummary",
    "ReadModelLag",
    "ReadModelStatus",
    "ReportQuery",
]


class ReportQuery(ApiModel):
    site_id: list[UUID] = Field(
        default_factory=list,
        max_length=100,
        description="Only these sites (each must be granted); none: every site granted",
    )


class AgingQuery(ReportQuery):
    fresh_max_days: int = Field(default=14, ge=0, le=36_500)
    moderate_max_days: int = Field(default=30, ge=0, le=36_500)
    aging_max_days: int = Field(default=60, ge=0, le=36_500)
    top: int = Field(default=5, ge=1, le=100, description="How many of the oldest batches")

    @model_validator(mode="after")
    def _ordered(self) -> AgingQuery:
        if not self.fresh_max_days < self.moderate_max_days < self.aging_max_days:
            raise ValueError("freshMaxDays < moderateMaxDays < agingMaxDays is required")
        return self


class _Fresh(ApiModel):
    as_of: UtcDateTime | None = Field(
        description="Every event published before this instant is in the report"
    )
    lag_ms: int | None = Field(description="Milliseconds from asOf to the answer")


class NamedStat(ApiModel):
    name: str | None
    batches: int
    units: DecimalTotalString
    value: DecimalTotalString


class DashboardStats(_Fresh):
    total_inventory_value: DecimalTotalString
    total_units: DecimalTotalString
    status_counts: dict[str, int]
    category_stats: list[NamedStat]
    subcategory_stats: list[NamedStat]


class AgingBracketTotals(ApiModel):
    count: int
    total_units: DecimalTotalString
    total_value: DecimalTotalString


class AgingItem(ApiModel):
    batch_id: UUID
    site_id: UUID
    code: str
    sku: str
    product_name: str
    received_at: UtcDateTime
    age_days: int
    bracket: str
    on_hand_qty: DecimalTotalString
    value: DecimalTotalString


class AgingSummary(_Fresh):
    ages_at: UtcDateTime
    fresh_max_days: int
    moderate_max_days: int
    aging_max_days: int
    summary: dict[str, AgingBracketTotals]
    aging_items_count: int
    top_aging_items: list[AgingItem]


class BatchProfitability(_Fresh):
    batch_id: UUID
    site_id: UUID
    code: str
    sku: str
    product_name: str
    category: str
    unit_cost: DecimalTotalString
    ticket: DecimalTotalString | None
    units_sold: DecimalTotalString
    units_returned: DecimalTotalString
    total_revenue: DecimalTotalString
    total_cost: DecimalTotalString
    gross_profit: DecimalTotalString
    margin_percent: DecimalTotalString
    avg_selling_price: DecimalTotalString
    remaining_units: DecimalTotalString
    potential_revenue: DecimalTotalString
    potential_profit: DecimalTotalString
    unpriced_units: DecimalTotalString


class CategoryProfit(ApiModel):
    category: str
    batches_with_sales: int
    units_sold: DecimalTotalString
    total_revenue: DecimalTotalString
    total_cost: DecimalTotalString
    gross_profit: DecimalTotalString
    margin_percent: DecimalTotalString
    unpriced_units: DecimalTotalString


class ProfitabilitySummary(_Fresh):
    total_revenue: DecimalTotalString
    total_cost: DecimalTotalString
    gross_profit: DecimalTotalString
    avg_margin: DecimalTotalString
    total_units: DecimalTotalString
    batches_with_sales: int
    unpriced_units: DecimalTotalString
    by_category: list[CategoryProfit]


class LastSync(ApiModel):
    sync_id: UUID
    direction: str
    outcome: str
    finished_at: UtcDateTime


class LicenseStatus(ApiModel):
    site_id: UUID
    license_number: str
    linked: int
    pending: int
    failed: int
    last_sync: LastSync | None
    open_findings: dict[str, int]


class ComplianceStatus(_Fresh):
    licenses: list[LicenseStatus]


class PartitionLag(ApiModel):
    partition: int
    last_offset: int
    high_watermark: int | None
    messages_behind: int | None
    last_event_at: UtcDateTime | None
    watermark_at: UtcDateTime | None


class ReadModelLag(_Fresh):
    topic: str
    messages_behind: int | None
    partitions: list[PartitionLag]


class ReadModelStatus(ApiModel):
    read_models: list[ReadModelLag]


_R = "/v1/reports"

ROUTES: Final[tuple[Route, ...]] = (
    Route("GET", f"{_R}/dashboard", "reports:read", "Dashboard statistics (dashboardStats)"),
    Route("GET", f"{_R}/aging", "reports:read", "Aging summary by bracket (getAgingSummary)"),
    Route(
        "GET",
        f"{_R}/profitability/batches/{{batchId}}",
        "reports:read",
        "Profitability of one batch",
    ),
    Route("GET", f"{_R}/profitability", "reports:read", "Profitability summary, by category"),
    Route("GET", f"{_R}/compliance", "reports:read", "Compliance status per license"),
    Route("GET", f"{_R}/lag", "reports:read", "How far behind its topic each read model is"),
    Route("GET", f"{_R}/dashboard/export", "reports:read", "Dashboard statistics as CSV"),
    Route("GET", f"{_R}/aging/export", "reports:read", "Aging summary as CSV"),
    Route(
        "GET",
        f"{_R}/profitability/batches/{{batchId}}/export",
        "reports:read",
        "Profitability of one batch as CSV",
    ),
    Route("GET", f"{_R}/profitability/export", "reports:read", "Profitability summary as CSV"),
    Route("GET", f"{_R}/compliance/export", "reports:read", "Compliance status as CSV"),
)
"""Every internal route of the reporting API (health, readiness and metrics aside)."""

ERROR_CODES: Final[dict[str, tuple[int, str]]] = {
    "BATCH_NOT_FOUND": (404, "No such batch in the read models (or not visible to the caller)"),
    "SITE_ACCESS_DENIED": (403, "A requested site is not granted to the caller"),
    "VALIDATION_ERROR": (422, "The request is not valid"),
    "READ_MODEL_UNAVAILABLE": (
        503,
        "The read models are not there (not migrated) or the database is away",
    ),
}
"""Every error code the reporting API answers with: HTTP status and meaning."""
