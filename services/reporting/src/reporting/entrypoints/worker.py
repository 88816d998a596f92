"""The reporting processes that consume Kafka: ``python -m reporting worker`` (the live read
models) and ``python -m reporting rebuild`` (a fresh generation replayed from the start of the
topics, swapped in when caught up).

Both run the same consumer (``reporting.entrypoints.consumers``) and a watermark watcher
(``reporting.entrypoints.watermarks``) beside it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass

from faststream.kafka import KafkaBroker
from shared.messaging import bind_consumer, broker_dead_letter_sink, run_worker

from reporting.adapters.generations import PgGenerations, bind_generation
from reporting.adapters.read_model import PgReadModel
from reporting.entrypoints.consumers import events_consumer, subscribe
from reporting.entrypoints.container import Container
from reporting.entrypoints.watermarks import WatermarkWatcher
from reporting.service_layer.commands import DEFAULT_TOPICS, Topics, Watermark
from reporting.service_layer.rebuild import drop_retired, start_rebuild, swap_if_caught_up

__all__ = ["RebuildResult", "rebuild", "worker"]

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


@dataclass(frozen=True, slots=True)
class RebuildResult:
    generation: int
    events: int
    """Messages of the topics up to their end when the rebuild started."""
    seconds: float
    """From the first poll to the swap."""

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0


def _reached(positions: dict[tuple[str, int], int], target: list[Watermark]) -> bool:
    return all(positions.get((w.topic, w.partition), -1) + 1 >= w.high_watermark for w in target)


async def rebuild(
    container: Container,
    stop: asyncio.Event,
    *,
    topics: Topics = DEFAULT_TOPICS,
    poll: float = 0.5,
    drop_after: float = 5.0,
) -> RebuildResult | None:
    """Replay the topics from the start into a new generation; swap it in once it has reached
    the topics' end as of its start and every partition the live generation has applied; then
    drop the retired generations (after ``drop_after`` seconds, so reports already running on
    the old one finish). None if stopped first (the generation stays, ``building``, unused)."""
    settings = container.settings
    async with container.uow() as uow:
        generation = await start_rebuild(PgGenerations(uow.conn))
        await uow.commit()
    log.info("reporting: rebuilding into generation %d", generation)
    group_id = f"{settings.consumer_group}-rebuild-{generation}"
    watcher = WatermarkWatcher(
        settings.kafka_bootstrap_servers,
        (topics.inventory, topics.compliance),
        container.uow,
        group_id=group_id,
        generation=generation,
    )
    target = await watcher.once()
    events = sum(w.high_watermark for w in target)
    done = asyncio.Event()

    def subscribe_rebuild(broker: KafkaBroker) -> None:
        consumer = events_consumer(
            container,
            broker_dead_letter_sink(broker),
            name=f"reporting.rebuild.{generation}",
            group_id=group_id,
            generation=generation,
            topics=topics,
        )
        bind_consumer(broker, consumer, topics.inventory, topics.compliance)

    started = time.perf_counter()
    consuming = asyncio.create_task(
        run_worker(settings.kafka_bootstrap_servers, subscribe_rebuild, done)
    )
    watching = asyncio.create_task(_watch(watcher, done))
    swapped = False
    try:
        while not stop.is_set() and not consuming.done():
            if await _try_swap(container, generation, target):
                swapped = True
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=poll)
        seconds = time.perf_counter() - started
    finally:
        done.set()
        await asyncio.gather(consuming, watching)
    if not swapped:
        return None
    log.info("reporting: generation %d is live (%d events in %.1f s)", generation, events, seconds)
    await asyncio.sleep(drop_after)
    async with container.uow() as uow:
        dropped = await drop_retired(PgGenerations(uow.conn))
        await uow.commit()
    log.info("reporting: dropped generations %s", dropped)
    return RebuildResult(generation, events, seconds)


async def _try_swap(container: Container, generation: int, target: list[Watermark]) -> bool:
    async with container.uow() as uow:
        await bind_generation(uow.conn, generation)
        positions = {
            (p.topic, p.partition): p.last_offset
            for p in await PgReadModel(uow.conn).positions.all()
        }
        if not _reached(positions, target):
            return False
        swapped = await swap_if_caught_up(PgGenerations(uow.conn), generation)
        await uow.commit()
        return swapped
