"""The compliance worker's consumers: inventory events, once each, in one transaction with the
inbox row (``shared.messaging.InboxConsumer``).

Pushing to Metrc starts here (its issue adds the submission ledger, written in the same unit of
work). Until then an event is checked against its registered model, so a malformed one goes to
``inventory.batch.events.dlt`` at once, and every event takes its place in the inbox.
"""

from __future__ import annotations

from faststream.kafka import KafkaBroker
from shared.database import UnitOfWork
from shared.events import INVENTORY_EVENTS, EventEnvelope, decode
from shared.messaging import InboxConsumer, bind_consumer, broker_dead_letter_sink

from compliance.entrypoints.container import Container

__all__ = ["on_inventory_event", "subscribe"]


async def on_inventory_event(uow: UnitOfWork, envelope: EventEnvelope) -> None:
    decode(envelope)


def subscribe(broker: KafkaBroker, container: Container) -> None:
    consumer = InboxConsumer(
        name="compliance.inventory",
        group_id=container.settings.consumer_group,
        unit_of_work=container.uow,
        handler=on_inventory_event,
        dead_letters=broker_dead_letter_sink(broker),
    )
    bind_consumer(broker, consumer, INVENTORY_EVENTS.name)
