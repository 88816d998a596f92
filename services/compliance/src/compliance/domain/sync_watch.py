"""The rules the sync watch applies to each license every few seconds (pure; the worker's
``service_layer.sync_watch`` feeds them what the database says).

* **After a burst of pushes**: at least ``min_accepted`` writes Metrc accepted since the last pull
  of the types they touch, then ``quiet`` without another accepted write: the license's pushes
  have settled, so an incremental pull of those types brings the mirror up to date with what
  the pushes did (and with whatever Metrc changed around them).
* **Stale pull**: a type whose last successful pull is older than a few of the license's
  scheduled intervals (``stale_factor`` x interval; without a schedule, ``unscheduled_stale``).
* **Growing backlog**: the writes waiting to be sent are over a threshold (count, or the oldest
  one's age) at every one of the last ``checks`` checks, and nothing drained between them (the
  count rose, or the oldest waiting write is still the one that waited before).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from itertools import pairwise

from compliance.domain.mirror import SyncType
from compliance.domain.submissions import SubmissionKind

__all__ = [
    "AcceptedPushes",
    "BacklogRule",
    "BacklogSample",
    "BacklogState",
    "BurstRule",
    "StaleRule",
    "backlog_state",
    "settled_burst",
    "stale_types",
    "touched_types",
]

_PACKAGE_AND_HISTORY = (SyncType.PACKAGES, SyncType.ADJUSTMENTS)
_TOUCHES: Mapping[SubmissionKind, tuple[SyncType, ...]] = {
    SubmissionKind.ADJUST_PACKAGE: _PACKAGE_AND_HISTORY,
    SubmissionKind.LINK_PACKAGE: (),
}


def touched_types(kind: SubmissionKind) -> tuple[SyncType, ...]:
    """The sync types whose Metrc lists an accepted write of ``kind`` changed: an adjustment
    also adds a line to the adjustment history; every other write changes packages (a create
    and the draws on its sources, a move, a finish, a transfer's packages in transit). A link
    is a read of Metrc, not a write: it touches nothing."""
    return _TOUCHES.get(kind, (SyncType.PACKAGES,))


@dataclass(frozen=True)
class AcceptedPushes:
    """Writes of one kind Metrc accepted after the last pull of the types they touch."""

    kind: SubmissionKind
    count: int
    last_accepted_at: datetime


@dataclass(frozen=True)
class BurstRule:
    min_accepted: int = 20
    quiet: timedelta = timedelta(seconds=30)

    def __post_init__(self) -> None:
        if self.min_accepted < 1:
            raise ValueError("min_accepted must be at least 1")
        if self.quiet < timedelta(0):
            raise ValueError("quiet must not be negative")


def settled_burst(
    accepted: Iterable[AcceptedPushes], rule: BurstRule, now: datetime
) -> tuple[SyncType, ...]:
    """The types to pull because a burst of pushes settled (empty: not yet, or no burst)."""
    rows = [a for a in accepted if a.count > 0 and touched_types(a.kind)]
    if sum(a.count for a in rows) < rule.min_accepted:
        return ()
    if now - max(a.last_accepted_at for a in rows) < rule.quiet:
        return ()
    wanted = {t for a in rows for t in touched_types(a.kind)}
    return tuple(t for t in SyncType if t in wanted)


@dataclass(frozen=True)
class StaleRule:
    stale_factor: float = 3.0
    unscheduled_stale: timedelta = timedelta(hours=24)

    def __post_init__(self) -> None:
        if self.stale_factor < 1:
            raise ValueError("stale_factor must be at least 1 (a pull is due every interval)")

    def threshold(self, interval_seconds: float) -> timedelta:
        """How old a license's last successful pull of a type may be, given its schedule."""
        if interval_seconds <= 0:
            return self.unscheduled_stale
        return timedelta(seconds=interval_seconds * self.stale_factor)


def stale_types(
    last_success: Mapping[SyncType, datetime | None],
    threshold: timedelta,
    *,
    now: datetime,
    known_since: datetime | None,
) -> tuple[SyncType, ...]:
    """The types whose last successful pull is older than ``threshold``; a type never pulled
    counts from ``known_since`` (when the license's keys were saved; None: it is not stale,
    there is nothing to pull with)."""
    stale: list[SyncType] = []
    for t in SyncType:
        if t not in last_success:
            continue
        since = last_success[t] or known_since
        if since is not None and now - since > threshold:
            stale.append(t)
    return tuple(stale)


@dataclass(frozen=True)
class BacklogSample:
    """The license's writes waiting to be sent, at one check."""

    at: datetime
    waiting: int
    oldest_waiting_at: datetime | None

    def over(self, rule: BacklogRule) -> bool:
        old = self.oldest_waiting_at is not None and self.at - self.oldest_waiting_at > rule.age
        return self.waiting > rule.size or old


@dataclass(frozen=True)
class BacklogRule:
    size: int = 1000
    age: timedelta = timedelta(minutes=30)
    checks: int = 3

    def __post_init__(self) -> None:
        if self.checks < 2:
            raise ValueError("checks must be at least 2: growing is seen across checks")


class BacklogState(StrEnum):
    HEALTHY = "HEALTHY"
    """Under both thresholds: an open notification is resolved."""
    OVER = "OVER"
    """Over a threshold but not (yet) growing, or draining: nothing changes."""
    GROWING = "GROWING"
    """Over at every one of the last checks, and not draining: a notification is raised."""


def _not_draining(before: BacklogSample, after: BacklogSample) -> bool:
    if after.waiting > before.waiting:
        return True
    return (
        before.oldest_waiting_at is not None
        and after.oldest_waiting_at is not None
        and after.oldest_waiting_at <= before.oldest_waiting_at
    )


def backlog_state(samples: Sequence[BacklogSample], rule: BacklogRule) -> BacklogState:
    """Where the backlog stands given its samples, oldest first (the last is the current one)."""
    if not samples or not samples[-1].over(rule):
        return BacklogState.HEALTHY
    recent = list(samples)[-rule.checks :]
    if len(recent) < rule.checks or not all(s.over(rule) for s in recent):
        return BacklogState.OVER
    if all(_not_draining(a, b) for a, b in pairwise(recent)):
        return BacklogState.GROWING
    return BacklogState.OVER
