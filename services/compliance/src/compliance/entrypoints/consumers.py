"""The compliance worker's consumers: inventory events, once each, in one transaction with the
inbox row (``shared.messaging.InboxConsumer``).

Each event becomes a ``BatchChange`` (``batch_changes``) and ``record_batch_change`` plans its
Metrc writes in the same unit of work as the inbox row: the submissions exist exactly when the
event counts as consumed, and recording never calls Metrc (an intake succeeds while Metrc is
down). Events of one batch share a partition, so they are recorded in inventory's order. A
malformed event goes to ``inventory.batch.events.dlt`` at once.

Cultivation's events (``inventory.cultivation.events``) are consumed the same way, each plant
batch change recorded as its Metrc write (``record_cultivation_changes``).
"""

from __future__ import annotations

from datetime import UTC, datetime

from faststream.kafka import KafkaBroker
from shared.events import CULTIVATION_EVENTS, INVENTORY_EVENTS, EventEnvelope
from shared.messaging import InboxConsumer, bind_consumer, broker_dead_letter_sink

from compliance.adapters.push_telemetry import current_trace_parent
from compliance.entrypoints.batch_changes import batch_change
from compliance.entrypoints.container import Container
from compliance.entrypoints.cultivation_changes import cultivation_changes
from compliance.entrypoints.transfer_manifests import subscribe_transfers
from compliance.service_layer import record_batch_change
from compliance.service_layer.ports import UnitOfWork
from compliance.service_layer.record_cultivation import record_cultivation_changes

__all__ = ["on_cultivation_event", "on_inventory_event", "subscribe"]


async def on_inventory_event(uow: UnitOfWork, envelope: EventEnvelope) -> None:
    # Run under the event's CONSUMER span (a child of the inventory relay's publish, in the
    # request's trace): the submissions carry it, and their Metrc calls join that trace.
    await record_batch_change(
        uow, batch_change(envelope), now=datetime.now(UTC), trace_parent=current_trace_parent()
    )


async def on_cultivation_event(uow: UnitOfWork, envelope: EventEnvelope) -> None:
    await record_cultivation_changes(
        uow,
        cultivation_changes(envelope),
        now=datetime.now(UTC),
        trace_parent=current_trace_parent(),
    )


def subscribe(broker: KafkaBroker, container: Container) -> None:
    consumer = InboxConsumer(
        name="compliance.inventory",
        group_id=container.settings.consumer_group,
        unit_of_work=container.uow,
        handler=on_inventory_event,
        dead_letters=broker_dead_letter_sink(broker),
    )
    bind_consumer(broker, consumer, INVENTORY_EVENTS.name)
    # Cultivation's events in a group of their own: a rebalance of one topic's consumers does
    # not stop the other's.
    cultivation = InboxConsumer(
        name="compliance.cultivation",
        group_id=f"{container.settings.consumer_group}.cultivation",
        unit_of_work=container.uow,
        handler=on_cultivation_event,
        dead_letters=broker_dead_letter_sink(broker),
    )
    bind_consumer(broker, cultivation, CULTIVATION_EVENTS.name)
    subscribe_transfers(broker, container)
