"""The compliance worker's outgoing transfers: the consumer of ``inventory.transfer.events``
(each event recorded once, in the inbox's transaction) and the loop of manifest rounds
(``service_layer.transfer_manifest_rounds``). A malformed event goes to the topic's dead letters."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime, timedelta

from faststream.kafka import KafkaBroker
from shared.events import TRANSFER_EVENTS, EventEnvelope
from shared.messaging import InboxConsumer, bind_consumer, broker_dead_letter_sink

from compliance.adapters.postgres.unit_of_work import ComplianceUnitOfWork
from compliance.entrypoints.container import Container
from compliance.service_layer.transfer_manifest_rounds import manifest_round, record_transfer_event

__all__ = ["manifests_continuously", "on_transfer_event", "subscribe_transfers"]

log = logging.getLogger(__name__)


async def on_transfer_event(uow: ComplianceUnitOfWork, envelope: EventEnvelope) -> None:
    await record_transfer_event(
        uow, envelope.event_type, envelope.payload["transfer"], envelope.occurred_at
    )


def subscribe_transfers(broker: KafkaBroker, container: Container) -> None:
    # A group of its own (the batch consumer's name plus ".transfers"): the two consumers'
    # joins and leaves never rebalance each other, and a new group reads from the earliest.
    consumer = InboxConsumer(
        name="compliance.transfers",
        group_id=f"{container.settings.consumer_group}.transfers",
        unit_of_work=container.uow,
        handler=on_transfer_event,
        dead_letters=broker_dead_letter_sink(broker),
    )
    bind_consumer(broker, consumer, TRANSFER_EVENTS.name)


async def manifests_continuously(
    container: Container,
    stop: asyncio.Event,
    *,
    every: float,
    claim: float,
    stall_after: float,
    margin: timedelta,
) -> None:
    ctx = container.context
    lease = timedelta(seconds=claim)
    stalls = timedelta(seconds=stall_after)
    while not stop.is_set():
        try:
            await manifest_round(
                container.uow,
                ctx.metrc_for,
                lambda: datetime.now(UTC),
                lease=lease,
                margin=margin,
                stall_after=stalls,
            )
        except Exception:
            # A round that broke (the database away) is tried again; the rows keep their state.
            log.exception("compliance: a transfer manifest round failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every)
