"""The mirror's pure rules: which windows a pull reads, and what it keeps of a Metrc record."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from compliance.domain.mirror import (
    FEEDS,
    Feed,
    FeedOutcome,
    PullReport,
    PullWindow,
    SyncType,
    mirror_record,
    plan_windows,
)

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
FIVE_MINUTES = timedelta(minutes=5)


class TestWindows:
    def test_the_first_pull_reads_the_whole_list(self) -> None:
        assert plan_windows(Feed.PACKAGES_ACTIVE, since=None, as_of=NOW, overlap=FIVE_MINUTES) == [
            None
        ]

    def test_lists_without_a_time_filter_are_always_read_whole(self) -> None:
        since = NOW - timedelta(hours=1)
        for feed in (Feed.TAGS_PACKAGE, Feed.TAGS_PLANT, Feed.ADJUSTMENTS):
            assert plan_windows(feed, since=since, as_of=NOW, overlap=FIVE_MINUTES) == [None]

    def test_an_incremental_pull_starts_the_overlap_before_the_last_success(self) -> None:
        since = NOW - timedelta(hours=1)
        assert plan_windows(
            Feed.PLANTS_FLOWERING, since=since, as_of=NOW, overlap=FIVE_MINUTES
        ) == [PullWindow(since - FIVE_MINUTES, NOW)]

    def test_a_gap_longer_than_a_day_is_read_in_windows_of_at_most_24_hours_oldest_first(
        self,
    ) -> None:
        since = NOW - timedelta(days=2, hours=3)
        windows = plan_windows(Feed.HARVESTS_ACTIVE, since=since, as_of=NOW, overlap=timedelta(0))
        assert [w.end - w.start for w in windows if w] == [
            timedelta(hours=24),
            timedelta(hours=24),
            timedelta(hours=3),
        ]
        bounded = [w for w in windows if w is not None]
        assert all(a.end == b.start for a, b in itertools.pairwise(bounded))
        assert bounded[0].start == since
        assert bounded[-1].end == NOW

    def test_naive_times_are_refused(self) -> None:
        with pytest.raises(ValueError):
            plan_windows(
                Feed.ITEMS_ACTIVE, since=datetime(2026, 3, 1), as_of=NOW, overlap=FIVE_MINUTES
            )


class TestFeeds:
    def test_packages_are_read_from_every_status_metrc_lists(self) -> None:
        assert [f.status for f in FEEDS[SyncType.PACKAGES]] == [
            "active",
            "inactive",
            "onhold",
            "intransit",
        ]

    def test_every_sync_type_has_at_least_one_list(self) -> None:
        assert all(FEEDS[t] for t in SyncType)


class TestRecords:
    def test_a_package_keeps_its_id_label_quantity_unit_item_and_last_modified(self) -> None:
        record = mirror_record(
            Feed.PACKAGES_ONHOLD,
            {
                "Id": 42,
                "Label": "1A4FF0100000022000000123",
                "Quantity": Decimal("12.5000"),
                "UnitOfMeasureName": "Grams",
                "Item": {"Name": "Blue Dream Flower"},
                "LastModified": "2026-02-08T07:05:59.8043612+00:00",
            },
        )
        assert (record.key, record.metrc_id, record.status) == ("42", 42, "onhold")
        assert (record.quantity, record.unit, record.item) == (
            Decimal("12.5000"),
            "Grams",
            "Blue Dream Flower",
        )
        assert record.last_modified == datetime(2026, 2, 8, 7, 5, 59, 804361, tzinfo=UTC)

    def test_a_harvest_s_quantity_is_its_current_weight(self) -> None:
        record = mirror_record(
            Feed.HARVESTS_ACTIVE,
            {"Id": 7, "Name": "H-1", "CurrentWeight": 120.5, "UnitOfWeightName": "Grams"},
        )
        assert (record.label, record.quantity, record.unit) == ("H-1", Decimal("120.5"), "Grams")

    def test_a_tag_is_kept_under_its_label(self) -> None:
        record = mirror_record(Feed.TAGS_PLANT, {"Id": 9, "Label": "1A4FF0200000022000000001"})
        assert record.key == "1A4FF0200000022000000001"

    def test_adjustment_lines_have_no_id_and_are_kept_under_a_digest_of_the_line(self) -> None:
        line = {
            "PackageLabel": "1A4FF0100000022000000123",
            "AdjustmentQuantity": "-2.5",
            "AdjustmentReasonName": "Drying",
            "AdjustmentDate": "2026-02-08",
        }
        first, again = (
            mirror_record(Feed.ADJUSTMENTS, line),
            mirror_record(Feed.ADJUSTMENTS, dict(line)),
        )
        other = mirror_record(Feed.ADJUSTMENTS, {**line, "AdjustmentQuantity": "-3"})
        assert first.key == again.key != other.key
        assert first.quantity == Decimal("-2.5")

    def test_metrc_s_null_dates_are_no_time(self) -> None:
        record = mirror_record(
            Feed.ITEMS_ACTIVE, {"Id": 1, "LastModified": "0001-01-01T00:00:00+00:00"}
        )
        assert record.last_modified is None


class TestReport:
    def test_the_report_counts_per_type_and_lists_every_error(self) -> None:
        report = PullReport(
            "L-1",
            NOW,
            NOW,
            (
                FeedOutcome(Feed.PACKAGES_ACTIVE, pages=3, records=55),
                FeedOutcome(Feed.PACKAGES_INACTIVE, pages=1, records=2),
                FeedOutcome(Feed.PLANTS_VEGETATIVE, error_code="RATE_LIMITED", error_message="429"),
            ),
        )
        assert report.by_type()[SyncType.PACKAGES] == {"records": 57, "pages": 4}
        assert [o.feed for o in report.errors] == [Feed.PLANTS_VEGETATIVE]
        assert not report.ok
