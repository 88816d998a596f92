"""Profitability: what each batch's sales brought in and cost, per batch and in summary.

The figures come from the ledger rows of the inventory events, valued when they happened:

* a SALE out of a physical bucket sells its units: revenue += units x the batch's ticket at
  the time, COGS += units x the unit cost at the time (FIXED, or the RANGE midpoint);
* a RETURN or REFUND_RETURN into a physical bucket takes units back: COGS -= units x unit cost;
  a REFUND_RETURN also refunds: revenue -= units x ticket;
* the SALE on RESERVED that accompanies a sale only consumes the reservation (no units move).

Inventory's sale events carry no price of their own: the ticket (the batch's asking price per
unit) when the sale was recorded is the price. Units sold or refunded while the batch had no
ticket are counted as ``unpriced_units``, so a report can say how much revenue it is missing.

Rounded for presentation only: money to 4 places, margins to 2 (half to even).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from reporting.domain.aggregates import ProfitTotals
from reporting.domain.batch import PHYSICAL_BUCKETS, BatchView, Costs, Movement, Sales
from reporting.domain.money import ZERO, add, money, mul, percent, ratio, sub

__all__ = [
    "CategoryProfit",
    "ProfitabilityMetrics",
    "ProfitabilitySummary",
    "batch_profitability",
    "profitability_summary",
    "record_sales",
]

SALE = "SALE"
RETURN = "RETURN"
REFUND_RETURN = "REFUND_RETURN"


def record_sales(sales: Sales, movements: Sequence[Movement], costs: Costs) -> Sales:
    """``sales`` after ``movements``, valued at ``costs`` (the batch's after the change)."""
    sold, returned, revenue, cogs, unpriced = (
        sales.units_sold,
        sales.units_returned,
        sales.revenue,
        sales.cogs,
        sales.unpriced_units,
    )
    touched = False
    for movement in movements:
        if movement.bucket not in PHYSICAL_BUCKETS:
            continue
        units = movement.change
        if movement.type == SALE and units < ZERO:
            units = sub(ZERO, units)
            sold = add(sold, units)
            cogs = add(cogs, mul(units, costs.unit_cost))
            if costs.ticket is None:
                unpriced = add(unpriced, units)
            else:
                revenue = add(revenue, mul(units, costs.ticket))
        elif movement.type in (RETURN, REFUND_RETURN) and units > ZERO:
            returned = add(returned, units)
            cogs = sub(cogs, mul(units, costs.unit_cost))
            if movement.type == REFUND_RETURN:
                if costs.ticket is None:
                    unpriced = add(unpriced, units)
                else:
                    revenue = sub(revenue, mul(units, costs.ticket))
        else:
            continue
        touched = True
    if not touched:
        return sales
    return Sales(sold, returned, revenue, cogs, unpriced)


@dataclass(frozen=True, slots=True)
class ProfitabilityMetrics:
    """One batch (the spec's ``ProfitabilityMetrics``).

    ``units_sold`` is net of returns; ``avg_selling_price`` = revenue / units sold;
    ``remaining_units`` is on hand; ``potential_*`` values what remains at the average
    selling price (0 before the first sale) against its unit cost."""

    as_of: datetime | None
    batch_id: UUID
    site_id: UUID
    code: str
    sku: str
    product_name: str
    category: str
    unit_cost: Decimal
    ticket: Decimal | None
    units_sold: Decimal
    units_returned: Decimal
    total_revenue: Decimal
    total_cost: Decimal
    gross_profit: Decimal
    margin_percent: Decimal
    avg_selling_price: Decimal
    remaining_units: Decimal
    potential_revenue: Decimal
    potential_profit: Decimal
    unpriced_units: Decimal


def batch_profitability(view: BatchView, *, as_of: datetime | None) -> ProfitabilityMetrics:
    facts, sales = view.facts, view.sales
    units = sales.net_units
    profit = sub(sales.revenue, sales.cogs)
    average = ratio(sales.revenue, units)
    remaining = facts.balances.on_hand
    potential_revenue = mul(remaining, average)
    unit_cost = facts.costs.unit_cost
    return ProfitabilityMetrics(
        as_of=as_of,
        batch_id=facts.batch_id,
        site_id=facts.site_id,
        code=facts.code,
        sku=facts.sku,
        product_name=facts.product_name,
        category=facts.category,
        unit_cost=unit_cost,
        ticket=facts.costs.ticket,
        units_sold=units,
        units_returned=sales.units_returned,
        total_revenue=money(sales.revenue),
        total_cost=money(sales.cogs),
        gross_profit=money(profit),
        margin_percent=percent(profit, sales.revenue),
        avg_selling_price=average,
        remaining_units=remaining,
        potential_revenue=money(potential_revenue),
        potential_profit=money(sub(potential_revenue, mul(remaining, unit_cost))),
        unpriced_units=sales.unpriced_units,
    )


@dataclass(frozen=True, slots=True)
class CategoryProfit:
    category: str
    batches_with_sales: int
    units_sold: Decimal
    total_revenue: Decimal
    total_cost: Decimal
    gross_profit: Decimal
    margin_percent: Decimal
    unpriced_units: Decimal


@dataclass(frozen=True, slots=True)
class ProfitabilitySummary:
    """All batches of the caller's sites (the spec's ``ProfitabilitySummary``), with the same
    figures per category (highest gross profit first)."""

    as_of: datetime | None
    total_revenue: Decimal
    total_cost: Decimal
    gross_profit: Decimal
    avg_margin: Decimal
    total_units: Decimal
    batches_with_sales: int
    unpriced_units: Decimal
    by_category: tuple[CategoryProfit, ...]


def _category(name: str, totals: ProfitTotals) -> CategoryProfit:
    profit = sub(totals.revenue, totals.cogs)
    return CategoryProfit(
        category=name,
        batches_with_sales=totals.batches_with_sales,
        units_sold=totals.net_units,
        total_revenue=money(totals.revenue),
        total_cost=money(totals.cogs),
        gross_profit=money(profit),
        margin_percent=percent(profit, totals.revenue),
        unpriced_units=totals.unpriced_units,
    )


def profitability_summary(
    rows: Iterable[tuple[str, ProfitTotals]], *, as_of: datetime | None
) -> ProfitabilitySummary:
    """The summary of per-category totals (rows of one category are added up)."""
    by_category: dict[str, ProfitTotals] = {}
    for name, totals in rows:
        current = by_category.get(name)
        by_category[name] = totals if current is None else current + totals
    total = sum(by_category.values(), ProfitTotals())
    categories = [_category(name, t) for name, t in by_category.items() if not t.is_zero()]
    categories.sort(key=lambda c: (-c.gross_profit, c.category))
    profit = sub(total.revenue, total.cogs)
    return ProfitabilitySummary(
        as_of=as_of,
        total_revenue=money(total.revenue),
        total_cost=money(total.cogs),
        gross_profit=money(profit),
        avg_margin=percent(profit, total.revenue),
        total_units=total.net_units,
        batches_with_sales=total.batches_with_sales,
        unpriced_units=total.unpriced_units,
        by_category=tuple(categories),
    )
