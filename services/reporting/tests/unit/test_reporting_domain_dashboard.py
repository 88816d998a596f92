"""Dashboard statistics from aggregate rows."""

from __future__ import annotations

from decimal import Decimal

from reporting.domain import BatchStatus, Dimension, Totals, dashboard_report


def test_rows_of_every_site_add_up_and_every_status_is_listed() -> None:
    rows = [
        (Dimension.SELLABLE, "", Totals(2, Decimal("10.0000"), Decimal("25.00005"))),
        (Dimension.SELLABLE, "", Totals(1, Decimal("5.0000"), Decimal("1"))),
        (Dimension.STATUS, "LIVE", Totals(3, Decimal(15), Decimal(26))),
        (Dimension.STATUS, "CLOSED", Totals(4, Decimal(0), Decimal(0))),
    ]
    report = dashboard_report(rows, as_of=None)
    assert report.total_units == Decimal("15.0000")
    assert report.total_inventory_value == Decimal("26.0000")
    assert report.status_counts == {
        s: {"LIVE": 3, "CLOSED": 4}.get(s.value, 0) for s in BatchStatus
    }


def test_categories_come_highest_value_first_and_empty_ones_are_left_out() -> None:
    rows = [
        (Dimension.CATEGORY, "Vape", Totals(1, Decimal(1), Decimal(50))),
        (Dimension.CATEGORY, "Flower", Totals(2, Decimal(9), Decimal(90))),
        (Dimension.CATEGORY, "Edible", Totals(0, Decimal(0), Decimal(0))),
        (Dimension.SUBCATEGORY, "", Totals(1, Decimal(1), Decimal(50))),
        (Dimension.SUBCATEGORY, "Indoor", Totals(1, Decimal(1), Decimal(50))),
    ]
    report = dashboard_report(rows, as_of=None)
    assert [c.name for c in report.category_stats] == ["Flower", "Vape"]
    assert [c.name for c in report.subcategory_stats] == ["Indoor", None]
    assert report.total_units == 0
