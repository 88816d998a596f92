"""``python -m reporting rebuild``: the topics replayed from their start into a new generation,
swapped in once caught up with the live one.

The history on the topics was validated when it was published, and the read models are a pure
function of it, so the rebuild takes the lean way through it:

1. **Bulk.** One aiokafka consumer (no group: it is assigned every partition and seeks to the
   start) fetches up to ``FETCH_RECORDS`` records per ``getmany``; each record is decoded with
   orjson and mapped by the service layer's mappings as it comes (the same code as the live
   consumer's, schema versions checked, no per-event pydantic validation; its JSON is freed at
   once), and each fetch is folded in memory by the domain's rule
   (:class:`~reporting.service_layer.replay.Replay`). Its ledger rows are COPYed (text format,
   :mod:`reporting.adapters.bulk`) while the next fetch is decoded. At most ``views_kept``
   batch views stay in memory: the least recently changed beyond that are COPYed into the new
   generation and taken back (read and deleted) if their batch comes again, so memory is
   bounded whatever the history's size. At the topics' end offsets as of the start, the views
   still in memory, the aggregates, compliance rows and positions are written. A message that
   cannot be projected (poison: the live consumer dead-lettered it when it came) is skipped,
   logged and counted.
2. **Catch-up and swap.** The same consumer goes on from where the bulk stopped, each fetch
   folded in one transaction by the consumers' own handlers
   (:func:`~reporting.service_layer.projections.apply_inventory_events`), until the new
   generation has applied every partition at least as far as the live one; then, in one
   transaction that waits for the live consumer's transaction in flight,
   :func:`~reporting.service_layer.rebuild.swap_if_caught_up` makes it live. The live consumer
   continues from its own committed offsets into the new generation: what it brings again
   (between its offsets and the rebuild's) is not new to the projection (versions) and changes
   nothing, and nothing after the rebuild's positions is missing, since the live consumer had
   not yet read it. Nothing lost, nothing doubled.
3. The retired generation is dropped once reports already running on it have finished.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final
from uuid import UUID

import orjson
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from reporting.adapters.bulk import copy_movements, copy_views, take_back_views
from reporting.adapters.generations import PgGenerations, bind_generation
from reporting.adapters.read_model import PgReadModel
from reporting.domain import BatchChange, BatchView, InconsistentEventError, Movement
from reporting.entrypoints.container import Container
from reporting.service_layer.commands import (
    DEFAULT_TOPICS,
    ConsumedComplianceUpdate,
    ConsumedInventoryEvent,
    Position,
    Topics,
    Watermark,
)
from reporting.service_layer.compliance_mapping import consumed_compliance
from reporting.service_layer.errors import UnprojectableEventError
from reporting.service_layer.event_mapping import batch_change
from reporting.service_layer.projections import (
    apply_compliance_updates,
    apply_inventory_events,
    record_watermarks,
)
from reporting.service_layer.rebuild import drop_retired, start_rebuild, swap_if_caught_up
from reporting.service_layer.replay import Replay

__all__ = ["RebuildResult", "rebuild"]

log = logging.getLogger(__name__)

FETCH_RECORDS = 5_000
"""Records per ``getmany`` (across partitions): what the bulk holds decoded at once."""

VIEWS_KEPT = 100_000
"""Batch views the bulk holds in memory (about 1 kB each); the least recently changed beyond
these are written out, and taken back if their batch comes again."""


@dataclass(frozen=True, slots=True)
class RebuildResult:
    generation: int
    events: int
    """Messages of the topics up to their end when the rebuild started."""
    seconds: float
    """From the first fetch to the swap."""
    skipped: int = 0
    """Messages that could not be projected (poison), skipped."""
    views_written_early: int = 0
    """Views written out of memory before the end (beyond ``views_kept``)."""
    views_taken_back: int = 0
    """Of those, how many were read back because their batch came again."""

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0


@dataclass(slots=True)
class _Decoded:
    inventory: list[ConsumedInventoryEvent]
    compliance: list[ConsumedComplianceUpdate]
    poison: list[tuple[Position, datetime]]


def _kafka_time(record: ConsumerRecord[Any, Any]) -> datetime:
    return datetime.fromtimestamp(record.timestamp / 1000, UTC)


def _consumed(
    record: ConsumerRecord[Any, Any], topics: Topics
) -> ConsumedInventoryEvent | ConsumedComplianceUpdate:
    """One record -> what the handlers take.

    Raises:
        orjson.JSONDecodeError, KeyError, TypeError, ValueError, InconsistentEventError: Not
            an envelope it can read (poison).
    """
    position = Position(record.topic, record.partition, record.offset)
    envelope = orjson.loads(record.value)
    if record.topic == topics.inventory:
        return ConsumedInventoryEvent(
            position,
            UUID(envelope["event_id"]),
            envelope["event_type"],
            envelope["event_version"],
            envelope["aggregate_id"],
            envelope.get("aggregate_version"),
            envelope["payload"],
        )
    occurred_at = datetime.fromisoformat(envelope["occurred_at"])
    if occurred_at.tzinfo is None:
        raise ValueError("occurred_at has no UTC offset")
    return consumed_compliance(
        position,
        envelope["event_type"],
        envelope["event_version"],
        envelope["payload"],
        occurred_at,
    )


_UNREADABLE: Final = (
    orjson.JSONDecodeError,
    KeyError,
    TypeError,
    ValueError,
    InconsistentEventError,
)


def _decode(records: Sequence[ConsumerRecord[Any, Any]], topics: Topics) -> _Decoded:
    """Records -> what the handlers take; a record that is not an envelope is poison."""
    out = _Decoded([], [], [])
    for record in records:
        try:
            consumed = _consumed(record, topics)
        except _UNREADABLE:
            position = Position(record.topic, record.partition, record.offset)
            log.warning("reporting rebuild: skipped %s, not an event it can read", position)
            out.poison.append((position, _kafka_time(record)))
            continue
        if isinstance(consumed, ConsumedInventoryEvent):
            out.inventory.append(consumed)
        else:
            out.compliance.append(consumed)
    return out


class _Bulk:
    """The bulk phase: each record decoded and mapped as it comes (its JSON freed at once),
    each fetch folded in memory, its ledger rows COPYed while the next fetch is decoded; the
    views beyond ``views_kept`` written out (and taken back if their batch comes again)."""

    def __init__(
        self, container: Container, generation: int, topics: Topics, views_kept: int
    ) -> None:
        self.container, self.generation, self.topics = container, generation, topics
        self.views_kept = views_kept
        self.replay = Replay()
        self.poison = 0
        self._copying: asyncio.Task[None] | None = None

    def _changes(
        self, records: Sequence[ConsumerRecord[Any, Any]]
    ) -> tuple[list[BatchChange], list[ConsumedComplianceUpdate]]:
        replay, topics = self.replay, self.topics
        changes: list[BatchChange] = []
        compliance: list[ConsumedComplianceUpdate] = []
        for record in records:
            try:
                consumed = _consumed(record, topics)
                if isinstance(consumed, ConsumedInventoryEvent):
                    change = batch_change(consumed)
                    replay.passed(consumed.position, change.occurred_at)
                    changes.append(change)
                else:
                    replay.passed(consumed.position, consumed.occurred_at)
                    compliance.append(consumed)
            except _UNREADABLE as error:
                position = Position(record.topic, record.partition, record.offset)
                log.warning("reporting rebuild: skipped %s: %s", position, error)
                replay.passed(position, _kafka_time(record))
                self.poison += 1
        return changes, compliance

    async def take(self, records: Sequence[ConsumerRecord[Any, Any]]) -> None:
        changes, compliance = self._changes(records)
        replay = self.replay
        if replay.evictions:
            evicted = replay.missing({c.batch.batch_id for c in changes})
            if evicted:
                await self._flush()
                async with self.container.uow() as uow:
                    taken = await take_back_views(uow.conn, self.generation, evicted)
                    await uow.commit()
                replay.restore(taken)
        movements = replay.fold_inventory(changes)
        if compliance:
            replay.fold_compliance(compliance)
        views = replay.evict(self.views_kept)
        await self._flush()
        if movements or views:
            # PostgreSQL writes these while the next fetch is decoded and folded.
            self._copying = asyncio.create_task(self._copy(movements, views))

    async def _copy(self, movements: Sequence[Movement], views: Sequence[BatchView]) -> None:
        async with self.container.uow() as uow:
            await copy_movements(uow.conn, self.generation, movements)
            await copy_views(uow.conn, self.generation, views)
            await uow.commit()

    async def _flush(self) -> None:
        if self._copying is not None:
            copying, self._copying = self._copying, None
            await copying

    async def write(self) -> None:
        """The views, aggregates, compliance rows and positions, in one transaction."""
        await self._flush()
        replay = self.replay
        async with self.container.uow() as uow:
            await copy_views(uow.conn, self.generation, list(replay.views.values()))
            await bind_generation(uow.conn, self.generation)
            store = PgReadModel(uow.conn)
            deltas = replay.aggregates()
            if not deltas.is_empty():
                await store.aggregates.apply(deltas)
            compliance = replay.compliance()
            if compliance.links or compliance.pushes or compliance.findings or compliance.syncs:
                await store.compliance.save(compliance)
            await store.positions.advance(replay.progress(datetime.now(UTC)))
            await uow.commit()
        replay.views.clear()


class _Fetcher:
    """The rebuild's consumer and how far it has read each partition."""

    def __init__(
        self, consumer: AIOKafkaConsumer, starts: dict[TopicPartition, int], records: int
    ) -> None:
        self.consumer = consumer
        self.next = dict(starts)
        self.records = records

    async def fetch(self) -> list[ConsumerRecord[Any, Any]]:
        fetched = await self.consumer.getmany(timeout_ms=200, max_records=self.records)
        for tp, records in fetched.items():
            if records:
                self.next[tp] = records[-1].offset + 1
        return [r for records in fetched.values() for r in records]

    def reached(self, ends: dict[TopicPartition, int]) -> bool:
        return all(self.next[tp] >= end for tp, end in ends.items())

    def watermarks(self) -> list[Watermark]:
        """Each partition as the rebuild stands: every message before ``next`` is handled."""
        now = datetime.now(UTC)
        out = []
        for tp, position in self.next.items():
            high = self.consumer.highwater(tp)
            out.append(Watermark(tp.topic, tp.partition, max(high or 0, position), now, position))
        return out


