"""The aggregate read models and how one batch contributes to them.

Every aggregate row is a sum over batch views of what each contributes (:func:`contribute`):

================  =========================================  =================================
aggregate         key                                        a batch contributes
================  =========================================  =================================
dashboard         site, dimension, name                      STATUS/<status>: every batch not
                                                             deleted; SELLABLE, CATEGORY/<c>,
                                                             SUBCATEGORY/<s>: a sellable one
aging day         site, UTC day of receipt                   a sellable batch with stock on
                                                             hand (an *aging member*)
profit            site, category                             a batch that has sold or taken
                                                             back anything, deleted or not
================  =========================================  =================================

Every row exists per site and once more in total, under the site :data:`EVERY_SITE`: a report
for one caller's sites adds up their rows, a report for every site reads the total rows.

Totals are batches, on-hand units and their value at unit cost (see
:attr:`reporting.domain.batch.Costs.unit_cost`). So when a batch changes, the aggregates change
by *its contribution after minus its contribution before*: a delta that touches a handful of
rows, whatever the number of batches. A set of events folds into one :class:`Deltas`, and
storing it is one upsert per touched row. Rows are never recomputed from the batches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date
from decimal import Decimal
from enum import StrEnum
from typing import Final, NamedTuple, TypeVar
from uuid import UUID

from reporting.domain.batch import SELLABLE_STATUSES, BatchView
from reporting.domain.money import EXACT, ZERO, add, mul, sub

__all__ = [
    "EVERY_SITE",
    "NO_SUBCATEGORY",
    "AgingDayKey",
    "DashboardKey",
    "Deltas",
    "Dimension",
    "ProfitKey",
    "ProfitTotals",
    "Totals",
    "aging_member",
    "contribute",
    "difference",
    "stock_value",
]

_exact_add: Final = EXACT.add  # the hottest addition: no wrapper call

EVERY_SITE: Final = UUID(int=0)
"""The site under which each aggregate's totals over every site are kept (no site has it)."""

NO_SUBCATEGORY = ""
"""The name a batch without a subcategory is counted under (keys cannot be NULL)."""


class Dimension(StrEnum):
    SELLABLE = "sellable"
    STATUS = "status"
    CATEGORY = "category"
    SUBCATEGORY = "subcategory"


class DashboardKey(NamedTuple):
    site_id: UUID
    dimension: Dimension
    name: str


class AgingDayKey(NamedTuple):
    site_id: UUID
    day: date


class ProfitKey(NamedTuple):
    site_id: UUID
    category: str


@dataclass(slots=True)
class Totals:
    """Batches, their on-hand units and the value of those units."""

    batches: int = 0
    units: Decimal = ZERO
    value: Decimal = ZERO

    def __add__(self, other: Totals) -> Totals:
        return Totals(
            self.batches + other.batches,
            _exact_add(self.units, other.units),
            _exact_add(self.value, other.value),
        )

    def __neg__(self) -> Totals:
        return Totals(-self.batches, sub(ZERO, self.units), sub(ZERO, self.value))

    def is_zero(self) -> bool:
        return self.batches == 0 and self.units.is_zero() and self.value.is_zero()


@dataclass(slots=True)
class ProfitTotals:
    """Sales of a set of batches (see :class:`reporting.domain.batch.Sales`)."""

    batches_with_sales: int = 0
    units_sold: Decimal = ZERO
    units_returned: Decimal = ZERO
    revenue: Decimal = ZERO
    cogs: Decimal = ZERO
    unpriced_units: Decimal = ZERO

    def __add__(self, other: ProfitTotals) -> ProfitTotals:
        return ProfitTotals(
            self.batches_with_sales + other.batches_with_sales,
            add(self.units_sold, other.units_sold),
            add(self.units_returned, other.units_returned),
            add(self.revenue, other.revenue),
            add(self.cogs, other.cogs),
            add(self.unpriced_units, other.unpriced_units),
        )

    def __neg__(self) -> ProfitTotals:
        return ProfitTotals(
            -self.batches_with_sales,
            sub(ZERO, self.units_sold),
            sub(ZERO, self.units_returned),
            sub(ZERO, self.revenue),
            sub(ZERO, self.cogs),
            sub(ZERO, self.unpriced_units),
        )

    def is_zero(self) -> bool:
        return self.batches_with_sales == 0 and not any(
            (self.units_sold, self.units_returned, self.revenue, self.cogs, self.unpriced_units)
        )

    @property
    def net_units(self) -> Decimal:
        return sub(self.units_sold, self.units_returned)


