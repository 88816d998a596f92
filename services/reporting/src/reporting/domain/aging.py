"""Aging: how long sellable stock has been in inventory, over every batch.

Age follows the inventory service's rule exactly: whole days, floored, from the batch's receipt
(``created_at``) to the instant the report is asked for (``ages_at``); a receipt after that
instant counts as 0. Brackets by default are inventory's (FRESH 0-14, MODERATE 15-30, AGING
31-60, CRITICAL 61+); the three upper bounds are parameters of the report.

The read model cannot store brackets, which move with the clock. It keeps, per site and per UTC
day of receipt, the count, units and value of the aging members received that day. A batch is at
least ``n`` days old exactly when it was received at or before ``ages_at - n days`` (a *cut*:
``ages_at`` minus 15, 31 and 61 days by default), so its bracket is the number of cuts it was
received at or before. At query time a day lies wholly inside one bracket (the number of cuts
on later days), except the at most three days that hold a cut: for those *straddling* days the
batches themselves are split at the cuts (an index range of one day per site). Both rules are
simple comparisons the database evaluates while it adds up (the domain gives it the cuts), so a
report reads one row per day of history plus the batches of three days, never every batch, gets
four rows back, and agrees with inventory's brackets to the microsecond.

``aging_items_count`` counts the AGING and CRITICAL brackets (stock past MODERATE), as the spec's
source system counted the two oldest of its brackets; ``top_aging_items`` are the oldest members.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Final
from uuid import UUID

from reporting.domain.aggregates import Totals
from reporting.domain.errors import InvalidReportParametersError
from reporting.domain.money import money, mul

__all__ = [
    "AgingBracket",
    "AgingCandidate",
    "AgingClock",
    "AgingItem",
    "AgingReport",
    "AgingThresholds",
    "BracketTotals",
    "age_in_days",
    "aging_report",
]

_DAY: Final = timedelta(days=1)
MAX_TOP_ITEMS: Final = 100


class AgingBracket(StrEnum):
    FRESH = "FRESH"
    MODERATE = "MODERATE"
    AGING = "AGING"
    CRITICAL = "CRITICAL"


_BRACKETS: Final = tuple(AgingBracket)
PAST_MODERATE: Final = frozenset({AgingBracket.AGING, AgingBracket.CRITICAL})


@dataclass(frozen=True, slots=True)
class AgingThresholds:
    """The oldest age (whole days) of FRESH, MODERATE and AGING; CRITICAL is the rest."""

    fresh_max_days: int = 14
    moderate_max_days: int = 30
    aging_max_days: int = 60

    def __post_init__(self) -> None:
        if not 0 <= self.fresh_max_days < self.moderate_max_days < self.aging_max_days <= 36_500:
            raise InvalidReportParametersError(
                "aging thresholds must satisfy 0 <= fresh < moderate < aging <= 36500 days"
            )

    @property
    def first_days(self) -> tuple[int, int, int]:
        """The youngest age of MODERATE, AGING and CRITICAL."""
        return self.fresh_max_days + 1, self.moderate_max_days + 1, self.aging_max_days + 1

    def bracket(self, age_days: int) -> AgingBracket:
        return _BRACKETS[sum(age_days >= first for first in self.first_days)]


def age_in_days(created_at: datetime, ages_at: datetime) -> int:
    """Whole days from receipt to ``ages_at`` (floored; never negative)."""
    return max(0, (ages_at - created_at) // _DAY)


@dataclass(frozen=True, slots=True)
class AgingClock:
    """Brackets at one instant.

    A batch's age is at least ``n`` days exactly when it was received at or before
    ``ages_at - n days`` (a *cut*); its bracket is the number of cuts it is at or before."""

    thresholds: AgingThresholds
    ages_at: datetime

    @property
    def cuts(self) -> tuple[datetime, datetime, datetime]:
        """The instants a batch must have been received at or before to be at least as old
        as MODERATE, AGING and CRITICAL begin."""
        first = self.thresholds.first_days
        return (
            self.ages_at - first[0] * _DAY,
            self.ages_at - first[1] * _DAY,
            self.ages_at - first[2] * _DAY,
        )

    def bracket_of(self, created_at: datetime) -> AgingBracket:
        return self.thresholds.bracket(age_in_days(created_at, self.ages_at))

    def cuts_reached(self, created_at: datetime) -> int:
        """How many cuts a receipt is at or before: the index of its bracket (equal to
        :meth:`bracket_of`; this form is what a database can evaluate)."""
        return sum(created_at <= cut for cut in self.cuts)

    @property
    def cut_days(self) -> tuple[date, date, date]:
        """The UTC days of the cuts, in the cuts' order."""
        first, second, third = (cut.astimezone(UTC).date() for cut in self.cuts)
        return first, second, third

    @property
    def straddling_days(self) -> tuple[date, ...]:
        """The UTC days that hold a cut, whose batches fall into two brackets."""
        return tuple(sorted(set(self.cut_days)))

    def days_reached(self, day: date) -> int:
        """For a day that holds no cut, how many cuts lie on later days: the index of the
        bracket of every batch received that day (a database can evaluate this form)."""
        return sum(cut_day > day for cut_day in self.cut_days)

    def bracket_of_day(self, day: date) -> AgingBracket | None:
        """The bracket of every batch received on ``day`` (UTC), or None if the day straddles
        a cut."""
        if day in self.cut_days:
            return None
        return _BRACKETS[self.days_reached(day)]


