"""The reports of the service layer as the HTTP contract's models (``shared.contracts.reporting``),
each with its freshness: ``asOf`` and ``lagMs``."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from shared.contracts import reporting as api

from reporting.domain import (
    AgingReport,
    ComplianceStatusReport,
    DashboardReport,
    ProfitabilityMetrics,
    ProfitabilitySummary,
    ReadModelLag,
)

__all__ = [
    "aging_answer",
    "batch_profitability_answer",
    "compliance_answer",
    "dashboard_answer",
    "lag_answer",
    "profitability_answer",
]


def _fresh(as_of: datetime | None, now: datetime) -> dict[str, Any]:
    lag = None if as_of is None else max(0, round((now - as_of).total_seconds() * 1000))
    return {"as_of": as_of, "lag_ms": lag}


def dashboard_answer(report: DashboardReport, now: datetime) -> api.DashboardStats:
    fields = asdict(report)
    fields["status_counts"] = {str(k): v for k, v in report.status_counts.items()}
    return api.DashboardStats.model_validate({**fields, **_fresh(report.as_of, now)})


def aging_answer(report: AgingReport, now: datetime) -> api.AgingSummary:
    thresholds = report.thresholds
    return api.AgingSummary(
        **_fresh(report.as_of, now),
        ages_at=report.ages_at,
        fresh_max_days=thresholds.fresh_max_days,
        moderate_max_days=thresholds.moderate_max_days,
        aging_max_days=thresholds.aging_max_days,
        summary={
            str(bracket): api.AgingBracketTotals.model_validate(asdict(totals))
            for bracket, totals in report.summary.items()
        },
        aging_items_count=report.aging_items_count,
        top_aging_items=[
            api.AgingItem.model_validate({**asdict(item), "bracket": str(item.bracket)})
            for item in report.top_aging_items
        ],
    )


def batch_profitability_answer(
    report: ProfitabilityMetrics, now: datetime
) -> api.BatchProfitability:
    return api.BatchProfitability.model_validate({**asdict(report), **_fresh(report.as_of, now)})


def profitability_answer(report: ProfitabilitySummary, now: datetime) -> api.ProfitabilitySummary:
    return api.ProfitabilitySummary.model_validate({**asdict(report), **_fresh(report.as_of, now)})


def compliance_answer(report: ComplianceStatusReport, now: datetime) -> api.ComplianceStatus:
    return api.ComplianceStatus(
        **_fresh(report.as_of, now),
        licenses=[
            api.LicenseStatus(
                site_id=status.site_id,
                license_number=status.license_number,
                linked=status.linked,
                pending=status.pending,
                failed=status.failed,
                last_sync=None
                if status.last_sync is None
                else api.LastSync(
                    sync_id=status.last_sync.sync_id,
                    direction=str(status.last_sync.direction),
                    outcome=str(status.last_sync.outcome),
                    finished_at=status.last_sync.finished_at,
                ),
                open_findings=status.open_findings,
            )
            for status in report.licenses
        ],
    )


def lag_answer(lags: tuple[ReadModelLag, ...], now: datetime) -> api.ReadModelStatus:
    return api.ReadModelStatus(
        read_models=[
            api.ReadModelLag(
                **_fresh(lag.as_of, now),
                topic=lag.topic,
                messages_behind=lag.messages_behind,
                partitions=[
                    api.PartitionLag(
                        partition=p.partition,
                        last_offset=p.last_offset,
                        high_watermark=p.high_watermark,
                        messages_behind=p.behind,
                        last_event_at=p.last_event_at,
                        watermark_at=p.watermark_at,
                    )
                    for p in lag.partitions
                ],
            )
            for lag in lags
        ]
    )