async def _open(
    bootstrap: str, topics: Topics, records: int
) -> tuple[_Fetcher, dict[TopicPartition, int]]:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        # What aiokafka fetches ahead: bounded, a few fetches of the bulk's (2 kB a record).
        max_partition_fetch_bytes=2 * 1024 * 1024,
        fetch_max_bytes=16 * 1024 * 1024,
    )
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics([topics.inventory, topics.compliance])
    finally:
        await admin.close()
    partitions = sorted(
        TopicPartition(topic["topic"], partition["partition"])
        for topic in described
        if topic["error_code"] == 0
        for partition in topic["partitions"]
    )
    await consumer.start()
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        starts = await consumer.beginning_offsets(partitions)
        ends = await consumer.end_offsets(partitions)
    except BaseException:
        await consumer.stop()
        raise
    return _Fetcher(consumer, starts, records), ends


async def _catch_up(
    container: Container, generation: int, records: Sequence[ConsumerRecord[Any, Any]],
    topics: Topics, watermarks: list[Watermark],
) -> int:  # fmt: skip
    """Fold one fetch into the new generation with the consumers' handlers, in one
    transaction (poison skipped); how many messages were skipped as poison."""
    decoded = _decode(records, topics)
    inventory, skipped = decoded.inventory, len(decoded.poison)
    while True:
        async with container.uow() as uow:
            await bind_generation(uow.conn, generation)
            store = PgReadModel(uow.conn)
            now = datetime.now(UTC)
            try:
                if inventory:
                    await apply_inventory_events(store, inventory, now=now)
            except UnprojectableEventError as error:
                log.warning("reporting rebuild: skipped %s: %s", error.position, error.message)
                inventory = [e for e in inventory if e.position != error.position]
                skipped += 1
                continue
            if decoded.compliance:
                await apply_compliance_updates(store, decoded.compliance, now=now)
            await store.positions.advance(_poison_progress(decoded.poison, now))
            await record_watermarks(store, watermarks)
            await uow.commit()
            return skipped


