"""Dashboard statistics (the spec's ``dashboardStats``) for a set of sites.

* ``total_inventory_value`` and ``total_units``: sellable stock (LIVE and PHOTOGRAPHY_COMPLETE
  batches, not deleted): on-hand units, valued at unit cost (FIXED, or the RANGE midpoint);
* ``status_counts``: batches per status, every status listed, deleted batches left out;
* ``category_stats`` and ``subcategory_stats``: the same sellable figures per product category
  and subcategory, highest value first (a batch without a subcategory counts under None).

These are the meanings of the system the specification came from (its counts cover every
status, its value and units only sellable stock), computed over every batch, never a sample.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from reporting.domain.aggregates import NO_SUBCATEGORY, Dimension, Totals
from reporting.domain.batch import BatchStatus
from reporting.domain.money import money

__all__ = ["DashboardReport", "NamedStat", "dashboard_report"]


@dataclass(frozen=True, slots=True)
class NamedStat:
    name: str | None
    batches: int
    units: Decimal
    value: Decimal


@dataclass(frozen=True, slots=True)
class DashboardReport:
    as_of: datetime | None
    total_inventory_value: Decimal
    total_units: Decimal
    status_counts: dict[BatchStatus, int]
    category_stats: tuple[NamedStat, ...]
    subcategory_stats: tuple[NamedStat, ...]


def _stats(rows: dict[str, Totals], *, blank_is_none: bool = False) -> tuple[NamedStat, ...]:
    stats = [
        NamedStat(
            None if blank_is_none and name == NO_SUBCATEGORY else name,
            totals.batches,
            totals.units,
            money(totals.value),
        )
        for name, totals in rows.items()
        if totals.batches > 0
    ]
    stats.sort(key=lambda s: (-s.value, s.name is None, s.name or ""))
    return tuple(stats)


def dashboard_report(
    rows: Iterable[tuple[Dimension, str, Totals]], *, as_of: datetime | None
) -> DashboardReport:
    """The report from dashboard aggregate rows (rows with the same dimension and name, from
    different sites, are added up)."""
    sums: dict[Dimension, dict[str, Totals]] = {dimension: {} for dimension in Dimension}
    for dimension, name, totals in rows:
        bucket = sums[dimension]
        bucket[name] = bucket.get(name, Totals()) + totals
    sellable = sums[Dimension.SELLABLE].get("", Totals())
    statuses = sums[Dimension.STATUS]
    return DashboardReport(
        as_of=as_of,
        total_inventory_value=money(sellable.value),
        total_units=sellable.units,
        status_counts={s: statuses.get(s.value, Totals()).batches for s in BatchStatus},
        category_stats=_stats(sums[Dimension.CATEGORY]),
        subcategory_stats=_stats(sums[Dimension.SUBCATEGORY], blank_is_none=True),
    )
