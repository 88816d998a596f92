"""``python -m reporting worker``: the live read models, folded by the consumer
(``reporting.entrypoints.consumers``) with a watermark watcher
(``reporting.entrypoints.watermarks``) beside it. The rebuild: ``reporting.entrypoints.rebuild``.
"""

from __future__ import annotations

import asyncio
import logging

from shared.messaging import run_worker

from reporting.entrypoints.consumers import subscribe
from reporting.entrypoints.container import Container
from reporting.entrypoints.watermarks import WatermarkWatcher
from reporting.service_layer.commands import DEFAULT_TOPICS, Topics

__all__ = ["worker"]

log = logging.getLogger(__name__)


async def _watch(watcher: WatermarkWatcher, stop: asyncio.Event) -> None:
    try:
        await watcher.run(stop)
    except Exception:  # Kafka away at start: the consumer's own retries say so too
        log.exception("reporting: the watermark watcher stopped")


async def worker(
    container: Container, stop: asyncio.Event, topics: Topics = DEFAULT_TOPICS
) -> None:
    """Consume both topics into the live generation until ``stop``."""
    settings = container.settings
    watcher = WatermarkWatcher(
        settings.kafka_bootstrap_servers,
        (topics.inventory, topics.compliance),
        container.uow,
        group_id=settings.consumer_group,
    )
    watching = asyncio.create_task(_watch(watcher, stop))
    try:
        await run_worker(
            settings.kafka_bootstrap_servers,
            lambda broker: subscribe(broker, container, topics),
            stop,
            tracer_provider=container.tracer_provider,
        )
    finally:
        stop.set()
        await watching
