"""CSV of every report: pure functions from a report to text (RFC 4180, CRLF line ends).

Columns come in a fixed order with the JSON API's camelCase names; decimals are written exactly
as the report holds them (fixed point, never an exponent); times are UTC ISO 8601 with ``Z``;
an absent value is an empty cell. Reports with parts (totals, brackets, categories) have a
``section`` column saying which part a row belongs to. Every row repeats ``asOf``, so a row
pasted elsewhere still says how fresh it is.

Text that came from users (product names, notes ...) is written so that a spreadsheet shows it
rather than evaluates it: a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return gets a leading apostrophe (numbers are never text, so a negative quantity stays a number).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

from reporting.domain import (
    AgingReport,
    ComplianceStatusReport,
    DashboardReport,
    ProfitabilityMetrics,
    ProfitabilitySummary,
)
from reporting.service_layer.reports import MovementHistory

__all__ = [
    "aging_csv",
    "batch_profitability_csv",
    "compliance_status_csv",
    "dashboard_csv",
    "movement_history_csv",
    "profitability_summary_csv",
]

Cell = str | int | Decimal | datetime | UUID | None
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, UUID | int):
        return str(value)
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _table(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        if len(row) != len(header):
            raise ValueError("a row does not match the header")
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()


def dashboard_csv(report: DashboardReport) -> str:
    as_of = report.as_of
    rows: list[Sequence[Cell]] = [
        (as_of, "total", None, None, report.total_units, report.total_inventory_value)
    ]
    rows += [(as_of, "status", s.value, n, None, None) for s, n in report.status_counts.items()]
    for section, stats in (
        ("category", report.category_stats),
        ("subcategory", report.subcategory_stats),
    ):
        rows += [(as_of, section, s.name, s.batches, s.units, s.value) for s in stats]
    return _table(("asOf", "section", "name", "batches", "units", "value"), rows)


_AGING_HEADER = (
    "asOf", "agesAt", "section", "bracket", "count", "units", "value", "batchId", "code", "sku",
    "productName", "siteId", "receivedAt", "ageDays",
)  # fmt: skip


def aging_csv(report: AgingReport) -> str:
    head = (report.as_of, report.ages_at)
    rows: list[Sequence[Cell]] = [
        (*head, "summary", b.value, t.count, t.total_units, t.total_value, *([None] * 7))
        for b, t in report.summary.items()
    ]
    rows.append((*head, "agingItemsCount", None, report.aging_items_count, *([None] * 9)))
    rows += [
        (*head, "topAgingItem", i.bracket.value, None, i.on_hand_qty, i.value, i.batch_id,
         i.code, i.sku, i.product_name, i.site_id, i.received_at, i.age_days)
        for i in report.top_aging_items
    ]  # fmt: skip
    return _table(_AGING_HEADER, rows)


_BATCH_PROFIT_HEADER = (
    "asOf", "batchId", "siteId", "code", "sku", "productName", "category", "unitCost", "ticket",
    "unitsSold", "unitsReturned", "totalRevenue", "totalCost", "grossProfit", "marginPercent",
    "avgSellingPrice", "remainingUnits", "potentialRevenue", "potentialProfit", "unpricedUnits",
)  # fmt: skip


def batch_profitability_csv(report: ProfitabilityMetrics) -> str:
    r = report
    row: tuple[Cell, ...] = (
        r.as_of, r.batch_id, r.site_id, r.code, r.sku, r.product_name, r.category, r.unit_cost,
        r.ticket, r.units_sold, r.units_returned, r.total_revenue, r.total_cost, r.gross_profit,
        r.margin_percent, r.avg_selling_price, r.remaining_units, r.potential_revenue,
        r.potential_profit, r.unpriced_units,
    )  # fmt: skip
    return _table(_BATCH_PROFIT_HEADER, [row])


_SUMMARY_HEADER = (
    "asOf", "section", "category", "batchesWithSales", "unitsSold", "totalRevenue", "totalCost",
    "grossProfit", "marginPercent", "unpricedUnits",
)  # fmt: skip


def profitability_summary_csv(report: ProfitabilitySummary) -> str:
    r = report
    rows: list[Sequence[Cell]] = [
        (r.as_of, "total", None, r.batches_with_sales, r.total_units, r.total_revenue,
         r.total_cost, r.gross_profit, r.avg_margin, r.unpriced_units)
    ]  # fmt: skip
    rows += [
        (r.as_of, "category", c.category, c.batches_with_sales, c.units_sold, c.total_revenue,
         c.total_cost, c.gross_profit, c.margin_percent, c.unpriced_units)
        for c in r.by_category
    ]  # fmt: skip
    return _table(_SUMMARY_HEADER, rows)


_MOVEMENT_HEADER = (
    "asOf", "batchId", "batchVersion", "sequence", "eventType", "bucket", "movementType",
    "quantityChange", "quantityBefore", "quantityAfter", "adjustmentReason", "notes",
    "referenceType", "referenceId", "locationId", "locationLabel", "performedBy", "occurredAt",
)  # fmt: skip


def movement_history_csv(report: MovementHistory) -> str:
    rows = [
        (report.as_of, m.batch_id, m.batch_version, m.sequence, m.event_type, m.bucket.value,
         m.type, m.change, m.before, m.after, m.reason, m.notes, m.reference_type,
         m.reference_id, m.location_id, m.location_label, m.actor, m.occurred_at)
        for m in report.items
    ]  # fmt: skip
    return _table(_MOVEMENT_HEADER, rows)


_COMPLIANCE_HEADER = (
    "asOf", "siteId", "licenseNumber", "linked", "pending", "failed", "lastSyncAt",
    "lastSyncDirection", "lastSyncOutcome", "openFindings", "openFindingsByClass",
)  # fmt: skip


def compliance_status_csv(report: ComplianceStatusReport) -> str:
    rows = []
    for license in report.licenses:
        sync = license.last_sync
        rows.append((
            report.as_of, license.site_id, license.license_number, license.linked,
            license.pending, license.failed, None if sync is None else sync.finished_at,
            None if sync is None else sync.direction.value,
            None if sync is None else sync.outcome.value,
            sum(license.open_findings.values()),
            ";".join(f"{name}={n}" for name, n in license.open_findings.items()),
        ))  # fmt: skip
    return _table(_COMPLIANCE_HEADER, rows)
