"""Profitability valued from the ledger, per batch and in summary."""

from __future__ import annotations

from decimal import Decimal

from reporting.domain import BatchChange, BatchView, ProfitTotals, batch_profitability, fold
from reporting.domain.profitability import profitability_summary
from reporting.service_layer.event_mapping import batch_change
from reporting.testing.inventory_history import SimulatedBatch, in_order, new_batch


def view_of(batch: SimulatedBatch) -> BatchView:
    items: list[BatchChange] = [batch_change(e) for e in in_order([batch])]
    return fold({}, items).views[batch.batch_id]


def test_a_sale_is_valued_at_the_ticket_and_cost_of_its_time() -> None:
    batch = new_batch(quantity=100, unit_cogs="2.5000", ticket="4.0000")
    batch.sell(1000, from_reservation=False)  # 10 units at 4.00, cost 2.50
    batch.reprice(
        9000,
        {"cogs_mode": "FIXED", "unit_cogs": "3.0000", "unit_cogs_min": None, "unit_cogs_max": None},
    )  # fmt: skip  ticket 9.0000, cost 3.00
    batch.sell(5000, from_reservation=False)  # 45 units (half of the 90 left) at 9.00
    sales = view_of(batch).sales
    assert sales.units_sold == Decimal("55.0000")
    assert sales.revenue == Decimal(40) + Decimal(405)
    assert sales.cogs == Decimal(25) + Decimal(135)


def test_the_reservation_row_of_a_sale_moves_no_units() -> None:
    batch = new_batch(quantity=100)
    batch.reserve(5000, 1)  # 50 reserved
    batch.sell(2000, from_reservation=True)  # 20 units, all from the reservation
    assert [m.bucket.value for m in batch.events[-1].movements] == ["RESERVED", "ON_HAND"]  # type: ignore[attr-defined]
    assert view_of(batch).sales.units_sold == Decimal("20.0000")


def test_a_refunded_return_takes_back_revenue_and_cost_a_plain_one_only_cost() -> None:
    batch = new_batch(quantity=100, unit_cogs="2.5000", ticket="4.0000")
    batch.sell(5000, from_reservation=False)  # 50 units
    batch.receive_return(5000, refund=True)  # 10 units back, refunded
    batch.receive_return(2500, refund=False)  # 5 units back
    sales = view_of(batch).sales
    assert (sales.units_sold, sales.units_returned) == (Decimal("50.0000"), Decimal("15.0000"))
    assert sales.revenue == Decimal(200) - Decimal(40)
    assert sales.cogs == Decimal(125) - Decimal("37.5")


def test_units_sold_without_a_ticket_are_counted_as_unpriced() -> None:
    batch = new_batch(quantity=100, ticket=None)
    batch.sell(1000, from_reservation=False)
    sales = view_of(batch).sales
    assert (sales.revenue, sales.unpriced_units) == (Decimal(0), Decimal("10.0000"))


def test_batch_metrics_give_margin_average_price_and_what_the_rest_could_bring() -> None:
    batch = new_batch(quantity=100, cost_range=("2.0000", "3.0001"), ticket="4.0000")
    batch.sell(4000, from_reservation=False)  # 40 units
    metrics = batch_profitability(view_of(batch), as_of=None)
    assert metrics.unit_cost == Decimal("2.5001")  # the midpoint, rounded half up
    assert metrics.total_revenue == Decimal("160.0000")
    assert metrics.total_cost == Decimal("100.0040")
    assert metrics.gross_profit == Decimal("59.9960")
    assert metrics.margin_percent == Decimal("37.50")
    assert metrics.avg_selling_price == Decimal("4.0000")
    assert metrics.remaining_units == Decimal("60.0000")
    assert metrics.potential_revenue == Decimal("240.0000")
    assert metrics.potential_profit == Decimal("89.9940")


def test_a_batch_without_sales_shows_zeros_not_errors() -> None:
    metrics = batch_profitability(view_of(new_batch()), as_of=None)
    assert (metrics.units_sold, metrics.total_revenue, metrics.margin_percent) == (0, 0, 0)
    assert metrics.avg_selling_price == Decimal("0.0000")


def test_the_summary_adds_sites_and_orders_categories_by_gross_profit() -> None:
    rows = [
        ("Vape", ProfitTotals(1, Decimal(10), Decimal(0), Decimal(100), Decimal(90))),
        ("Flower", ProfitTotals(2, Decimal(5), Decimal(1), Decimal(50), Decimal(10))),
        ("Vape", ProfitTotals(1, Decimal(10), Decimal(2), Decimal(100), Decimal(50))),
    ]
    summary = profitability_summary(rows, as_of=None)
    assert (summary.total_revenue, summary.total_cost, summary.gross_profit) == (250, 150, 100)
    assert summary.avg_margin == Decimal("40.00")
    assert (summary.total_units, summary.batches_with_sales) == (Decimal(22), 4)
    assert [(c.category, c.gross_profit, c.units_sold) for c in summary.by_category] == [
        ("Vape", Decimal("60.0000"), Decimal(18)),
        ("Flower", Decimal("40.0000"), Decimal(4)),
    ]
