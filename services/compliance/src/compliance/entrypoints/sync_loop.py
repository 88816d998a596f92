"""The worker's pull side: scheduled incremental pulls, and every queued sync run executed.

Every ``poll`` seconds it claims queued runs (or runs whose worker stopped reporting for
``stale_after``: a SIGKILLed worker's run is taken over and resumes from its checkpoints) while
fewer than ``concurrent`` run here; several workers may run, a claim skips runs another holds.
Every ``health_every`` seconds it queues a scheduled pull for each license whose interval has
passed (``SyncService.schedule_due``), stores the GET budget it measured per license (the API
shows it) and publishes every license's sync health as metrics.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import timedelta

from compliance.entrypoints.sync_metrics import publish
from compliance.service_layer.sync_health import SyncHealth
from compliance.service_layer.sync_service import SyncService

__all__ = ["sync_continuously"]

log = logging.getLogger(__name__)


async def sync_continuously(
    sync: SyncService,
    health: SyncHealth,
    stop: asyncio.Event,
    *,
    poll: float,
    stale_after: timedelta,
    concurrent: int,
    interval_for: Callable[[str], float],
    health_every: float = 5.0,
) -> None:
    running: set[asyncio.Task[object]] = set()
    started = sync.ctx.now()
    loop = asyncio.get_running_loop()
    reported = 0.0

    async def run_one() -> object:
        try:
            return await sync.run_next(stale_after=stale_after)
        except Exception:
            log.exception("compliance: a sync run failed")
            return None

    while not stop.is_set():
        if loop.time() - reported >= health_every:
            reported = loop.time()
            try:
                await sync.schedule_due(interval_for, since=started)
            except Exception:
                log.exception("compliance: scheduling pulls failed")
            try:
                await health.record_budgets()
                for license_number in await health.licenses():
                    publish(await health.license(license_number))
            except Exception:
                log.exception("compliance: measuring sync health failed")
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
