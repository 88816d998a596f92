"""The reporting worker's consumer: ``inventory.batch.events`` and ``compliance.events`` folded
into the read models, up to 500 events per transaction (``shared.messaging``'s batched inbox
consumer), in the same transaction as the inbox rows; the binding commits the offsets after it.

* Inventory events: every registered type is projected. An unknown type, a payload its model
  refuses, or an event that contradicts itself (``UnprojectableEventError``) is poison: the
  consumer dead-letters that message alone (``<topic>.dlt``) and applies the rest of its batch.
* Compliance events: compliance defines its event types on its own schedule. A type reporting
  does not know yet is *tolerated*: it advances the topic's position (so lag stays true) and
  changes no status, rather than filling the dead-letter topic with events that are not
  wrong. A known type whose payload lacks what its fact needs is poison, as above. The types
  that map onto the status facts: ``service_layer.compliance_mapping.COMPLIANCE_FACTS``.
* Both are decoded by the service layer's mappings from the payload's JSON form (no per-event
  pydantic validation): the same code the rebuild runs.

The same handler serves the rebuild (``reporting.entrypoints.rebuild``), bound to the
generation being built instead of the live one.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime

from faststream.kafka import KafkaBroker
from prometheus_client import Counter, Histogram
from shared.database import UnitOfWork
from shared.messaging import (
    BatchInboxConsumer,
    DeadLetterSink,
    Delivery,
    PoisonMessageError,
    bind_consumer,
    broker_dead_letter_sink,
)

from reporting.adapters.generations import bind_generation, bind_live_generation
from reporting.adapters.read_model import PgReadModel
from reporting.domain import InconsistentEventError
from reporting.entrypoints.container import Container
from reporting.service_layer.commands import (
    DEFAULT_TOPICS,
    ConsumedComplianceUpdate,
    ConsumedInventoryEvent,
    Position,
    Topics,
)
from reporting.service_layer.compliance_mapping import consumed_compliance
from reporting.service_layer.errors import UnprojectableEventError
from reporting.service_layer.projections import apply_compliance_updates, apply_inventory_events

__all__ = [
    "LIVE_CONSUMER",
    "MAX_BATCH",
    "ReadModelHandler",
    "events_consumer",
    "subscribe",
]

MAX_BATCH = 500
MAX_WAIT_MS = 10
"""How long a poll waits for records when there are none. FastStream's batch subscriber then
sleeps as long again before the next poll, so a record arriving then waits up to twice this:
at the default 100 ms that was up to 200 ms of lag in quiet moments, for nothing."""
FETCH_MIN_BYTES = 32 * 1024
FETCH_MAX_WAIT_MS = 20
"""The broker answers a fetch once it holds 32 kB (about a dozen events) or after 20 ms. Without
it a poll brought 1.3 events on average at the inventory benchmark's rate (measured), and each
batch costs a transaction of eight statements and an offset commit: per-batch cost, not the
fold, was most of the worker's CPU (383 us an event), and on a loaded machine CPU is lag."""
LIVE_CONSUMER = "reporting.events"

LAG_BUCKETS = (
    *(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.125, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5),
    *(0.75, 1, 1.5, 2, 3, 5, 10, 30, 60, 300),
)
EVENT_LAG = Histogram(
    "reporting_event_lag_seconds",
    "From an event's occurrence to its commit in the read models",
    ["topic"],
    buckets=LAG_BUCKETS,
)
KAFKA_LAG = Histogram(
    "reporting_kafka_lag_seconds",
    "From an event's Kafka timestamp (its relay sent it) to its commit in the read models: the"
    " consumer's share of reporting_event_lag_seconds",
    ["topic"],
    buckets=LAG_BUCKETS,
)
UNMAPPED = Counter(
    "reporting_compliance_events_unmapped_total",
    "compliance.events messages of a type the status does not use (tolerated, not dead-lettered)",
    ["event_type"],
)


