"""Query handlers: each report for the caller's sites, with the read model's "as of" time.

Run each in one read-only transaction (REPEATABLE READ), so the rows of a report and its as-of
time come from one snapshot. ``now`` is the clock: aging measures ages at it, lag is
``now - as_of``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from reporting.domain import (
    AgingClock,
    AgingReport,
    ComplianceStatusReport,
    DashboardReport,
    Movement,
    ProfitabilityMetrics,
    ProfitabilitySummary,
    ReadModelLag,
    aging_report,
    batch_profitability,
    compliance_status,
    dashboard_report,
    profitability_summary,
    read_model_lag,
)
from reporting.service_layer.commands import (
    DEFAULT_TOPICS,
    AgingQuery,
    BatchProfitabilityQuery,
    ComplianceStatusQuery,
    DashboardQuery,
    MovementHistoryQuery,
    ProfitabilitySummaryQuery,
    Topics,
)
from reporting.service_layer.errors import BatchNotFoundError
from reporting.service_layer.ports import ReportQueries, ReportsUnitOfWork

__all__ = [
    "MovementHistory",
    "aging",
    "batch_profitability_report",
    "compliance_status_report",
    "dashboard",
    "lag",
    "movement_history",
    "profitability_summary_report",
]


async def _as_of(reports: ReportQueries, topic: str, now: datetime) -> datetime | None:
    return read_model_lag(topic, await reports.positions(), now).as_of


async def dashboard(
    uow: ReportsUnitOfWork, query: DashboardQuery, *, now: datetime, topics: Topics = DEFAULT_TOPICS
) -> DashboardReport:
    sites = query.scope.narrowed(query.site_ids)
    reports = uow.reports
    return dashboard_report(
        await reports.dashboard_rows(sites), as_of=await _as_of(reports, topics.inventory, now)
    )


async def aging(
    uow: ReportsUnitOfWork, query: AgingQuery, *, now: datetime, topics: Topics = DEFAULT_TOPICS
) -> AgingReport:
    sites = query.scope.narrowed(query.site_ids)
    reports = uow.reports
    clock = AgingClock(query.thresholds, now)
    return aging_report(
        clock,
        whole_days=await reports.aging_whole_days(sites, clock.cut_days),
        straddling=await reports.aging_split_days(sites, clock.straddling_days, clock.cuts),
        oldest=await reports.oldest_aging(sites, query.top),
        as_of=await _as_of(reports, topics.inventory, now),
    )


async def batch_profitability_report(
    uow: ReportsUnitOfWork,
    query: BatchProfitabilityQuery,
    *,
    now: datetime,
    topics: Topics = DEFAULT_TOPICS,
) -> ProfitabilityMetrics:
    """Raises: BatchNotFoundError (also for a batch of a site the caller cannot see)."""
    reports = uow.reports
    view = await reports.batch(query.batch_id)
    if view is None or not query.scope.can_see(view.facts.site_id):
        raise BatchNotFoundError(query.batch_id)
    return batch_profitability(view, as_of=await _as_of(reports, topics.inventory, now))


async def profitability_summary_report(
    uow: ReportsUnitOfWork,
    query: ProfitabilitySummaryQuery,
    *,
    now: datetime,
    topics: Topics = DEFAULT_TOPICS,
) -> ProfitabilitySummary:
    sites = query.scope.narrowed(query.site_ids)
    reports = uow.reports
    return profitability_summary(
        await reports.profit_rows(sites), as_of=await _as_of(reports, topics.inventory, now)
    )


@dataclass(frozen=True, slots=True)
class MovementHistory:
    as_of: datetime | None
    batch_id: UUID
    items: tuple[Movement, ...]
    next_before: tuple[int, int] | None
    """Pass back as ``before`` for the next page; None on the last page."""


async def movement_history(
    uow: ReportsUnitOfWork,
    query: MovementHistoryQuery,
    *,
    now: datetime,
    topics: Topics = DEFAULT_TOPICS,
) -> MovementHistory:
    """Raises: BatchNotFoundError (also for a batch of a site the caller cannot see)."""
    reports = uow.reports
    view = await reports.batch(query.batch_id)
    if view is None or not query.scope.can_see(view.facts.site_id):
        raise BatchNotFoundError(query.batch_id)
    rows = await reports.movements(query.batch_id, before=query.before, limit=query.limit + 1)
    page = tuple(rows[: query.limit])
    more = len(rows) > query.limit
    return MovementHistory(
        as_of=await _as_of(reports, topics.inventory, now),
        batch_id=query.batch_id,
        items=page,
        next_before=(page[-1].batch_version, page[-1].sequence) if more else None,
    )


async def compliance_status_report(
    uow: ReportsUnitOfWork,
    query: ComplianceStatusQuery,
    *,
    now: datetime,
    topics: Topics = DEFAULT_TOPICS,
) -> ComplianceStatusReport:
    sites = query.scope.narrowed(query.site_ids)
    reports = uow.reports
    return compliance_status(
        counts=await reports.license_counts(sites),
        open_findings=await reports.open_findings(sites),
        syncs=await reports.last_syncs(sites),
        as_of=await _as_of(reports, topics.compliance, now),
    )


async def lag(
    uow: ReportsUnitOfWork, *, now: datetime, topics: Topics = DEFAULT_TOPICS
) -> tuple[ReadModelLag, ReadModelLag]:
    """How far behind each source topic the read models are (inventory, compliance)."""
    positions = await uow.reports.positions()
    return (
        read_model_lag(topics.inventory, positions, now),
        read_model_lag(topics.compliance, positions, now),
    )
