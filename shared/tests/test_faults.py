"""Faults in the middle of work: the broker goes away, a message is poison."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from shared.events import EventEnvelope
from shared.messaging import RetryPolicy, kafka_broker, redrive
from shared.testing.infra import KafkaServer
from shared.testing.messaging import Harness, assert_order_per_key, running
from sqlalchemy.ext.asyncio import AsyncSession

pytestmark = [pytest.mark.kafka, pytest.mark.postgres, pytest.mark.slow]


async def test_a_broker_restart_in_the_middle_of_1000_events_loses_and_doubles_nothing(
    harness: Harness, kafka_server: KafkaServer
) -> None:
    if not kafka_server.controllable:
        pytest.fail("this test restarts the broker: run it against the native test broker")

    async def produce() -> None:
        for chunk in range(100):
            await harness.write_many([(f"batch-{i}", chunk) for i in range(10)])
            await asyncio.sleep(0.02)

    broker = kafka_broker(harness.bootstrap)
    harness.consumer(broker)
    async with broker, running(harness.relay(delivery_timeout_ms=5000)):
        await broker.start()
        writer = asyncio.create_task(produce())
        await harness.wait_for("SELECT count(*) >= 200 FROM effects", True)
        await asyncio.to_thread(kafka_server.stop)
        stopped_at = await harness.scalar("SELECT count(*) FROM effects")
        await asyncio.sleep(2)
        await asyncio.to_thread(kafka_server.start)
        await writer
        await harness.wait_for("SELECT count(*) FROM effects", 1000, timeout=120)
        await asyncio.sleep(1.0)

    assert stopped_at < 1000, "the broker must stop while events are still flowing"
    assert await harness.scalar("SELECT count(*) FROM effects") == 1000
    assert await harness.scalar("SELECT count(DISTINCT event_id) FROM effects") == 1000
    await assert_order_per_key(harness)
    assert await harness.scalar("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0


async def dead_letters(
    bootstrap: str, topic: str, expected: int
) -> list[tuple[bytes, dict[str, str]]]:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", group_id=None
    )
    await consumer.start()
    found: list[tuple[bytes, dict[str, str]]] = []
    try:
        deadline = asyncio.get_running_loop().time() + 30
        while len(found) < expected and asyncio.get_running_loop().time() < deadline:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                found.extend((r.value, {k: v.decode() for k, v in r.headers}) for r in records)
    finally:
        await consumer.stop()
    return found


async def test_a_poison_message_is_dead_lettered_after_bounded_attempts_and_the_consumer_goes_on(
    harness: Harness,
) -> None:
    attempts: dict[str, int] = {}

    async def fussy(session: AsyncSession, envelope: EventEnvelope) -> None:
        if envelope.payload["seq"] == 13:
            attempts["13"] = attempts.get("13", 0) + 1
            raise ValueError("seq 13 is unlucky")
        await harness.record_effect(session, envelope)

    raw = AIOKafkaProducer(bootstrap_servers=harness.bootstrap)
    await raw.start()
    await raw.send_and_wait(harness.topic.name, b"{not json", key=b"k")
    await raw.stop()
    for seq in (12, 13, 14):
        await harness.write("k", seq)

    broker = kafka_broker(harness.bootstrap)
    harness.consumer(
        broker, handler=fussy, policy=RetryPolicy(max_attempts=3, backoff_initial=0.01)
    )
    async with broker, running(harness.relay()):
        await broker.start()
        await harness.wait_for(
            "SELECT string_agg(seq::text, ',' ORDER BY applied) FROM effects", "12,14"
        )

    assert attempts["13"] == 3
    letters = await dead_letters(harness.bootstrap, harness.topic.dead_letter.name, 2)
    assert len(letters) == 2
    garbage, unlucky = letters
    assert garbage[0] == b"{not json"
    assert garbage[1]["x-dlt-attempts"] == "1"  # undecodable: no point retrying
    assert "ValidationError" in garbage[1]["x-dlt-error-class"]
    assert unlucky[1]["x-dlt-attempts"] == "3"
    assert unlucky[1]["x-dlt-error-message"] == "seq 13 is unlucky"
    assert unlucky[1]["x-dlt-original-topic"] == harness.topic.name
    assert unlucky[1]["x-dlt-consumer"] == "effects"
    assert uuid.UUID(unlucky[1]["event-id"])


async def test_dead_letters_can_be_redriven_once_the_cause_is_fixed(harness: Harness) -> None:
    broken = True

    async def flaky(session: AsyncSession, envelope: EventEnvelope) -> None:
        if broken:
            raise RuntimeError("bug in the handler")
        await harness.record_effect(session, envelope)

    await harness.write("k", 1)
    group = f"tests-{uuid.uuid4().hex[:8]}"
    broker = kafka_broker(harness.bootstrap)
    harness.consumer(
        broker,
        handler=flaky,
        group_id=group,
        policy=RetryPolicy(max_attempts=2, backoff_initial=0.01),
    )
    async with broker, running(harness.relay()):
        await broker.start()
        assert len(await dead_letters(harness.bootstrap, harness.topic.dead_letter.name, 1)) == 1
        broken = False
        moved = await redrive(
            harness.bootstrap, harness.topic.dead_letter.name, group_id=f"redrive-{group}"
        )
        assert moved == 1
        await harness.wait_for("SELECT count(*) FROM effects", 1)
