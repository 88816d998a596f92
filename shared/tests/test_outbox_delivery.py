"""The outbox's promises on real PostgreSQL and Kafka: nothing lost, nothing doubled, in order per key."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import pytest
from shared.events import EventEnvelope, Topic, event_type
from shared.kafka_topics import create_topics
from shared.messaging import kafka_broker
from shared.outbox import outbox_message
from shared.outbox.relay import OutboxRelay
from shared.testing.infra import KafkaServer
from shared.testing.messaging import (
    Harness,
    PingBase,
    assert_order_per_key,
    messages_on,
    running,
)

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


async def test_an_event_reaches_the_consumer_exactly_once_in_order_per_key(
    harness: Harness,
) -> None:
    keys = [f"batch-{i}" for i in range(8)]
    for seq in range(25):
        await harness.write_many([(key, seq) for key in keys])

    broker = kafka_broker(harness.bootstrap)
    harness.consumer(broker)
    async with broker, running(harness.relay()):
        await broker.start()
        await harness.wait_for("SELECT count(*) FROM effects", 200)
        await asyncio.sleep(1.0)  # anything doubled would arrive now

    assert await harness.scalar("SELECT count(DISTINCT event_id) FROM effects") == 200
    assert await harness.scalar("SELECT count(*) FROM effects") == 200
    assert await harness.scalar("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0
    await assert_order_per_key(harness)


class RelayKilledBeforeMarking(BaseException):
    """Escapes the relay's recovery loop like a SIGKILL would: the task ends where it stands."""


class FragileRelay(OutboxRelay):
    """Dies after Kafka acknowledged a batch and before the rows are marked published."""

    async def _mark_published(self, conn: Any, ids: list[int]) -> None:
        raise RelayKilledBeforeMarking


async def test_a_relay_killed_between_publishing_and_marking_loses_and_doubles_nothing(
    harness: Harness,
) -> None:
    await harness.write_many([(f"k{i % 5}", i) for i in range(100)])

    doomed = asyncio.create_task(FragileRelay(harness.relay()._config).run())
    with pytest.raises(RelayKilledBeforeMarking):
        await asyncio.wait_for(doomed, timeout=30)
    # The batch reached Kafka, yet the table still says it was never published.
    assert len(await messages_on(harness.bootstrap, harness.topic.name)) == 100
    assert await harness.scalar("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 100

    broker = kafka_broker(harness.bootstrap)
    harness.consumer(broker)
    async with broker, running(harness.relay()):
        await broker.start()
        await harness.wait_for("SELECT count(*) FROM outbox WHERE published_at IS NULL", 0)
        await harness.wait_for("SELECT count(*) FROM inbox", 100)
        await asyncio.sleep(1.0)

    assert len(await messages_on(harness.bootstrap, harness.topic.name)) == 200  # re-sent in full
    assert await harness.scalar("SELECT count(*) FROM effects") == 100  # applied once each
    await assert_order_per_key(harness)


async def test_only_one_relay_publishes_at_a_time(harness: Harness) -> None:
    first, second = harness.relay(), harness.relay()
    await harness.write_many([(f"k{i % 3}", i) for i in range(300)])
    async with running(first), running(second):
        await harness.wait_for("SELECT count(*) FROM outbox WHERE published_at IS NULL", 0)
        await harness.write_many([(f"k{i % 3}", 300 + i) for i in range(300)])
        await harness.wait_for("SELECT count(*) FROM outbox WHERE published_at IS NULL", 0)
    assert sorted([first.published, second.published]) == [0, 600]
    assert len(await messages_on(harness.bootstrap, harness.topic.name)) == 600


async def test_events_keep_the_trace_of_the_transaction_that_wrote_them(harness: Harness) -> None:
    message = await harness.write("k", 1)
    headers = json.loads(
        await harness.scalar(
            f"SELECT headers::text FROM outbox WHERE event_id = '{message.event_id}'"
        )
    )
    assert headers["event-id"] == str(message.event_id)
    assert headers["event-type"] == message.event_type
    assert uuid.UUID(headers["event-id"]) == message.event_id


async def test_a_standby_relay_takes_over_when_the_leaders_connection_is_killed(
    harness: Harness,
) -> None:
    first, second = harness.relay(), harness.relay()
    broker = kafka_broker(harness.bootstrap)
    harness.consumer(broker)
    async with broker, running(first), running(second):
        await broker.start()
        await harness.write_many([(f"k{i % 4}", i) for i in range(100)])
        await harness.wait_for("SELECT count(*) FROM outbox WHERE published_at IS NULL", 0)
        leader = first if first.published else second
        # The leader's session holds the advisory lock: terminating it frees the lock for the standby.
        await harness.scalar(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_locks"
            " WHERE locktype = 'advisory' AND granted"
        )
        await harness.write_many([(f"k{i % 4}", i) for i in range(100, 200)])
        await harness.wait_for("SELECT count(*) FROM outbox WHERE published_at IS NULL", 0)
        await harness.wait_for("SELECT count(*) FROM effects", 200)
        await asyncio.sleep(1.0)

    standby = second if leader is first else first
    assert standby.published > 0 or leader.published > 100, "someone published after the kill"
    assert await harness.scalar("SELECT count(DISTINCT event_id) FROM effects") == 200
    assert await harness.scalar("SELECT count(*) FROM effects") == 200
    await assert_order_per_key(harness)


async def test_a_row_kafka_refuses_stops_the_relay_at_that_row_without_resending_the_rows_before(
    harness: Harness, kafka_server: KafkaServer
) -> None:
    missing = Topic(
        name=harness.topic.name + "-missing",
        partitions=1,
        retention_ms=3_600_000,
        owner="tests",
        key="k",
        description="not created yet",
    )
    stray = event_type(f"tests.{missing.name}", version=1, topic=missing)(
        type("Stray", (PingBase,), {})
    )
    await harness.write_messages(
        [
            *(harness.message("k", i) for i in range(5)),
            outbox_message(stray(key="k", seq=5), producer="t", aggregate_id="k"),
            *(harness.message("k", i) for i in range(6, 10)),
        ]
    )

    relay = harness.relay(delivery_timeout_ms=1000, error_backoff=0.1, max_error_backoff=0.5)
    async with running(relay):
        await asyncio.sleep(6)  # several failed attempts
        assert await harness.scalar("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 5
        assert len(await messages_on(harness.bootstrap, harness.topic.name)) == 5
        await create_topics(kafka_server.bootstrap, [missing])
        await harness.wait_for("SELECT count(*) FROM outbox WHERE published_at IS NULL", 0)

    published = [
        EventEnvelope.from_bytes(v or b"").payload["seq"]
        for v, _ in await messages_on(harness.bootstrap, harness.topic.name)
    ]
    assert published == [0, 1, 2, 3, 4, 6, 7, 8, 9]  # each once, in order
    assert len(await messages_on(harness.bootstrap, missing.name)) == 1
