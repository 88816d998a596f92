"""The rebuild's fold of a whole history in memory (no I/O): the same domain fold the consumers
run in their transactions (:func:`reporting.domain.fold`, :func:`reporting.domain.fold_compliance`),
over chunks of the topics, into views, compliance rows and positions that are written once at
the end (the ledger rows as they come: they never change).

The consumers' handlers read the rows a transaction touches, fold, and write the differences;
a replay into empty tables needs neither the reads nor the differences: it keeps every batch's
view in memory and adds up the aggregates from the final views (a fresh generation's aggregate
rows are exactly the sum of its views' contributions).
"""

from __future__ import annotations

from collections.abc import Sequence
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
    contribute,
    fold,
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

    def passed(self, position: Position, event_at: datetime) -> None:
        """A message read (applied, not new, or unusable): its partition's position."""
        key = (position.topic, position.partition)
        seen = self.positions.get(key)
        if seen is None or position.offset > seen[0]:
            self.positions[key] = (position.offset, event_at)

    def fold_inventory(self, changes: Sequence[BatchChange]) -> tuple[Movement, ...]:
        """Fold ``changes`` (in partition order) into the views; the ledger rows they add."""
        touched = {c.batch.batch_id for c in changes}
        result = fold({i: self.views[i] for i in touched if i in self.views}, changes)
        self.views.update(result.views)
        self.applied += result.applied
        self.skipped += result.skipped
        return result.movements

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
        """The aggregate rows of a generation holding exactly these views."""
        deltas = Deltas()
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