def _poison_progress(poison: Sequence[tuple[Position, datetime]], now: datetime) -> list[Any]:
    replay = Replay()
    for position, at in poison:
        replay.passed(position, at)
    return replay.progress(now)


async def _try_swap(container: Container, generation: int) -> bool:
    async with container.uow() as uow:
        swapped = await swap_if_caught_up(PgGenerations(uow.conn), generation)
        await uow.commit()
        return swapped


async def rebuild(
    container: Container,
    stop: asyncio.Event,
    *,
    topics: Topics = DEFAULT_TOPICS,
    drop_after: float = 5.0,
    views_kept: int = VIEWS_KEPT,
    fetch_records: int = FETCH_RECORDS,
) -> RebuildResult | None:
    """Replay the topics from the start into a new generation, swap it in once it has reached
    the topics' end as of its start and every partition the live generation has applied, then
    drop the retired generations (after ``drop_after`` seconds, so reports already running on
    the old one finish). None if stopped first (the generation stays, ``building``, unused)."""
    settings = container.settings
    async with container.uow() as uow:
        generation = await start_rebuild(PgGenerations(uow.conn))
        await uow.commit()
    log.info("reporting: rebuilding into generation %d", generation)
    fetcher, ends = await _open(settings.kafka_bootstrap_servers, topics, fetch_records)
    events = sum(end - fetcher.next[tp] for tp, end in ends.items())
    started = time.perf_counter()
    bulk = _Bulk(container, generation, topics, views_kept)
    swapped = False
    # The replay holds every view; keep those out of the collector's full passes.
    gc.freeze()
    try:
        while not stop.is_set() and not fetcher.reached(ends):
            await bulk.take(await fetcher.fetch())
            gc.freeze()
        if not stop.is_set():
            await bulk.write()
        skipped = bulk.poison
        records: list[ConsumerRecord[Any, Any]] = []
        while not stop.is_set():
            # Everything fetched so far is written by then: where the rebuild stands.
            skipped += await _catch_up(container, generation, records, topics, fetcher.watermarks())
            if await _try_swap(container, generation):
                swapped = True
                break
            records = await fetcher.fetch()
        seconds = time.perf_counter() - started
    finally:
        gc.unfreeze()
        with contextlib.suppress(Exception):
            await bulk._flush()
        await fetcher.consumer.stop()
    if not swapped:
        return None
    log.info("reporting: generation %d is live (%d events in %.1f s, %d skipped)",
             generation, events, seconds, skipped)  # fmt: skip
    await asyncio.sleep(drop_after)
    async with container.uow() as uow:
        dropped = await drop_retired(PgGenerations(uow.conn))
        await uow.commit()
    log.info("reporting: dropped generations %s", dropped)
    replay = bulk.replay
    return RebuildResult(generation, events, seconds, skipped, replay.evictions, replay.restored)
