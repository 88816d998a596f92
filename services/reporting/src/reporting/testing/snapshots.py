"""Every report of a read model with the "as of" times left out, for tests that compare two read
models (live and rebuilt, PostgreSQL and memory) built from the same events at different times
or positions."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from reporting.domain import AgingThresholds
from reporting.service_layer import reports
from reporting.service_layer.commands import (
    AgingQuery,
    BatchProfitabilityQuery,
    ComplianceStatusQuery,
    DashboardQuery,
    MovementHistoryQuery,
    ProfitabilitySummaryQuery,
    SiteScope,
    Topics,
)
from reporting.service_layer.errors import BatchNotFoundError
from reporting.service_layer.ports import ReportsUnitOfWork

__all__ = ["report_snapshot"]


def _timeless(report: Any) -> Any:
    return dataclasses.replace(report, as_of=None)


async def report_snapshot(
    uow: ReportsUnitOfWork,
    *,
    now: datetime,
    topics: Topics,
    batch_ids: Iterable[UUID] = (),
    scope: SiteScope | None = None,
) -> dict[str, Any]:
    """Dashboard, aging (default and tight thresholds, 100 oldest), profitability summary,
    compliance status, and each of ``batch_ids``'s profitability and first history page."""
    scope = scope or SiteScope.every_site()
    snapshot: dict[str, Any] = {
        "dashboard": _timeless(
            await reports.dashboard(uow, DashboardQuery(scope), now=now, topics=topics)
        ),
        "profitability": _timeless(
            await reports.profitability_summary_report(
                uow, ProfitabilitySummaryQuery(scope), now=now, topics=topics
            )
        ),
        "compliance": _timeless(
            await reports.compliance_status_report(
                uow, ComplianceStatusQuery(scope), now=now, topics=topics
            )
        ),
    }
    for name, thresholds in (
        ("aging", AgingThresholds()),
        ("aging-tight", AgingThresholds(0, 1, 2)),
    ):
        query = AgingQuery(scope, thresholds=thresholds, top=100)
        snapshot[name] = _timeless(await reports.aging(uow, query, now=now, topics=topics))
    for batch_id in batch_ids:
        try:
            batch = await reports.batch_profitability_report(
                uow, BatchProfitabilityQuery(scope, batch_id), now=now, topics=topics
            )
            history = await reports.movement_history(
                uow, MovementHistoryQuery(scope, batch_id, limit=500), now=now, topics=topics
            )
        except BatchNotFoundError:
            snapshot[f"batch {batch_id}"] = None
            continue
        snapshot[f"batch {batch_id}"] = (_timeless(batch), _timeless(history))
    return snapshot