def stock_value(view: BatchView) -> Decimal:
    """On-hand units at unit cost."""
    return mul(view.facts.balances.on_hand, view.facts.costs.unit_cost)


def aging_member(view: BatchView) -> bool:
    """Aging counts sellable stock: a batch not deleted, LIVE or PHOTOGRAPHY_COMPLETE, with
    stock on hand (the spec's source system did the same)."""
    facts = view.facts
    return (
        facts.deleted_at is None
        and facts.status in SELLABLE_STATUSES
        and facts.balances.on_hand > ZERO
    )


@dataclass(slots=True)
class Deltas:
    """Changes to the aggregate rows, by key; zero rows are dropped by :meth:`nonzero`."""

    dashboard: dict[DashboardKey, Totals] = field(default_factory=dict)
    aging: dict[AgingDayKey, Totals] = field(default_factory=dict)
    profit: dict[ProfitKey, ProfitTotals] = field(default_factory=dict)

    def merge(self, other: Deltas) -> None:
        for key, totals in other.dashboard.items():
            _accumulate(self.dashboard, key, totals)
        for day, totals in other.aging.items():
            _accumulate(self.aging, day, totals)
        for cat, profit in other.profit.items():
            _accumulate(self.profit, cat, profit)

    def with_totals(self) -> Deltas:
        """These per-site deltas with the rows of :data:`EVERY_SITE` added (each the sum of
        the sites' rows of its key: cheaper than contributing every batch twice) and zero rows
        dropped."""
        totals = Deltas()
        for key, change in self.dashboard.items():
            _accumulate(totals.dashboard, DashboardKey(EVERY_SITE, key.dimension, key.name), change)
        for day, change in self.aging.items():
            _accumulate(totals.aging, AgingDayKey(EVERY_SITE, day.day), change)
        for cat, profit in self.profit.items():
            _accumulate(totals.profit, ProfitKey(EVERY_SITE, cat.category), profit)
        totals.merge(self)
        return totals.nonzero()

    def nonzero(self) -> Deltas:
        return Deltas(
            {k: v for k, v in self.dashboard.items() if not v.is_zero()},
            {k: v for k, v in self.aging.items() if not v.is_zero()},
            {k: v for k, v in self.profit.items() if not v.is_zero()},
        )

    def is_empty(self) -> bool:
        return not (self.dashboard or self.aging or self.profit)


K = TypeVar("K", DashboardKey, AgingDayKey, ProfitKey)
V = TypeVar("V", Totals, ProfitTotals)


def _accumulate(rows: dict[K, V], key: K, value: V) -> None:
    current = rows.get(key)
    rows[key] = value if current is None else current + value


def contribute(deltas: Deltas, view: BatchView, *, sign: int) -> None:
    """Add ``view``'s contribution to its site's aggregate rows into ``deltas`` (``sign`` -1
    takes it away); :meth:`Deltas.with_totals` then adds the total rows."""
    facts = view.facts
    site = facts.site_id
    if facts.deleted_at is None:
        totals = Totals(1, facts.balances.on_hand, stock_value(view))
        if sign < 0:
            totals = -totals
        _accumulate(
            deltas.dashboard, DashboardKey(site, Dimension.STATUS, facts.status.value), totals
        )
        if facts.status in SELLABLE_STATUSES:
            for key in (
                DashboardKey(site, Dimension.SELLABLE, ""),
                DashboardKey(site, Dimension.CATEGORY, facts.category),
                DashboardKey(site, Dimension.SUBCATEGORY, facts.subcategory or NO_SUBCATEGORY),
            ):
                _accumulate(deltas.dashboard, key, totals)
            if facts.balances.on_hand > ZERO:
                day = facts.created_at.astimezone(UTC).date()
                _accumulate(deltas.aging, AgingDayKey(site, day), totals)
    sales = view.sales
    if sales.units_sold or sales.units_returned or sales.unpriced_units:
        profit = ProfitTotals(
            1 if sales.units_sold > ZERO else 0,
            sales.units_sold,
            sales.units_returned,
            sales.revenue,
            sales.cogs,
            sales.unpriced_units,
        )
        _accumulate(deltas.profit, ProfitKey(site, facts.category), -profit if sign < 0 else profit)


def difference(before: BatchView | None, after: BatchView) -> Deltas:
    """What the aggregates change by when a batch goes from ``before`` (None: unknown until
    now) to ``after``."""
    deltas = Deltas()
    if before is not None:
        contribute(deltas, before, sign=-1)
    contribute(deltas, after, sign=+1)
    return deltas.with_totals()
