"""The rebuild's fold of a whole history in memory (no I/O): the same domain fold the consumers
run in their transactions (:func:`reporting.domain.fold`, :func:`reporting.domain.fold_compliance`),
over chunks of the topics, into views, compliance rows and positions that are written once at
the end (the ledger rows as they come: they never change).

The consumers' handlers read the rows a transaction touches, fold, and write the differences;
a replay into empty tables needs neither the reads nor the differences: it applies each event
to the batch's view in memory (:func:`reporting.domain.advance`) and adds up the aggregates from
the final views (a fresh generation's aggregate rows are exactly the sum of its views'
contributions).

Memory stays bounded: the views are kept in the order of their batches' last events, and
:meth:`Replay.evict` hands the least recently changed ones beyond a limit to the caller to
write (their contributions kept in a running sum, a few rows). A batch's events are close
together in its history, so a written view rarely comes back; when one does, the caller takes
it out of the table and gives it back (:meth:`Replay.restore`), and its contribution is taken
out of the sum.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from reporting.domain import (
    BatchChange,
    BatchLinkUpdate,
    BatchView,
    ComplianceDeltas,
    ComplianceFold,
    Deltas,
    FindingUpdate,
    LicenseKey,
    Movement,
    PushUpdate,
    SyncFinished,
    advance,
    contribute,
    fold_compliance,
)
from reporting.service_layer.commands import ConsumedComplianceUpdate, Position
from reporting.service_layer.ports import Progress

__all__ = ["Replay"]


@dataclass(slots=True)
class Replay:
    """What a replay has folded so far."""

    views: dict[UUID, BatchView] = field(default_factory=dict)
    links: dict[UUID, BatchLinkUpdate] = field(default_factory=dict)
    pushes: dict[UUID, PushUpdate] = field(default_factory=dict)
    findings: dict[UUID, FindingUpdate] = field(default_factory=dict)
    syncs: dict[LicenseKey, SyncFinished] = field(default_factory=dict)
    positions: dict[tuple[str, int], tuple[int, datetime]] = field(default_factory=dict)
    applied: int = 0
    skipped: int = 0
    evicted: Deltas = field(default_factory=Deltas)
    """The contributions of the views handed out by :meth:`evict` and not restored."""
    evictions: int = 0
    restored: int = 0

    def passed(self, position: Position, event_at: datetime) -> None:
        """A message read (applied, not new, or unusable): its partition's position."""
        key = (position.topic, position.partition)
        seen = self.positions.get(key)
        if seen is None or position.offset > seen[0]:
            self.positions[key] = (position.offset, event_at)

    def take(self, change: BatchChange) -> tuple[Movement, ...] | None:
        """Apply one event (in partition order) to its batch's view; the ledger rows it adds,
        None when it is not new. A batch whose view was evicted must be restored first."""
        batch_id = change.batch.batch_id
        views = self.views
        before = views.pop(batch_id, None)  # re-inserted last: the views stay in recency order
        advanced = advance(before, change)
        if advanced is None:
            if before is not None:
                views[batch_id] = before
            self.skipped += 1
            return None
        views[batch_id], fresh = advanced
        self.applied += 1
        return fresh

    def fold_inventory(self, changes: Sequence[BatchChange]) -> list[Movement]:
        """:meth:`take` for each of ``changes``; the ledger rows they add."""
        movements: list[Movement] = []
        for change in changes:
            fresh = self.take(change)
            if fresh:
                movements.extend(fresh)
        return movements

    def missing(self, batch_ids: Iterable[UUID]) -> set[UUID]:
        """Those of ``batch_ids`` without a view in memory: new, or evicted (only if
        :attr:`evictions`)."""
        views = self.views
        return {i for i in batch_ids if i not in views}

    def evict(self, keep: int) -> list[BatchView]:
        """The least recently changed views beyond ``keep``, taken out of memory for the
        caller to write; their contributions are kept."""
        views, out = self.views, []
        while len(views) > keep:
            batch_id = next(iter(views))
            view = views.pop(batch_id)
            contribute(self.evicted, view, sign=+1)
            out.append(view)
        self.evictions += len(out)
        return out

    def restore(self, views: Iterable[BatchView]) -> None:
        """Evicted views given back (the caller took them out of its table)."""
        for view in views:
            contribute(self.evicted, view, sign=-1)
            self.views[view.batch_id] = view
            self.restored += 1

    def fold_compliance(self, updates: Sequence[ConsumedComplianceUpdate]) -> None:
        facts = [u.update for u in updates if u.update is not None]
        result = fold_compliance(
            facts, links=self.links, findings=self.findings, syncs=self.syncs, pushes=self.pushes
        )
        self.links.update(result.links)
        self.pushes.update(result.pushes)
        self.findings.update(result.findings)
        self.syncs.update(result.syncs)
        self.applied += result.applied
        self.skipped += result.skipped + len(updates) - len(facts)

    def aggregates(self) -> Deltas:
        """The aggregate rows of a generation holding exactly these views and the evicted ones."""
        deltas = Deltas()
        deltas.merge(self.evicted)
        for view in self.views.values():
            contribute(deltas, view, sign=+1)
        return deltas.with_totals()

    def compliance(self) -> ComplianceFold:
        """The compliance rows of a generation holding exactly these facts."""
        deltas = ComplianceDeltas()
        for link in self.links.values():
            deltas.add_link(link, +1)
        for push in self.pushes.values():
            deltas.add_push(push, +1)
        for finding in self.findings.values():
            deltas.add_finding(finding, +1)
        return ComplianceFold(
            dict(self.links), dict(self.findings), dict(self.syncs), deltas.nonzero(),
            self.applied, self.skipped, dict(self.pushes),
        )  # fmt: skip

    def progress(self, applied_at: datetime) -> list[Progress]:
        return [
            Progress(topic, partition, offset, event_at, applied_at)
            for (topic, partition), (offset, event_at) in sorted(self.positions.items())
        ]
