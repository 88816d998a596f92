"""The inventory worker process: it consumes ``compliance.events`` for what Metrc reports back
about inventory's own records, each event applied once, in one transaction with its inbox row;
other compliance events are acknowledged and ignored.

* ``compliance.transfer_manifest.settled``: the receiving facility decided every package of an
  outgoing transfer; ``settle_transfer`` applies it (a rejected package's quantity comes back).
  A report inventory refuses (a package not on the transfer, a transfer no longer SENT, a batch
  that cannot take its return) changes nothing and is kept on the transfer as
  ``settlementProblem`` for a person to see; only a report of a transfer inventory does not
  have goes to the dead letters.
* ``compliance.incoming_transfer.changed``: an incoming manifest delivery to one of our
  licenses, new or changed in Metrc; ``record_incoming`` keeps it for the site to receive.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

from faststream.kafka import KafkaBroker
from shared.database import UnitOfWork as SharedUnitOfWork
from shared.events import COMPLIANCE_EVENTS, EventEnvelope
from shared.identity import ALL_SITES, Identity
from shared.messaging import InboxConsumer, bind_consumer, broker_dead_letter_sink, run_worker

from inventory.config import InventorySettings
from inventory.domain import DomainError
from inventory.entrypoints.container import Container
from inventory.service_layer import transfer_commands as c
from inventory.service_layer.caller import Caller, utc_now
from inventory.service_layer.errors import NotFoundError
from inventory.service_layer.incoming_transfers import record_incoming
from inventory.service_layer.ports import UnitOfWork
from inventory.service_layer.transfers import settle_transfer

__all__ = ["INCOMING", "SETTLED", "consume", "on_compliance_event", "subscribe"]

log = logging.getLogger(__name__)

W = TypeVar("W", bound=SharedUnitOfWork)

SETTLED = "compliance.transfer_manifest.settled"
INCOMING = "compliance.incoming_transfer.changed"
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


def _decimal(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _moment(value: object) -> datetime | None:
    return None if value is None else datetime.fromisoformat(str(value))


def _incoming(payload: dict[str, Any]) -> c.RecordIncoming:
    return c.RecordIncoming(
        license_number=str(payload["license_number"]),
        delivery_id=int(payload["delivery_id"]),
        metrc_transfer_id=int(payload["metrc_transfer_id"]),
        fingerprint=str(payload["fingerprint"]),
        manifest_number=payload.get("manifest_number"),
        shipper_license_number=payload.get("shipper_license_number"),
        shipper_name=payload.get("shipper_name"),
        shipment_type=payload.get("shipment_type"),
        estimated_arrival=_moment(payload.get("estimated_arrival")),
        metrc_received_at=_moment(payload.get("received_at")),
        packages=tuple(
            c.IncomingPackageReport(
                package_tag=str(p["package_tag"]),
                metrc_package_id=int(p["metrc_package_id"]),
                shipped_quantity=Decimal(str(p["shipped_quantity"])),
                unit=str(p["shipped_unit"]),
                metrc_state=str(p["shipment_state"]),
                item_name=p.get("item_name"),
                item_category=p.get("item_category"),
                item_strain=p.get("item_strain"),
                received_quantity=_decimal(p.get("received_quantity")),
                wholesale_price=_decimal(p.get("wholesale_price")),
            )
            for p in payload["packages"]
        ),
    )


async def _settle(uow: UnitOfWork, payload: dict[str, Any]) -> None:
    cmd = _settlement(payload)
    try:
        async with uow.savepoint():
            await settle_transfer(uow, _COMPLIANCE, cmd)
    except NotFoundError:
        raise
    except DomainError as error:
        problem = f"Metrc's report of the receiver's decision was not applied: {error.message}"
        log.warning("transfer %s: %s", cmd.transfer_id, problem)
        if not await uow.transfers.record_problem(cmd.transfer_id, problem, utc_now()):
            raise


async def on_compliance_event(uow: UnitOfWork, envelope: EventEnvelope) -> None:
    if envelope.event_version != 1:
        return
    if envelope.event_type == SETTLED:
        await _settle(uow, envelope.payload)
    elif envelope.event_type == INCOMING:
        await record_incoming(uow, _incoming(envelope.payload))


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