@dataclass(frozen=True, slots=True)
class AgingCandidate:
    """An aging member as the top-items index gives it (oldest first)."""

    batch_id: UUID
    site_id: UUID
    code: str
    sku: str
    product_name: str
    created_at: datetime
    on_hand: Decimal
    unit_cost: Decimal


@dataclass(frozen=True, slots=True)
class AgingItem:
    batch_id: UUID
    site_id: UUID
    code: str
    sku: str
    product_name: str
    received_at: datetime
    age_days: int
    bracket: AgingBracket
    on_hand_qty: Decimal
    value: Decimal


@dataclass(frozen=True, slots=True)
class BracketTotals:
    count: int
    total_units: Decimal
    total_value: Decimal


@dataclass(frozen=True, slots=True)
class AgingReport:
    """The spec's ``{summary, agingItemsCount, topAgingItems}``, with the instant ages are
    measured at, the thresholds used and the read model's as-of time."""

    as_of: datetime | None
    ages_at: datetime
    thresholds: AgingThresholds
    summary: dict[AgingBracket, BracketTotals]
    aging_items_count: int
    top_aging_items: tuple[AgingItem, ...]


def aging_report(
    clock: AgingClock,
    *,
    whole_days: Iterable[tuple[int, Totals]],
    straddling: Iterable[tuple[int, Totals]],
    oldest: Sequence[AgingCandidate],
    as_of: datetime | None,
) -> AgingReport:
    """The report from the aging members' totals, by bracket index: those of the days that
    hold no cut (by :meth:`AgingClock.days_reached`) and those received on the straddling days
    (by :meth:`AgingClock.cuts_reached`), however many rows each comes in; and the oldest
    members."""
    brackets = dict.fromkeys(AgingBracket, Totals())
    for reached, totals in (*whole_days, *straddling):
        brackets[_BRACKETS[reached]] = brackets[_BRACKETS[reached]] + totals
    summary = {
        bracket: BracketTotals(t.batches, t.units, money(t.value))
        for bracket, t in brackets.items()
    }
    return AgingReport(
        as_of=as_of,
        ages_at=clock.ages_at,
        thresholds=clock.thresholds,
        summary=summary,
        aging_items_count=sum(summary[b].count for b in PAST_MODERATE),
        top_aging_items=tuple(_item(clock, candidate) for candidate in oldest),
    )


def _item(clock: AgingClock, candidate: AgingCandidate) -> AgingItem:
    age = age_in_days(candidate.created_at, clock.ages_at)
    return AgingItem(
        batch_id=candidate.batch_id,
        site_id=candidate.site_id,
        code=candidate.code,
        sku=candidate.sku,
        product_name=candidate.product_name,
        received_at=candidate.created_at,
        age_days=age,
        bracket=clock.thresholds.bracket(age),
        on_hand_qty=candidate.on_hand,
        value=money(mul(candidate.on_hand, candidate.unit_cost)),
    )
