"""Rebuilding the read models: a new generation is filled by replaying the topics from the
start, then swapped in for the live one.

The live consumer keeps writing to the live generation while the rebuild runs. The swap is
safe only once the new generation has applied, on every partition, at least everything the live
one has: the live consumer then continues from its own (older or equal) offsets into the new
generation, and whatever it brings again is skipped as not new (the projections are
idempotent). Swapping earlier would lose the events between the two positions.
"""

from __future__ import annotations

from collections.abc import Iterable

from reporting.domain.lag import PartitionPosition

__all__ = ["caught_up_with"]


def caught_up_with(rebuilt: Iterable[PartitionPosition], live: Iterable[PartitionPosition]) -> bool:
    """Whether ``rebuilt`` has applied every partition at least as far as ``live``."""
    reached = {(p.topic, p.partition): p.last_offset for p in rebuilt}
    return all(reached.get((p.topic, p.partition), -1) >= p.last_offset for p in live)
