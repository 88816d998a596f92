"""How far behind its topic a read model is, and the "as of" time of every report.

Per topic partition the read model records the offset and event time of the last event it
applied, and, as the consumer last saw it, the partition's high watermark (the offset the next
message will get) and when it saw it. From these:

* ``behind`` = high watermark - (last applied offset + 1): messages published, not yet applied;
* a partition is *complete through* the time the watermark was seen if nothing is behind, else
  through the time of the last event applied (events of a partition are in publishing order);
* a read model is as of the earliest complete-through time of its topic's partitions (those
  it has a row for: the consumer records every partition assigned to it): every event published
  before that instant is in it. Before any watermark is seen, that is the last event applied
  (``messages_behind`` is then unknown); None while nothing at all is known.

A consumer refreshes the watermarks while idle too (every fetch answers with them); otherwise an
idle read model would seem to fall behind while being complete.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["PartitionPosition", "ReadModelLag", "read_model_lag"]


@dataclass(frozen=True, slots=True)
class PartitionPosition:
    topic: str
    partition: int
    last_offset: int
    """The last offset applied, or handled otherwise (a duplicate, a dead-lettered message:
    the consumer group's committed offset, recorded with the watermark); -1 before any."""
    last_event_at: datetime | None
    applied_at: datetime | None
    high_watermark: int | None
    watermark_at: datetime | None

    @property
    def behind(self) -> int | None:
        if self.high_watermark is None:
            return None
        return max(0, self.high_watermark - (self.last_offset + 1))

    @property
    def complete_through(self) -> datetime | None:
        if self.behind == 0:
            assert self.watermark_at is not None  # recorded with the watermark
            if self.last_event_at is None:
                return self.watermark_at
            return max(self.watermark_at, self.last_event_at)
        return self.last_event_at


@dataclass(frozen=True, slots=True)
class ReadModelLag:
    topic: str
    partitions: tuple[PartitionPosition, ...]
    messages_behind: int | None
    """None while a partition's watermark is unknown."""
    as_of: datetime | None
    lag: timedelta | None
    """``now - as_of`` (never negative); None while ``as_of`` is unknown."""


def read_model_lag(
    topic: str, positions: Iterable[PartitionPosition], now: datetime
) -> ReadModelLag:
    mine = tuple(sorted((p for p in positions if p.topic == topic), key=lambda p: p.partition))
    behind = [p.behind for p in mine]
    through = [p.complete_through for p in mine]
    as_of = None
    if mine and all(t is not None for t in through):
        as_of = min(t for t in through if t is not None)
    return ReadModelLag(
        topic=topic,
        partitions=mine,
        messages_behind=sum(b for b in behind if b is not None)
        if mine and None not in behind
        else None,
        as_of=as_of,
        lag=None if as_of is None else max(timedelta(0), now - as_of),
    )
