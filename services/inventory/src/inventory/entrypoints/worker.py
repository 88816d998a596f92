"""The inventory worker process: it consumes ``compliance.events`` for what Metrc reports back
about inventory's own records. Today that is ``compliance.transfer_manifest.settled``: the
receiving facility decided every package of an outgoing transfer, and ``settle_transfer``
applies it (a rejected package's quantity comes back). Each event is applied once, in one
transaction with its inbox row; other compliance events are acknowledged and ignored."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import TypeVar
from uuid import UUID

from faststream.kafka import KafkaBroker
from shared.database import UnitOfWork as SharedUnitOfWork
from shared.events import COMPLIANCE_EVENTS, EventEnvelope
from shared.identity import ALL_SITES, Identity
from shared.messaging import InboxConsumer, bind_consumer, broker_dead_letter_sink, run_worker

from inventory.config import InventorySettings
from inventory.entrypoints.container import Container
from inventory.service_layer import transfer_commands as c
from inventory.service_layer.caller import Caller
from inventory.service_layer.ports import UnitOfWork
from inventory.service_layer.transfers import settle_transfer

__all__ = ["SETTLED", "consume", "on_compliance_event", "subscribe"]

W = TypeVar("W", bound=SharedUnitOfWork)

SETTLED = "compliance.transfer_manifest.settled"
_COMPLIANCE = Caller(Identity(subject="compliance", kind="system", sites=(ALL_SITES,)))
"""Who settles a transfer: the ledger says compliance did, from Metrc's report."""


def _settlement(payload: dict[str, object]) -> c.SettleTransfer:
    packages = payload["packages"]
    assert isinstance(packages, list)
    return c.SettleTransfer(
        transfer_id=UUID(str(payload["transfer_id"])),
        packages=tuple(
            c.PackageOutcome(
                package_tag=str(p["package_tag"]),
                accepted=bool(p["accepted"]),
                received_quantity=(
                    None if p.get("received_quantity") is None else Decimal(p["received_quantity"])
                ),
            )
            for p in packages
        ),
    )


async def on_compliance_event(uow: UnitOfWork, envelope: EventEnvelope) -> None:
    if envelope.event_type == SETTLED and envelope.event_version == 1:
        await settle_transfer(uow, _COMPLIANCE, _settlement(envelope.payload))


def subscribe(
    broker: KafkaBroker,
    units: Callable[[], W],
    handler: Callable[[W, EventEnvelope], Awaitable[None]],
    group_id: str,
) -> None:
    consumer = InboxConsumer(
        name="inventory.compliance",
        group_id=group_id,
        unit_of_work=units,
        handler=handler,
        dead_letters=broker_dead_letter_sink(broker),
    )
    bind_consumer(broker, consumer, COMPLIANCE_EVENTS.name)


async def consume(
    settings: InventorySettings,
    stop: asyncio.Event,
    container: Container,
    units: Callable[[], W],
    handler: Callable[[W, EventEnvelope], Awaitable[None]],
) -> None:
    """Consume until ``stop`` (``bootstrap.worker`` wires the container, the inbox's units of
    work and :func:`on_compliance_event`)."""
    try:
        await run_worker(
            settings.kafka_bootstrap_servers,
            lambda broker: subscribe(broker, units, handler, settings.consumer_group),
            stop,
            tracer_provider=container.tracer_provider,
        )
    finally:
        await container.close()
