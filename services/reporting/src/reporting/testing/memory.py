"""The read models in memory: every port of ``reporting.service_layer.ports``, for unit tests
(and as the reference the PostgreSQL adapters are compared with).

It stores what the adapters store (views, ledger rows, aggregate rows, positions, compliance
rows) and answers the report queries from those rows the way the SQL does, never from events.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import TypeVar
from uuid import UUID

from reporting.domain import (
    EVERY_SITE,
    AgingCandidate,
    AgingDayKey,
    BatchLinkUpdate,
    BatchView,
    ComplianceFold,
    DashboardKey,
    Deltas,
    Dimension,
    FindingKey,
    FindingUpdate,
    LicenseKey,
    LinkCounts,
    Movement,
    PartitionPosition,
    ProfitKey,
    ProfitTotals,
    PushUpdate,
    SyncFinished,
    Totals,
    aging_member,
    stock_value,
)
from reporting.service_layer.commands import Watermark
from reporting.service_layer.ports import FoldWrites, Progress, Sites

__all__ = ["InMemoryGenerations", "InMemoryReadModel"]

K = TypeVar("K")
V = TypeVar("V", Totals, ProfitTotals, LinkCounts)


def _add(rows: dict[K, V], key: K, value: V) -> None:
    current = rows.get(key)
    rows[key] = value if current is None else current + value


def _visible(sites: Sites, site_id: UUID) -> bool:
    """Batch views and compliance rows: every row of a site in ``sites`` (None: every site)."""
    return sites is None or site_id in sites


def _summed(sites: Sites, site_id: UUID) -> bool:
    """Aggregate rows: the total rows for every site, else the rows of each site asked for."""
    return site_id == EVERY_SITE if sites is None else site_id in sites


@dataclass
class _Rows:
    views: dict[UUID, BatchView] = field(default_factory=dict)
    movements: dict[tuple[UUID, int, int], Movement] = field(default_factory=dict)
    dashboard: dict[DashboardKey, Totals] = field(default_factory=dict)
    aging: dict[AgingDayKey, Totals] = field(default_factory=dict)
    profit: dict[ProfitKey, ProfitTotals] = field(default_factory=dict)
    positions: dict[tuple[str, int], PartitionPosition] = field(default_factory=dict)
    links: dict[UUID, BatchLinkUpdate] = field(default_factory=dict)
    pushes: dict[UUID, PushUpdate] = field(default_factory=dict)
    findings: dict[UUID, FindingUpdate] = field(default_factory=dict)
    syncs: dict[LicenseKey, SyncFinished] = field(default_factory=dict)
    license_counts: dict[LicenseKey, LinkCounts] = field(default_factory=dict)
    open_findings: dict[FindingKey, int] = field(default_factory=dict)


class _BatchViews:
    def __init__(self, rows: _Rows) -> None:
        self._rows = rows

    async def lock_many(self, batch_ids: Collection[UUID]) -> dict[UUID, BatchView]:
        views = self._rows.views
        return {i: views[i] for i in batch_ids if i in views}

    async def add(self, views: Collection[BatchView]) -> None:
        for view in views:
            if view.batch_id in self._rows.views:  # the primary key of the table
                raise ValueError(f"batch {view.batch_id} has a view already")
            self._rows.views[view.batch_id] = view

    async def replace(self, views: Collection[BatchView]) -> None:
        for view in views:
            if view.batch_id not in self._rows.views:
                raise ValueError(f"batch {view.batch_id} has no view to replace")
            self._rows.views[view.batch_id] = view


class _MovementLog:
    def __init__(self, rows: _Rows) -> None:
        self._rows = rows

    async def append(self, movements: Sequence[Movement]) -> None:
        for m in movements:
            key = (m.batch_id, m.batch_version, m.sequence)
            if key in self._rows.movements:  # the primary key of the table
                raise ValueError(f"duplicate ledger row {key}")
            self._rows.movements[key] = m


class _Aggregates:
    def __init__(self, rows: _Rows) -> None:
        self._rows = rows

    async def apply(self, deltas: Deltas) -> None:
        for dash_key, totals in deltas.dashboard.items():
            _add(self._rows.dashboard, dash_key, totals)
        for day_key, totals in deltas.aging.items():
            _add(self._rows.aging, day_key, totals)
        for profit_key, profit in deltas.profit.items():
            _add(self._rows.profit, profit_key, profit)


class _Positions:
    def __init__(self, rows: _Rows) -> None:
        self._rows = rows

    def _get(self, topic: str, partition: int) -> PartitionPosition:
        empty = PartitionPosition(topic, partition, -1, None, None, None, None)
        return self._rows.positions.get((topic, partition), empty)

    async def advance(self, progress: Sequence[Progress]) -> None:
        for p in progress:
            current = self._get(p.topic, p.partition)
            if p.offset > current.last_offset:
                self._rows.positions[p.topic, p.partition] = replace(
                    current, last_offset=p.offset, last_event_at=p.event_at, applied_at=p.applied_at
                )

    async def record_watermarks(self, watermarks: Sequence[Watermark]) -> None:
        for w in watermarks:
            current = self._get(w.topic, w.partition)
            if current.watermark_at is None or w.observed_at >= current.watermark_at:
                self._rows.positions[w.topic, w.partition] = replace(
                    current,
                    high_watermark=w.high_watermark,
                    watermark_at=w.observed_at,
                    last_offset=max(current.last_offset, w.handled - 1),
                )

    async def all(self) -> list[PartitionPosition]:
        return sorted(self._rows.positions.values(), key=lambda p: (p.topic, p.partition))


class _Compliance:
    def __init__(self, rows: _Rows) -> None:
        self._rows = rows

    async def links(self, batch_ids: Collection[UUID]) -> dict[UUID, BatchLinkUpdate]:
        return {i: self._rows.links[i] for i in batch_ids if i in self._rows.links}

    async def pushes(self, submission_ids: Collection[UUID]) -> dict[UUID, PushUpdate]:
        return {i: self._rows.pushes[i] for i in submission_ids if i in self._rows.pushes}

    async def findings(self, finding_ids: Collection[UUID]) -> dict[UUID, FindingUpdate]:
        return {i: self._rows.findings[i] for i in finding_ids if i in self._rows.findings}

    async def syncs(self, licenses: Collection[LicenseKey]) -> dict[LicenseKey, SyncFinished]:
        return {k: self._rows.syncs[k] for k in licenses if k in self._rows.syncs}

    async def save(self, fold: ComplianceFold) -> None:
        self._rows.links.update(fold.links)
        self._rows.pushes.update(fold.pushes)
        self._rows.findings.update(fold.findings)
        self._rows.syncs.update(fold.syncs)
        for license, counts in fold.deltas.links.items():
            _add(self._rows.license_counts, license, counts)
        for key, number in fold.deltas.open_findings.items():
            self._rows.open_findings[key] = self._rows.open_findings.get(key, 0) + number


class _Reports:
    def __init__(self, rows: _Rows) -> None:
        self._rows = rows

    async def batch(self, batch_id: UUID) -> BatchView | None:
        return self._rows.views.get(batch_id)

    async def movements(
        self, batch_id: UUID, *, before: tuple[int, int] | None, limit: int
    ) -> list[Movement]:
        rows = [
            m
            for (b, version, sequence), m in self._rows.movements.items()
            if b == batch_id and (before is None or (version, sequence) < before)
        ]
        rows.sort(key=lambda m: (m.batch_version, m.sequence), reverse=True)
        return rows[:limit]

    async def dashboard_rows(self, sites: Sites) -> list[tuple[Dimension, str, Totals]]:
        return [
            (k.dimension, k.name, t)
            for k, t in self._rows.dashboard.items()
            if _summed(sites, k.site_id)
        ]

    async def aging_whole_days(
        self, sites: Sites, cut_days: Sequence[date]
    ) -> list[tuple[int, Totals]]:
        by_reached: dict[int, Totals] = {}
        for key, totals in self._rows.aging.items():
            if _summed(sites, key.site_id) and key.day not in cut_days:
                _add(by_reached, sum(cut_day > key.day for cut_day in cut_days), totals)
        return list(by_reached.items())

    def _members(self, sites: Sites) -> list[BatchView]:
        return [
            v
            for v in self._rows.views.values()
            if _visible(sites, v.facts.site_id) and aging_member(v)
        ]

    async def aging_split_days(
        self, sites: Sites, days: Collection[date], cuts: Sequence[datetime]
    ) -> list[tuple[int, Totals]]:
        split: dict[int, Totals] = {}
        for v in self._members(sites):
            if v.facts.created_at.astimezone(UTC).date() in days:
                reached = sum(v.facts.created_at <= cut for cut in cuts)
                _add(split, reached, Totals(1, v.facts.balances.on_hand, stock_value(v)))
        return list(split.items())

    async def oldest_aging(self, sites: Sites, limit: int) -> list[AgingCandidate]:
        members = sorted(self._members(sites), key=lambda v: (v.facts.created_at, v.batch_id))
        return [
            AgingCandidate(
                v.batch_id, v.facts.site_id, v.facts.code, v.facts.sku, v.facts.product_name,
                v.facts.created_at, v.facts.balances.on_hand, v.facts.costs.unit_cost,
            )
            for v in members[:limit]
        ]  # fmt: skip

    async def profit_rows(self, sites: Sites) -> list[tuple[str, ProfitTotals]]:
        return [(k.category, t) for k, t in self._rows.profit.items() if _summed(sites, k.site_id)]

    async def license_counts(self, sites: Sites) -> list[tuple[LicenseKey, LinkCounts]]:
        return [(k, c) for k, c in self._rows.license_counts.items() if _visible(sites, k.site_id)]

    async def open_findings(self, sites: Sites) -> list[tuple[FindingKey, int]]:
        return [(k, n) for k, n in self._rows.open_findings.items() if _visible(sites, k.site_id)]

    async def last_syncs(self, sites: Sites) -> list[SyncFinished]:
        return [s for k, s in self._rows.syncs.items() if _visible(sites, k.site_id)]

    async def positions(self) -> list[PartitionPosition]:
        return await _Positions(self._rows).all()


class InMemoryReadModel:
    """One generation of the read models; a unit of work for the consumer handlers and the
    report handlers alike (it has no transaction: tests check what a handler leaves)."""

    def __init__(self) -> None:
        self.rows = _Rows()
        self._batches = _BatchViews(self.rows)
        self._movements = _MovementLog(self.rows)
        self._aggregates = _Aggregates(self.rows)
        self._positions = _Positions(self.rows)
        self._compliance = _Compliance(self.rows)
        self._reports = _Reports(self.rows)

    async def write_fold(self, writes: FoldWrites) -> None:
        if writes.new_views:
            await self._batches.add(writes.new_views)
        if writes.replaced_views:
            await self._batches.replace(writes.replaced_views)
        if writes.movements:
            await self._movements.append(writes.movements)
        if not writes.deltas.is_empty():
            await self._aggregates.apply(writes.deltas)
        await self._positions.advance(writes.progress)

    @property
    def batches(self) -> _BatchViews:
        return self._batches

    @property
    def movements(self) -> _MovementLog:
        return self._movements

    @property
    def aggregates(self) -> _Aggregates:
        return self._aggregates

    @property
    def positions(self) -> _Positions:
        return self._positions

    @property
    def compliance(self) -> _Compliance:
        return self._compliance

    @property
    def reports(self) -> _Reports:
        return self._reports


@dataclass
class InMemoryGenerations:
    """Generations of in-memory read models, for the rebuild handlers."""

    models: dict[int, InMemoryReadModel] = field(default_factory=lambda: {1: InMemoryReadModel()})
    live_generation: int = 1
    retired: set[int] = field(default_factory=set)

    async def lock_live(self) -> int:
        return self.live_generation

    async def create(self) -> int:
        generation = max(self.models) + 1
        self.models[generation] = InMemoryReadModel()
        return generation

    async def positions(self, generation: int) -> list[PartitionPosition]:
        return await self.models[generation].positions.all()

    async def activate(self, generation: int) -> None:
        self.retired.add(self.live_generation)
        self.live_generation = generation

    async def drop_retired(self) -> list[int]:
        dropped = sorted(self.retired)
        for generation in dropped:
            del self.models[generation]
        self.retired.clear()
        return dropped
