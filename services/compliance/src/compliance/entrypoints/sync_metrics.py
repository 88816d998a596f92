"""Sync health as the worker's Prometheus metrics (``/metrics`` on its operations port), one
series per license: what the API's ``/licenses/{licenseNumber}/sync-health`` answers."""

from __future__ import annotations

from typing import Final

from prometheus_client import Counter, Gauge

from compliance.service_layer.sync_health import ALERT_KINDS, LicenseHealthReport

__all__ = ["PULLS_AFTER_PUSHES", "publish"]

_L = ("license",)
QUEUE_WAITING: Final = Gauge("compliance_sync_queue_waiting", "Writes waiting to be sent", _L)
QUEUE_STOPPED: Final = Gauge(
    "compliance_sync_queue_stopped", "Rejected or failed writes nobody dismissed", _L
)
OLDEST_WAITING: Final = Gauge(
    "compliance_sync_oldest_waiting_seconds", "Age of the oldest waiting write", _L
)
FAILURES: Final = Gauge(
    "compliance_sync_failures",
    "Failures by side (push, pull) and class",
    ("license", "side", "kind"),
)
BUDGET_USED: Final = Gauge(
    "compliance_sync_get_budget_used_ratio",
    "GETs in the last minute / Metrc's per-minute limit",
    _L,
)
RATE_LIMITED: Final = Gauge(
    "compliance_sync_rate_limited_last_minute", "429 answers in the last minute", _L
)
LAST_SUCCESS: Final = Gauge(
    "compliance_sync_last_success_timestamp_seconds",
    "When the last complete pull of the type began (0: never)",
    ("license", "type"),
)
RUNS_OPEN: Final = Gauge("compliance_sync_runs_open", "Sync runs queued or running", _L)
KEY_VALID: Final = Gauge("compliance_sync_key_valid", "1 when the license's keys are valid", _L)
KEY_EXPIRES_IN: Final = Gauge(
    "compliance_sync_key_expires_in_seconds", "Time left before the user key's expiry", _L
)
PULL_STALE: Final = Gauge(
    "compliance_sync_pull_stale",
    "1 when the type's last complete pull is older than the license's stale threshold",
    ("license", "type"),
)
STALE_AFTER: Final = Gauge(
    "compliance_sync_stale_after_seconds",
    "The license's stale threshold (its schedule x factor)",
    _L,
)
ALERTS_OPEN: Final = Gauge(
    "compliance_sync_alert_open",
    "1 while the license's notification of the kind (PULL_STALE, BACKLOG_GROWING,"
    " TRANSFER_STALLED) is open",
    ("license", "kind"),
)
PULLS_AFTER_PUSHES: Final = Counter(
    "compliance_sync_pulls_after_pushes",
    "Pulls this worker queued because a burst of pushes settled",
    _L,
)


def publish(report: LicenseHealthReport) -> None:
    name = report.license_number
    QUEUE_WAITING.labels(name).set(report.queue_waiting)
    QUEUE_STOPPED.labels(name).set(report.queue_stopped)
    OLDEST_WAITING.labels(name).set(
        report.oldest_waiting_age.total_seconds() if report.oldest_waiting_age else 0
    )
    for kind, count in report.push_failures.items():
        FAILURES.labels(name, "push", kind).set(count)
    for kind, count in report.pull_failures.items():
        FAILURES.labels(name, "pull", kind).set(count)
    BUDGET_USED.labels(name).set(report.budget.fraction)
    RATE_LIMITED.labels(name).set(report.budget.rate_limited_last_minute)
    for t in report.types:
        LAST_SUCCESS.labels(name, t.sync_type.value).set(
            t.last_success_at.timestamp() if t.last_success_at else 0
        )
    RUNS_OPEN.labels(name).set(report.runs_open)
    KEY_VALID.labels(name).set(1 if report.key_status == "VALID" else 0)
    if report.key_expires_in is not None:
        KEY_EXPIRES_IN.labels(name).set(report.key_expires_in.total_seconds())
    STALE_AFTER.labels(name).set(report.stale_after.total_seconds())
    for t in report.types:
        PULL_STALE.labels(name, t.sync_type.value).set(int(t.sync_type in report.stale_types))
    open_kinds = {n.kind for n in report.alerts}
    for kind in sorted(ALERT_KINDS):
        ALERTS_OPEN.labels(name, kind.value).set(int(kind in open_kinds))
