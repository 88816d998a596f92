"""``python -m compliance.sync_process``: only the worker's pull side (scheduled and requested
sync runs), without the Kafka consumer and the push lanes: for a separate sync container, and
for the tests that SIGKILL a pull in the middle."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from shared.runner import run_until_signalled

from compliance import bootstrap
from compliance.config import ComplianceSettings
from compliance.entrypoints.sync_loop import sync_continuously


async def serve(stop: asyncio.Event) -> None:
    settings = ComplianceSettings()
    container = bootstrap.build(settings)
    assert container.handlers.sync is not None
    try:
        await sync_continuously(
            container.handlers.sync.service,
            container.handlers.sync.health,
            stop,
            bursts=container.handlers.sync.bursts,
            alerts=container.handlers.sync.alerts,
            poll=settings.sync_poll_seconds,
            stale_after=timedelta(seconds=settings.sync_stale_seconds),
            concurrent=settings.sync_concurrent_runs,
            interval_for=settings.sync_interval_for,
            health_every=settings.sync_health_seconds,
        )
    finally:
        await container.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    asyncio.run(run_until_signalled(serve))
