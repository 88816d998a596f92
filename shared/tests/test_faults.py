"""The broker stopped in the middle of a stream: nothing is lost and nothing doubled."""

from __future__ import annotations

import asyncio

import pytest
from shared.messaging import kafka_broker
from shared.testing.infra import KafkaServer
from shared.testing.messaging import Harness, assert_order_per_key, running

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
