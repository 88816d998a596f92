"""Aging brackets at query time, agreeing with inventory's rule to the microsecond."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from reporting.domain import (
    AgingBracket,
    AgingCandidate,
    AgingClock,
    AgingThresholds,
    InvalidReportParametersError,
    Totals,
    age_in_days,
    aging_report,
)

AT = datetime(2026, 3, 2, 9, 30, 15, 250_000, tzinfo=UTC)
DAY = timedelta(days=1)
US = timedelta(microseconds=1)


class TestAges:
    def test_ages_are_whole_days_floored(self) -> None:
        assert age_in_days(AT - 15 * DAY, AT) == 15
        assert age_in_days(AT - 15 * DAY + US, AT) == 14
        assert age_in_days(AT, AT) == 0

    def test_a_receipt_after_the_instant_counts_as_age_zero(self) -> None:
        assert age_in_days(AT + DAY, AT) == 0
        assert AgingClock(AgingThresholds(), AT).bracket_of(AT + 3 * DAY) is AgingBracket.FRESH

    @pytest.mark.parametrize(
        ("days", "bracket"),
        [(0, "FRESH"), (14, "FRESH"), (15, "MODERATE"), (30, "MODERATE"), (31, "AGING"),
         (60, "AGING"), (61, "CRITICAL"), (400, "CRITICAL")],
    )  # fmt: skip
    def test_default_brackets_are_inventorys_at_their_bounds(self, days: int, bracket: str) -> None:
        assert AgingThresholds().bracket(days).value == bracket

    def test_thresholds_must_increase(self) -> None:
        for bad in ((14, 14, 60), (30, 15, 60), (-1, 5, 9), (1, 2, 40_000)):
            with pytest.raises(InvalidReportParametersError):
                AgingThresholds(*bad)


class TestDays:
    def test_a_whole_day_has_one_bracket_unless_it_holds_a_cut(self) -> None:
        clock = AgingClock(AgingThresholds(), AT)
        straddling = set(clock.straddling_days)
        assert straddling == {
            (AT - 15 * DAY).date(),
            (AT - 31 * DAY).date(),
            (AT - 61 * DAY).date(),
        }
        for offset in range(-3, 100):
            day = (AT - offset * DAY).date()
            bracket = clock.bracket_of_day(day)
            start = datetime(day.year, day.month, day.day, tzinfo=UTC)
            instants = [start, start + DAY / 2, start + DAY - US]
            if day in straddling:
                assert bracket is None
                assert len({clock.bracket_of(i) for i in instants}) == 2
            else:
                assert {clock.bracket_of(i) for i in instants} == {bracket}

    def test_a_receipt_reaches_as_many_cuts_as_its_bracket_index_to_the_microsecond(self) -> None:
        clock = AgingClock(AgingThresholds(), AT)
        for cut in clock.cuts:
            for instant in (cut - US, cut, cut + US, cut + DAY, cut - DAY):
                assert clock.cuts_reached(instant) == list(AgingBracket).index(
                    clock.bracket_of(instant)
                )
        assert clock.cuts_reached(AT - 15 * DAY) == 1
        assert clock.cuts_reached(AT - 15 * DAY + US) == 0

    def test_the_straddling_days_come_in_split_by_the_cuts_they_reached(self) -> None:
        clock = AgingClock(AgingThresholds(), AT)
        split = [(1, Totals(1, Decimal(1), Decimal(2))), (0, Totals(1, Decimal(3), Decimal(6)))]
        report = aging_report(clock, whole_days=[], straddling=split, oldest=[], as_of=None)
        assert report.summary[AgingBracket.MODERATE].count == 1
        assert report.summary[AgingBracket.MODERATE].total_units == Decimal(1)
        assert report.summary[AgingBracket.FRESH].total_value == Decimal("6.0000")


def test_a_whole_day_is_in_the_bracket_of_the_cuts_on_later_days() -> None:
    clock = AgingClock(AgingThresholds(), AT)
    for offset in range(-3, 100):
        day = (AT - offset * DAY).date()
        if day not in clock.cut_days:
            assert list(AgingBracket)[clock.days_reached(day)] is clock.bracket_of_day(day)


def test_the_report_adds_brackets_counts_aging_items_and_lists_the_oldest() -> None:
    clock = AgingClock(AgingThresholds(), AT)
    whole_days = [
        (0, Totals(2, Decimal(10), Decimal(20))),
        (0, Totals(2, Decimal(6), Decimal(6))),  # rows of one bracket in several pieces
        (2, Totals(3, Decimal(30), Decimal("0.00005"))),
        (3, Totals(4, Decimal(40), Decimal(80))),
    ]
    oldest = AgingCandidate(uuid4(), uuid4(), "B-1", "SKU", "=cmd", AT - 100 * DAY,
                            Decimal(40), Decimal(2))  # fmt: skip
    report = aging_report(clock, whole_days=whole_days, straddling=[], oldest=[oldest], as_of=AT)
    assert {
        b.value: (t.count, t.total_units, t.total_value) for b, t in report.summary.items()
    } == {
        "FRESH": (4, Decimal(16), Decimal("26.0000")),
        "MODERATE": (0, Decimal(0), Decimal("0.0000")),
        "AGING": (3, Decimal(30), Decimal("0.0000")),
        "CRITICAL": (4, Decimal(40), Decimal("80.0000")),
    }
    assert report.aging_items_count == 7
    item = report.top_aging_items[0]
    assert (item.age_days, item.bracket, item.value) == (
        100,
        AgingBracket.CRITICAL,
        Decimal("80.0000"),
    )
    assert report.ages_at == AT
