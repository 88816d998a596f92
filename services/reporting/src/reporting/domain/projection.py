"""The inventory projection: an event applied to a batch view gives the new view, the ledger
rows to append to the batch's movement history, and the deltas to the aggregates.

Each inventory event carries the whole batch after the change, so the new view's facts are the
event's; what accumulates are the batch's sales (valued from the event's ledger rows) and the
movement history. The deltas are the batch's contribution after minus before
(:mod:`reporting.domain.aggregates`).

Idempotency. Events of one batch arrive in order (the partition key is the batch id), but
Kafka delivers at least once and a rebuild replays everything, so an event may come again. One
inventory operation may emit several events that share the batch version (a change to
QUARANTINED releases reservations and the hold, then moves the stock, each its own event with its
own ledger rows), so the version alone cannot tell new from old. A view records the version and
how many of that version's ledger rows it has applied (``next_sequence``); an event is new when
its version is higher, or the same with ledger rows from ``next_sequence`` on. Anything else is
a redelivery or out of date and changes nothing. (An event of the same version without ledger
rows carries the same facts as the one before it, so nothing is lost by skipping it.)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from uuid import UUID

from reporting.domain.aggregates import Deltas, contribute, difference
from reporting.domain.batch import BatchChange, BatchView, Movement, Sales
from reporting.domain.profitability import record_sales

__all__ = ["Fold", "Projection", "advance", "fold", "project"]


@dataclass(frozen=True, slots=True)
class Projection:
    view: BatchView
    movements: tuple[Movement, ...]
    deltas: Deltas


def advance(
    view: BatchView | None, change: BatchChange
) -> tuple[BatchView, tuple[Movement, ...]] | None:
    """The view after ``change`` and the ledger rows it adds, or None if it is not new (the
    rule of :func:`project` and :func:`fold`; a replay applies it event by event, without
    deltas)."""
    version = change.batch.version
    if view is None or version > view.version:
        fresh = change.movements
    elif version == view.version:
        fresh = tuple(m for m in change.movements if m.sequence >= view.next_sequence)
        if not fresh:
            return None
    else:
        return None
    sales = record_sales(view.sales if view is not None else Sales(), fresh, change.batch.costs)
    next_sequence = fresh[-1].sequence + 1 if fresh else 0
    last_event_at = (
        change.occurred_at if view is None else max(view.last_event_at, change.occurred_at)
    )
    return BatchView(change.batch, sales, next_sequence, last_event_at), fresh


def project(view: BatchView | None, change: BatchChange) -> Projection | None:
    """Apply one event to one batch view (None: the batch is not known yet). None when the
    event is not new: nothing changes."""
    advanced = advance(view, change)
    if advanced is None:
        return None
    new_view, movements = advanced
    return Projection(new_view, movements, difference(view, new_view))


@dataclass(frozen=True, slots=True)
class Fold:
    """A set of events applied to the views they touch."""

    views: dict[UUID, BatchView]
    """The new view of every batch that changed."""
    movements: tuple[Movement, ...]
    deltas: Deltas
    applied: int
    skipped: int


def fold(views: Mapping[UUID, BatchView], changes: Iterable[BatchChange]) -> Fold:
    """Apply ``changes`` in order. ``views`` holds the current view of the batches they touch
    (a batch missing from it is new).

    Equal to applying :func:`project` event by event and adding up the deltas, but each
    touched batch's contribution is computed twice (first and last view), not twice per event.
    """
    current: dict[UUID, BatchView] = {}
    movements: list[Movement] = []
    applied = skipped = 0
    for change in changes:
        batch_id = change.batch.batch_id
        before = current.get(batch_id) or views.get(batch_id)
        advanced = advance(before, change)
        if advanced is None:
            skipped += 1
            continue
        current[batch_id], fresh = advanced
        movements.extend(fresh)
        applied += 1
    deltas = Deltas()
    for batch_id, after in current.items():
        before = views.get(batch_id)
        if before is not None:
            contribute(deltas, before, sign=-1)
        contribute(deltas, after, sign=+1)
    return Fold(current, tuple(movements), deltas.with_totals(), applied, skipped)
