"""Every state change writes its integration events to the outbox in the same transaction, with
what compliance and reporting need; the relay delivers them to Kafka keyed by batch id."""

from __future__ import annotations

import json
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer
from inventory.config import InventorySettings
from shared.events import INVENTORY_EVENTS, EventEnvelope, decode
from shared.events import inventory as ev
from shared.kafka_topics import create_topics
from shared.outbox import OutboxRelay, RelayConfig
from shared.testing.infra import KafkaServer
from shared.testing.messaging import running, wait_until


async def outbox(db: asyncpg.Connection) -> list[EventEnvelope]:
    rows = await db.fetch("SELECT payload::text AS payload FROM outbox ORDER BY id")
    return [EventEnvelope.model_validate_json(r["payload"]) for r in rows]


async def scenario(world: Any) -> dict[str, Any]:
    """One batch through most operations."""
    batch = await world.live()
    path = f"/v1/batches/{batch['id']}"
    calls: list[tuple[str, dict[str, Any]]] = [
        ("adjustments", {"adjustment": "-2", "reason": "DAMAGED"}),
        (
            "transfers",
            {
                "quantity": "10",
                "fromLocationId": world.location_a,
                "toLocationId": world.location_b,
            },
        ),
        ("reservations", {"quantity": "5", "referenceType": "ORDER", "referenceId": "SO-1"}),
        (
            "sales",
            {
                "quantity": "5",
                "referenceType": "ORDER",
                "referenceId": "SO-1",
                "locationId": world.location_b,
            },
        ),
        ("returns", {"quantity": "1", "refund": True}),
        ("samples", {"quantity": "1"}),
        ("disposals", {"quantity": "1", "reason": "EXPIRED"}),
        ("holds", {"quantity": "3"}),
        ("holds/release", {"quantity": "3"}),
        ("defective", {"quantity": "2", "reason": "QUALITY_ISSUE"}),
        ("reservations", {"quantity": "4", "referenceType": "ORDER", "referenceId": "SO-2"}),
        (
            "reservations/release",
            {"referenceType": "ORDER", "referenceId": "SO-2", "quantity": "1"},
        ),
        ("status", {"status": "QUARANTINED", "reason": "recall"}),
    ]
    for action, body in calls:
        await world.admin.ok("POST", f"{path}/{action}", json=body)
    await world.admin.ok("PATCH", path, json={"ticket": "4.2", "reason": "price"})
    return batch


async def test_every_change_is_an_event_with_the_batch_after_it(
    world: Any, db: asyncpg.Connection
) -> None:
    batch = await scenario(world)
    events = await outbox(db)
    assert [e.event_type.removeprefix("inventory.batch.") for e in events] == [
        "created", "status_changed", "adjusted", "transferred", "reserved", "sold", "returned",
        "sample_sent", "disposed", "held", "hold_released", "marked_defective", "reserved",
        "reservation_released", "reservation_released", "status_changed", "updated",
    ]  # fmt: skip
    for envelope in events:
        assert envelope.aggregate_id == batch["id"]
        assert envelope.site_id == world.site_id
        assert envelope.producer == "inventory"
        assert envelope.actor is not None
        assert envelope.actor.id == "admin"
        payload = decode(envelope)
        assert isinstance(payload, ev.BatchEventBase)
        assert payload.batch.site.license_number == "OR-123456"
        assert payload.batch.unit_of_measure == "Grams"
        assert payload.batch.costs.unit_cogs is not None
        assert payload.batch.version == envelope.aggregate_version
        assert sum(loc.qty for loc in payload.batch.locations) == payload.batch.balances.physical
    created = decode(events[0])
    assert isinstance(created, ev.BatchCreatedV1)
    assert (created.quantity, created.location.label, created.batch.vendor.license_number) == (
        100,
        "Vault/R1",
        "C-42",
    )
    sold = decode(events[5])
    assert isinstance(sold, ev.BatchSoldV1)
    assert (sold.from_reservation, sold.location.label) == (5, "Vault/R2")
    assert [(m.bucket, m.change) for m in sold.movements] == [("RESERVED", -5), ("ON_HAND", -5)]
    quarantined = decode(events[15])
    assert isinstance(quarantined, ev.BatchStatusChangedV1)
    balances = quarantined.batch.balances
    # 100 - 2 adjusted - 5 sold + 1 returned - 1 sample - 1 disposed = 92, 2 of them defective.
    assert (balances.on_hand, balances.quarantine, balances.defective, balances.physical) == (
        0,
        90,
        2,
        92,
    )
    updated = decode(events[-1])
    assert isinstance(updated, ev.BatchUpdatedV1)
    assert updated.changes["ticket"].after == "4.2000"


async def test_the_events_carry_every_ledger_row_exactly_once(
    world: Any, db: asyncpg.Connection
) -> None:
    await scenario(world)
    carried = sorted(
        (m.batch_version, m.sequence, m.bucket.value, str(m.change))
        for envelope in await outbox(db)
        for m in decode(envelope).movements  # type: ignore[attr-defined]
    )
    ledger = sorted(
        (r["batch_version"], r["sequence"], r["bucket"], str(r["quantity_change"]))
        for r in await db.fetch("SELECT * FROM movement")
    )
    assert carried == ledger


async def test_a_refused_write_leaves_no_event(world: Any, db: asyncpg.Connection) -> None:
    batch = await world.live()
    before = await db.fetchval("SELECT count(*) FROM outbox")
    await world.admin.call(
        "POST",
        f"/v1/batches/{batch['id']}/adjustments",
        json={"adjustment": "-500", "reason": "LOST"},
    )
    assert await db.fetchval("SELECT count(*) FROM outbox") == before


async def test_the_relay_delivers_the_events_to_kafka_keyed_by_batch(
    world: Any, settings: InventorySettings, kafka_server: KafkaServer
) -> None:
    await create_topics(kafka_server.bootstrap, [INVENTORY_EVENTS])
    batch = await world.live()
    await world.admin.ok(
        "POST",
        f"/v1/batches/{batch['id']}/adjustments",
        json={"adjustment": "1", "reason": "REWEIGH"},
    )
    relay = OutboxRelay(
        RelayConfig(
            name="inventory-test",
            database_url=settings.database_url.get_secret_value(),
            bootstrap_servers=kafka_server.bootstrap,
            poll_interval=0.2,
        )
    )
    consumer = AIOKafkaConsumer(
        INVENTORY_EVENTS.name,
        bootstrap_servers=kafka_server.bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    received: list[EventEnvelope] = []
    async with running(relay):
        await consumer.start()
        try:

            async def three_arrived() -> bool:
                batches = await consumer.getmany(timeout_ms=200)
                received.extend(
                    EventEnvelope.from_bytes(message.value)
                    for messages in batches.values()
                    for message in messages
                    if message.key == batch["id"].encode()
                )
                return len(received) >= 3

            await wait_until(three_arrived, timeout=60, what="three events of the batch on Kafka")
        finally:
            await consumer.stop()
    assert [e.event_type for e in received] == [
        "inventory.batch.created",
        "inventory.batch.status_changed",
        "inventory.batch.adjusted",
    ]
    adjusted = decode(received[2])
    assert isinstance(adjusted, ev.BatchAdjustedV1)
    assert adjusted.batch.balances.on_hand == 101
    assert json.loads(received[2].to_bytes())["payload"]["adjustment"] == "1.0000"
