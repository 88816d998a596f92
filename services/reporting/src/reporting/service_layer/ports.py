"""The ports the handlers reach storage through.

A unit of work gives one transaction and these repositories inside it; the handlers never
commit (the inbox consumer commits the effects together with its inbox rows, then the offsets).
``reporting.adapters`` implements them on PostgreSQL, ``reporting.testing`` in memory.

``Sites`` narrows a read to some sites; None means every site (the aggregates' total rows,
``reporting.domain.EVERY_SITE``).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from uuid import UUID

from reporting.domain import (
    AgingCandidate,
    BatchLinkUpdate,
    BatchView,
    ComplianceFold,
    Deltas,
    Dimension,
    FindingKey,
    FindingUpdate,
    LicenseKey,
    LinkCounts,
    Movement,
    PartitionPosition,
    ProfitTotals,
    PushUpdate,
    SyncFinished,
    Totals,
)
from reporting.service_layer.commands import Watermark

__all__ = [
    "Aggregates",
    "BatchViews",
    "ComplianceStore",
    "FoldWrites",
    "Generations",
    "MovementLog",
    "Positions",
    "Progress",
    "ReadModelUnitOfWork",
    "ReportQueries",
    "ReportsUnitOfWork",
    "Sites",
]

Sites = frozenset[UUID] | None


@dataclass(frozen=True, slots=True)
class Progress:
    """The last message applied from a partition."""

    topic: str
    partition: int
    offset: int
    event_at: datetime
    applied_at: datetime


class BatchViews(Protocol):
    async def lock_many(self, batch_ids: Collection[UUID]) -> dict[UUID, BatchView]:
        """The views of those batches that have one, locked until the transaction ends: a
        second consumer of the same partition (during a rebalance) waits, then sees what
        this one wrote, so no event is counted twice."""

    async def add(self, views: Collection[BatchView]) -> None:
        """Store views of batches that had none (a batch that has one is an error)."""

    async def replace(self, views: Collection[BatchView]) -> None:
        """Store new views of batches that have one."""


class MovementLog(Protocol):
    async def append(self, movements: Sequence[Movement]) -> None: ...


class Aggregates(Protocol):
    async def apply(self, deltas: Deltas) -> None:
        """Add the deltas to their rows (creating rows as needed)."""


class Positions(Protocol):
    async def advance(self, progress: Sequence[Progress]) -> None:
        """Record the last applied offset per partition (never moving one backwards)."""

    async def record_watermarks(self, watermarks: Sequence[Watermark]) -> None: ...

    async def all(self) -> list[PartitionPosition]: ...


class ComplianceStore(Protocol):
    async def links(self, batch_ids: Collection[UUID]) -> dict[UUID, BatchLinkUpdate]: ...

    async def pushes(self, submission_ids: Collection[UUID]) -> dict[UUID, PushUpdate]: ...

    async def findings(self, finding_ids: Collection[UUID]) -> dict[UUID, FindingUpdate]: ...

    async def syncs(self, licenses: Collection[LicenseKey]) -> dict[LicenseKey, SyncFinished]: ...

    async def save(self, fold: ComplianceFold) -> None:
        """Store the fold's new rows and add its deltas to the per-license counts."""


@dataclass(frozen=True, slots=True)
class FoldWrites:
    """Everything one fold of inventory events writes (each part may be empty)."""

    new_views: Sequence[BatchView]
    replaced_views: Sequence[BatchView]
    movements: Sequence[Movement]
    deltas: Deltas
    progress: Sequence[Progress]


class ReadModelUnitOfWork(Protocol):
    """What the consumers write through, inside the consumer's transaction."""

    async def write_fold(self, writes: FoldWrites) -> None:
        """The views added and replaced, the ledger rows appended, the deltas added to the
        aggregates and the positions advanced: what ``batches.add``, ``batches.replace``,
        ``movements.append``, ``aggregates.apply`` and ``positions.advance`` do, at once."""

    @property
    def batches(self) -> BatchViews: ...

    @property
    def movements(self) -> MovementLog: ...

    @property
    def aggregates(self) -> Aggregates: ...

    @property
    def positions(self) -> Positions: ...

    @property
    def compliance(self) -> ComplianceStore: ...


class ReportQueries(Protocol):
    """Reads behind the reports; every one is bounded by the size of an answer, not by the
    number of batches."""

    async def batch(self, batch_id: UUID) -> BatchView | None: ...

    async def movements(
        self, batch_id: UUID, *, before: tuple[int, int] | None, limit: int
    ) -> list[Movement]:
        """Newest first, strictly before ``before`` (version, sequence)."""

    async def dashboard_rows(self, sites: Sites) -> list[tuple[Dimension, str, Totals]]: ...

    async def aging_whole_days(
        self, sites: Sites, cut_days: Sequence[date]
    ) -> list[tuple[int, Totals]]:
        """Totals of the aging members received on days other than ``cut_days``, by how many
        of ``cut_days`` are later than their day (``AgingClock.days_reached``)."""

    async def aging_split_days(
        self, sites: Sites, days: Collection[date], cuts: Sequence[datetime]
    ) -> list[tuple[int, Totals]]:
        """Totals of the aging members received on ``days`` (UTC), by how many of ``cuts``
        each was received at or before (``AgingClock.cuts_reached``)."""

    async def oldest_aging(self, sites: Sites, limit: int) -> list[AgingCandidate]:
        """The ``limit`` oldest aging members (receipt time, then batch id)."""

    async def profit_rows(self, sites: Sites) -> list[tuple[str, ProfitTotals]]: ...

    async def license_counts(self, sites: Sites) -> list[tuple[LicenseKey, LinkCounts]]: ...

    async def open_findings(self, sites: Sites) -> list[tuple[FindingKey, int]]: ...

    async def last_syncs(self, sites: Sites) -> list[SyncFinished]: ...

    async def positions(self) -> list[PartitionPosition]: ...


class ReportsUnitOfWork(Protocol):
    """What the report handlers read through (one consistent snapshot for a whole report)."""

    @property
    def reports(self) -> ReportQueries: ...


class Generations(Protocol):
    """Read-model generations: the live one, and those being rebuilt (see
    ``reporting.domain.generations``)."""

    async def lock_live(self) -> int:
        """The live generation, locked until the transaction ends: consumers writing to it
        finish first, and none starts before the lock is released (they lock it shared)."""

    async def create(self) -> int:
        """A new, empty generation to rebuild into (not live)."""

    async def positions(self, generation: int) -> list[PartitionPosition]: ...

    async def activate(self, generation: int) -> None:
        """Make ``generation`` live and retire the one that was."""

    async def drop_retired(self) -> list[int]:
        """Delete retired generations; returns their numbers."""
