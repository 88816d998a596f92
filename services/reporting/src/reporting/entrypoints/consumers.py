"""The reporting worker's consumers: inventory and compliance events, up to 500 per transaction
(``shared.messaging.BatchInboxConsumer``: reporting rebuilds its read models by replaying the
topics, so throughput matters), each event once.

The read models are built here (their issue adds them, written in the same unit of work as the
inbox rows). Until then every event is checked against its registered model, so a malformed one
goes to the topic's dead-letter topic, and takes its place in the inbox.
"""

from __future__ import annotations

from collections.abc import Sequence

from faststream.kafka import KafkaBroker
from shared.database import UnitOfWork
from shared.events import COMPLIANCE_EVENTS, INVENTORY_EVENTS, EventEnvelope, decode
from shared.messaging import BatchInboxConsumer, bind_consumer, broker_dead_letter_sink

from reporting.entrypoints.container import Container

__all__ = ["on_events", "subscribe"]

MAX_BATCH = 500


async def on_events(uow: UnitOfWork, envelopes: Sequence[EventEnvelope]) -> None:
    for envelope in envelopes:
        decode(envelope)


def subscribe(broker: KafkaBroker, container: Container) -> None:
    consumer = BatchInboxConsumer(
        name="reporting.events",
        group_id=container.settings.consumer_group,
        unit_of_work=container.uow,
        handler=on_events,
        dead_letters=broker_dead_letter_sink(broker),
        max_batch=MAX_BATCH,
    )
    bind_consumer(broker, consumer, INVENTORY_EVENTS.name, COMPLIANCE_EVENTS.name)
