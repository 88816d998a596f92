"""Through the gateway into Kafka: the inventory's relay publishes the events of a write made by
a logged-in user, and each event names that user as the actor and the request id as its
correlation id, with the trace context in its headers, exactly as the AsyncAPI document describes
its key, headers and value (real Kafka, real PostgreSQL)."""

from __future__ import annotations

import asyncio
import json
import uuid

from aiokafka import AIOKafkaConsumer
from gateway.domain import Role
from shared.events.asyncapi import asyncapi_document
from shared.events.topics import INVENTORY_EVENTS
from shared.kafka_topics import create_topics
from shared.outbox import OutboxRelay, RelayConfig
from shared.testing.asyncapi import message_problems


async def test_events_of_a_write_through_the_gateway_carry_the_user_and_the_request_id(
    platform, databases, kafka_server
):
    await create_topics(kafka_server.bootstrap, [INVENTORY_EVENTS])
    consumer = AIOKafkaConsumer(
        INVENTORY_EVENTS.name,
        bootstrap_servers=kafka_server.bootstrap,
        auto_offset_reset="latest",
        group_id=f"e2e-{uuid.uuid4().hex[:8]}",
        enable_auto_commit=False,
    )
    await consumer.start()
    stop = asyncio.Event()
    relay = asyncio.create_task(
        OutboxRelay(
            RelayConfig(
                name="inventory",
                database_url=databases[0],
                bootstrap_servers=kafka_server.bootstrap,
                poll_interval=0.2,
            )
        ).run(stop)
    )
    try:
        while not consumer.assignment():
            await asyncio.sleep(0.1)
        await consumer.seek_to_end()
        clerk = await platform.caller([Role.INVENTORY])
        request_id = f"e2e-{uuid.uuid4().hex}"
        batch = (
            await clerk.ok(
                "POST",
                "/api/v1/batches/intake",
                201,
                json=platform.intake_body(),
                headers={"X-Request-ID": request_id},
            )
        )["batch"]
        await clerk.ok(
            "POST",
            f"/api/v1/batches/{batch['id']}/adjustments",
            json={"adjustment": "-3", "reason": "DAMAGED"},
            headers={"X-Request-ID": request_id},
        )
        seen: list[tuple[dict, dict[str, bytes], bytes | None, bytes]] = []
        async with asyncio.timeout(30):
            while len(seen) < 2:
                batches = await consumer.getmany(timeout_ms=500)
                for records in batches.values():
                    for record in records:
                        envelope = json.loads(record.value)
                        if envelope["aggregate_id"] == batch["id"]:
                            seen.append((envelope, dict(record.headers), record.key, record.value))
    finally:
        stop.set()
        await relay
        await consumer.stop()
    types = [envelope["event_type"] for envelope, *_ in seen]
    assert types == ["inventory.batch.created", "inventory.batch.adjusted"]
    document = asyncapi_document()
    for envelope, headers, key, value in seen:
        message = f"{envelope['event_type']}.v{envelope['event_version']}"
        assert message_problems(document, message, key=key, headers=headers, value=value) == []
        assert envelope["actor"]["id"] == clerk.user_id
        assert envelope["correlation_id"] == request_id
        assert envelope["site_id"] == platform.site_id
        assert "traceparent" in headers
