"""Lag per topic and the "as of" time of the reports; when a rebuild may be swapped in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from reporting.domain import PartitionPosition, caught_up_with, read_model_lag

T = datetime(2026, 3, 2, 12, tzinfo=UTC)
S = timedelta(seconds=1)


def position(partition: int, offset: int, event_at: datetime | None, hw: int | None,
             seen: datetime | None, topic: str = "t") -> PartitionPosition:  # fmt: skip
    return PartitionPosition(topic, partition, offset, event_at, event_at, hw, seen)


def test_a_caught_up_partition_is_complete_through_the_time_its_watermark_was_seen() -> None:
    lag = read_model_lag("t", [position(0, 9, T - 60 * S, 10, T - S)], T)
    assert (lag.messages_behind, lag.as_of, lag.lag) == (0, T - S, S)


def test_a_partition_behind_is_complete_through_its_last_applied_event() -> None:
    lag = read_model_lag(
        "t", [position(0, 4, T - 60 * S, 10, T - S), position(1, -1, None, 0, T)], T
    )
    assert (lag.messages_behind, lag.as_of, lag.lag) == (5, T - 60 * S, 60 * S)


def test_as_of_is_unknown_until_every_partition_has_told() -> None:
    lag = read_model_lag("t", [position(0, 9, T, 10, T), position(1, 3, None, None, None)], T)
    assert (lag.messages_behind, lag.as_of, lag.lag) == (None, None, None)
    assert read_model_lag("t", [], T).as_of is None


def test_other_topics_do_not_count() -> None:
    lag = read_model_lag("t", [position(0, 9, T, 10, T), position(0, 0, None, 99, T, "u")], T)
    assert lag.messages_behind == 0
    assert len(lag.partitions) == 1


def test_a_rebuild_may_replace_the_live_generation_only_once_it_has_applied_as_much() -> None:
    live = [position(0, 10, T, None, None), position(1, 5, T, None, None)]
    assert not caught_up_with([position(0, 10, T, None, None)], live)
    assert not caught_up_with([position(0, 10, T, None, None), position(1, 4, T, None, None)], live)
    assert caught_up_with([position(0, 11, T, None, None), position(1, 5, T, None, None)], live)