def _inventory(delivery: Delivery, position: Position) -> ConsumedInventoryEvent:
    envelope = delivery.envelope
    return ConsumedInventoryEvent(
        position=position,
        event_id=envelope.event_id,
        event_type=envelope.event_type,
        event_version=envelope.event_version,
        aggregate_id=envelope.aggregate_id,
        aggregate_version=envelope.aggregate_version,
        payload=envelope.payload,  # read by event_mapping: an unknown type, a bad payload: poison
    )


def _compliance(delivery: Delivery, position: Position) -> ConsumedComplianceUpdate:
    envelope = delivery.envelope
    try:
        consumed = consumed_compliance(
            position, envelope.event_type, envelope.event_version, envelope.payload,
            envelope.occurred_at,
        )  # fmt: skip
    except InconsistentEventError as error:
        raise PoisonMessageError(error.message) from error
    if consumed.update is None:
        UNMAPPED.labels(envelope.event_type).inc()
    return consumed


class ReadModelHandler:
    """The batch handler: bind the generation, fold each topic's events, in the caller's
    (the inbox consumer's) transaction. ``generation=None``: the live one."""

    def __init__(self, topics: Topics = DEFAULT_TOPICS, generation: int | None = None) -> None:
        self.topics = topics
        self.generation = generation

    async def __call__(self, uow: UnitOfWork, deliveries: Sequence[Delivery]) -> None:
        inventory: list[ConsumedInventoryEvent] = []
        compliance: list[ConsumedComplianceUpdate] = []
        for delivery in deliveries:
            position = Position(delivery.topic, delivery.partition, delivery.offset)
            if delivery.topic == self.topics.inventory:
                inventory.append(_inventory(delivery, position))
            elif delivery.topic == self.topics.compliance:
                compliance.append(_compliance(delivery, position))
            else:
                raise PoisonMessageError(f"reporting does not consume {delivery.topic}")
        if self.generation is None:
            await bind_live_generation(uow.conn, writer=True)
        else:
            await bind_generation(uow.conn, self.generation)
        read_model = PgReadModel(uow.conn)
        now = datetime.now(UTC)
        try:
            if inventory:
                await apply_inventory_events(read_model, inventory, now=now)
        except UnprojectableEventError as error:
            raise PoisonMessageError(error.message) from error
        if compliance:
            await apply_compliance_updates(read_model, compliance, now=now)
        _observe_lag(deliveries)


def _observe_lag(deliveries: Sequence[Delivery]) -> None:
    # Measured before the commit, which follows at once; an event's clock is its producer's.
    now = time.time()
    for delivery in deliveries:
        lag = now - delivery.envelope.occurred_at.timestamp()
        EVENT_LAG.labels(delivery.topic).observe(max(0.0, lag))
        if delivery.appended_ms is not None:
            KAFKA_LAG.labels(delivery.topic).observe(max(0.0, now - delivery.appended_ms / 1000))


def events_consumer(
    container: Container,
    dead_letters: DeadLetterSink,
    *,
    name: str = LIVE_CONSUMER,
    group_id: str | None = None,
    generation: int | None = None,
    topics: Topics = DEFAULT_TOPICS,
) -> BatchInboxConsumer[UnitOfWork]:
    """The live consumer (the defaults), or a rebuild's (its own name, group and generation)."""
    return BatchInboxConsumer(
        name=name,
        group_id=group_id or container.settings.consumer_group,
        unit_of_work=container.uow,
        handler=ReadModelHandler(topics, generation),
        dead_letters=dead_letters,
        max_batch=MAX_BATCH,
        max_wait_ms=MAX_WAIT_MS,
        fetch_min_bytes=FETCH_MIN_BYTES,
        fetch_max_wait_ms=FETCH_MAX_WAIT_MS,
    )


def subscribe(broker: KafkaBroker, container: Container, topics: Topics = DEFAULT_TOPICS) -> None:
    consumer = events_consumer(container, broker_dead_letter_sink(broker), topics=topics)
    bind_consumer(broker, consumer, topics.inventory, topics.compliance)
