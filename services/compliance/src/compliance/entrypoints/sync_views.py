"""The pull sync's service-layer records as the API's models."""

from __future__ import annotations

from datetime import timedelta

from shared.contracts import compliance as api

from compliance.service_layer.mirror_ports import SyncRun
from compliance.service_layer.sync_health import LicenseHealthReport

__all__ = ["health_view", "run_view"]


def run_view(run: SyncRun) -> api.SyncRunView:
    return api.SyncRunView(
        id=run.id,
        license_number=run.license_number,
        site_id=run.site_id,
        sync_types=[api.SyncType(t.value) for t in run.sync_types],
        trigger=api.SyncRunTrigger(run.trigger.value),
        state=api.SyncRunState(run.state.value),
        requested_by=run.requested_by,
        requested_at=run.requested_at,
        started_at=run.started_at,
        finished_at=run.finished_at,
        progress=dict(run.progress),
        report=dict(run.report) if run.report is not None else None,
    )


def seconds(delta: timedelta | None) -> int | None:
    return int(delta.total_seconds()) if delta is not None else None


def health_view(report: LicenseHealthReport) -> api.SyncHealthView:
    return api.SyncHealthView(
        license_number=report.license_number,
        as_of=report.as_of,
        queue_waiting=report.queue_waiting,
        queue_in_flight=report.queue_in_flight,
        queue_stopped=report.queue_stopped,
        oldest_waiting_seconds=seconds(report.oldest_waiting_age),
        push_failures=report.push_failures,
        pull_failures=report.pull_failures,
        types=[
            api.SyncTypeHealth(
                sync_type=api.SyncType(t.sync_type.value),
                last_success_at=t.last_success_at,
                records=t.records,
                last_error_code=t.last_error_code,
                last_failed_at=t.last_failed_at,
                last_error_guidance=t.last_error_guidance,
            )
            for t in report.types
        ],
        runs_open=report.runs_open,
        oldest_open_run_seconds=seconds(report.oldest_open_run_age),
        gets_last_minute=report.budget.used_last_minute,
        gets_allowed_per_minute=report.budget.allowed_per_minute,
        rate_limit_budget_used=round(report.budget.fraction, 4),
        rate_limited_last_minute=report.budget.rate_limited_last_minute,
        key_status=report.key_status,
        key_expires_at=report.key_expires_at,
        key_expires_in_days=(
            report.key_expires_in.days if report.key_expires_in is not None else None
        ),
        stale_after_seconds=int(report.stale_after.total_seconds()),
        stale_types=[api.SyncType(t.value) for t in report.stale_types],
        alerts=[
            api.SyncAlert(
                notification_id=n.id,
                kind=n.kind.value,
                title=n.title,
                message=n.message,
                guidance=n.guidance,
                since=n.created_at,
            )
            for n in report.alerts
        ],
        problems=list(report.problems),
    )
