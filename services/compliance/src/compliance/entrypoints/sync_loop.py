"""The worker's pull side: scheduled incremental pulls, and every queued sync run executed.

Every ``poll`` seconds it claims queued runs (or runs whose worker stopped reporting for
``stale_after``: a SIGKILLed worker's run is taken over and resumes from its checkpoints) while
fewer than ``concurrent`` run here; several workers may run, a claim skips runs another holds.
Every ``health_every`` seconds it queues a scheduled pull for each license whose interval has
passed (``SyncService.schedule_due``) and a pull after each burst of pushes that settled
(``BurstTrigger.after_pushes``), stores the GET budget it measured per license (the API shows it),
raises or resolves each license's stale-pull and growing-backlog notifications
(``SyncAlerts.observe``) and publishes every license's sync health as metrics. One license's
failure is logged and does not keep the others from being checked.

After each run that pulled packages and succeeded, the license is reconciled (``reconcile``), so
the open findings, their events and the sync health's counts follow Metrc without anyone asking;
a run's findings are opened once and updated quietly on later runs, so this costs one read of the
license (5,000 batches: under 300 ms) and no noise.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from datetime import timedelta
from functools import partial

from compliance.config import ComplianceSettings
from compliance.domain.mirror import SyncType
from compliance.entrypoints.container import Container
from compliance.entrypoints.sync_metrics import PULLS_AFTER_PUSHES, publish
from compliance.service_layer.mirror_ports import RunState
from compliance.service_layer.sync_health import SyncHealth
from compliance.service_layer.sync_service import SyncService
from compliance.service_layer.sync_watch import BurstTrigger, SyncAlerts

__all__ = ["sync_continuously", "sync_job"]

log = logging.getLogger(__name__)


def sync_job(
    container: Container, settings: ComplianceSettings, stop: asyncio.Event
) -> Coroutine[object, object, None]:
    """The pull side as the worker and ``compliance.sync_process`` run it, from their settings."""
    sync = container.handlers.sync
    if sync is None:
        raise RuntimeError("the pull sync needs PostgreSQL (COMPLIANCE_DATABASE_URL)")
    reconciliation = container.handlers.reconciliation
    return sync_continuously(
        sync.service,
        sync.health,
        stop,
        bursts=sync.bursts,
        alerts=sync.alerts,
        poll=settings.sync_poll_seconds,
        stale_after=timedelta(seconds=settings.sync_stale_seconds),
        concurrent=settings.sync_concurrent_runs,
        interval_for=settings.sync_interval_for,
        health_every=settings.sync_health_seconds,
        reconcile=None
        if reconciliation is None
        else partial(reconciliation.run, actor=container.context.system_actor),
    )


async def sync_continuously(
    sync: SyncService,
    health: SyncHealth,
    stop: asyncio.Event,
    *,
    bursts: BurstTrigger,
    alerts: SyncAlerts,
    poll: float,
    stale_after: timedelta,
    concurrent: int,
    interval_for: Callable[[str], float],
    health_every: float = 5.0,
    reconcile: Callable[[str], Awaitable[object]] | None = None,
) -> None:
    running: set[asyncio.Task[object]] = set()
    started = sync.ctx.now()
    loop = asyncio.get_running_loop()
    reported = 0.0

    async def run_one() -> object:
        try:
            run = await sync.run_next(stale_after=stale_after)
        except Exception:
            log.exception("compliance: a sync run failed")
            return None
        if (
            reconcile is not None
            and run is not None
            and run.state is RunState.SUCCEEDED
            and SyncType.PACKAGES in run.sync_types
        ):
            try:
                await reconcile(run.license_number)
            except Exception:
                log.exception("compliance: reconciling %s after a pull failed", run.license_number)
        return run

    while not stop.is_set():
        if loop.time() - reported >= health_every:
            reported = loop.time()
            try:
                await sync.schedule_due(interval_for, since=started)
            except Exception:
                log.exception("compliance: scheduling pulls failed")
            try:
                await health.record_budgets()
                licenses = await health.licenses()
            except Exception:
                log.exception("compliance: measuring sync health failed")
                licenses = []
            for license_number in licenses:
                await _check(bursts, alerts, health, license_number)
        # Each free place tries one claim; a claim that finds nothing ends at once.
        for _ in range(concurrent - len(running)):
            task = asyncio.create_task(run_one())
            running.add(task)
            task.add_done_callback(running.discard)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=poll)
    for task in running:
        task.cancel()
    await asyncio.gather(*running, return_exceptions=True)


async def _check(
    bursts: BurstTrigger, alerts: SyncAlerts, health: SyncHealth, license_number: str
) -> None:
    try:
        requested = await bursts.after_pushes(license_number)
        if requested is not None and not requested.joined:
            PULLS_AFTER_PUSHES.labels(license_number).inc()
    except Exception:
        log.exception("compliance: the after-pushes trigger failed for %s", license_number)
    try:
        report = await health.license(license_number)
        await alerts.observe(report)
        publish(report)
    except Exception:
        log.exception("compliance: checking the sync health of %s failed", license_number)
