"""Failure modes found in review: each test reproduces one, and pins its fix."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass, field

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from shared.events import EventEnvelope, Topic, event_type, new_event
from shared.kafka_topics import create_topics
from shared.messaging import IdempotentConsumer, Outcome, RetryPolicy, kafka_broker, redrive
from shared.outbox import enqueue
from shared.service_app import KafkaReadiness
from shared.testing.infra import KafkaServer
from shared.testing.messaging import Harness, PingBase, running
from sqlalchemy.ext.asyncio import AsyncSession

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


async def messages_on(bootstrap: str, topic: str) -> list[tuple[bytes | None, dict[str, bytes]]]:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", group_id=None
    )
    await consumer.start()
    try:
        found = []
        while batch := await consumer.getmany(timeout_ms=1500):
            for records in batch.values():
                found.extend((r.value, dict(r.headers)) for r in records)
        return found
    finally:
        await consumer.stop()


async def test_a_message_whose_headers_are_not_utf8_is_still_handled(harness: Harness) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=harness.bootstrap)
    await producer.start()
    for seq, headers in ((1, []), (2, [("x-note", b"\xff\xfe")]), (3, [("x-none", None)])):
        envelope = new_event(harness.ping(key="k", seq=seq), producer="tests", aggregate_id="k")
        await producer.send_and_wait(
            harness.topic.name,
            envelope.to_bytes(),
            key=b"k",
            headers=headers,  # type: ignore[arg-type]
        )
    await producer.stop()

    broker = kafka_broker(harness.bootstrap)
    harness.consumer(broker)
    async with broker:
        await broker.start()
        await harness.wait_for(
            "SELECT string_agg(seq::text, ',' ORDER BY applied) FROM effects", "1,2,3"
        )


async def test_redriving_a_message_that_fails_again_moves_it_once_and_returns(
    harness: Harness,
) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=harness.bootstrap)
    await producer.start()
    await producer.send_and_wait(harness.topic.name, b"{not json", key=b"k")
    await producer.stop()

    broker = kafka_broker(harness.bootstrap)
    harness.consumer(broker)
    async with broker:
        await broker.start()
        dead = harness.topic.dead_letter.name
        while len(await messages_on(harness.bootstrap, dead)) < 1:
            await asyncio.sleep(0.2)
        # Another consumer's re-drive neither moves this letter nor marks it as done.
        assert await redrive(harness.bootstrap, dead, consumer="someone-else") == 0
        moved = await asyncio.wait_for(redrive(harness.bootstrap, dead, consumer="effects"), 30)
        assert moved == 1
        while len(await messages_on(harness.bootstrap, dead)) < 2:
            await asyncio.sleep(0.2)  # the poison failed again and was dead-lettered again
        assert await asyncio.wait_for(redrive(harness.bootstrap, dead, consumer="effects"), 30) == 1

    assert [v for v, _ in await messages_on(harness.bootstrap, harness.topic.name)] == [
        b"{not json"
    ] * 3


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
    async with harness.sessions() as session, session.begin():
        await enqueue(
            session,
            [
                new_event(harness.ping(key="k", seq=i), producer="t", aggregate_id="k")
                for i in range(5)
            ],
        )
        await enqueue(session, new_event(stray(key="k", seq=5), producer="t", aggregate_id="k"))
        await enqueue(
            session,
            [
                new_event(harness.ping(key="k", seq=i), producer="t", aggregate_id="k")
                for i in range(6, 10)
            ],
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


@dataclass
class FakeRecord:
    topic: str = "t"
    partition: int = 0
    offset: int = 7
    key: bytes | None = b"k"
    value: bytes | None = None
    headers: list[tuple[str, bytes]] = field(default_factory=list)


@dataclass
class RecordingSink:
    failures_left: int = 0
    calls: int = 0
    letters: list[dict[str, str]] = field(default_factory=list)

    async def __call__(
        self, topic: str, key: bytes | None, value: bytes, headers: dict[str, str]
    ) -> None:
        self.calls += 1
        if self.failures_left:
            self.failures_left -= 1
            raise ConnectionError("broker away")
        self.letters.append(headers)


async def until_settled(consumer: IdempotentConsumer, record: FakeRecord) -> list[Outcome]:
    outcomes = [await consumer.process(record)]
    while outcomes[-1] is Outcome.RETRY and len(outcomes) < 50:
        outcomes.append(await consumer.process(record))
    return outcomes


async def test_outages_do_not_count_towards_dead_lettering(harness: Harness) -> None:
    calls = 0

    async def handler(session: AsyncSession, envelope: EventEnvelope) -> None:
        nonlocal calls
        calls += 1
        if calls <= 6:
            raise ConnectionRefusedError(111, "database away")
        raise ValueError("a bug")

    sink = RecordingSink()
    consumer = IdempotentConsumer(
        name="c",
        group_id="g",
        session_factory=harness.sessions,
        handler=handler,
        dead_letters=sink,
        policy=RetryPolicy(max_attempts=3, backoff_initial=0.001, backoff_max=0.002),
    )
    record = FakeRecord(
        value=new_event(harness.ping(key="k", seq=1), producer="t", aggregate_id="k").to_bytes()
    )
    outcomes = await until_settled(consumer, record)
    assert outcomes[-1] is Outcome.DEAD_LETTERED
    assert calls == 6 + 3
    assert sink.letters[0]["x-dlt-attempts"] == "3"


async def test_a_dead_letter_that_cannot_be_published_is_retried_without_rerunning_the_handler(
    harness: Harness,
) -> None:
    calls = 0

    async def handler(session: AsyncSession, envelope: EventEnvelope) -> None:
        nonlocal calls
        calls += 1
        raise ValueError("a bug")

    sink = RecordingSink(failures_left=3)
    consumer = IdempotentConsumer(
        name="c",
        group_id="g",
        session_factory=harness.sessions,
        handler=handler,
        dead_letters=sink,
        policy=RetryPolicy(max_attempts=2, backoff_initial=0.001, backoff_max=0.002),
    )
    record = FakeRecord(
        value=new_event(harness.ping(key="k", seq=1), producer="t", aggregate_id="k").to_bytes()
    )
    outcomes = await until_settled(consumer, record)
    assert outcomes == [Outcome.RETRY] * 4 + [Outcome.DEAD_LETTERED]  # 1 retry, 3 sink failures
    assert calls == 2
    assert sink.calls == 4
    assert len(sink.letters) == 1


async def test_readiness_recovers_when_kafka_comes_back(kafka_server: KafkaServer) -> None:
    broker_host, broker_port = kafka_server.bootstrap.split(":")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    check = KafkaReadiness(f"127.0.0.1:{port}")
    with pytest.raises(Exception):  # noqa: B017 - whatever aiokafka raises for "no broker"
        await check()

    async def forward(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(broker_host, int(broker_port))

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            while data := await src.read(65536):
                dst.write(data)
                await dst.drain()
            dst.close()

        await asyncio.gather(
            pipe(reader, up_writer), pipe(up_reader, writer), return_exceptions=True
        )

    proxy = await asyncio.start_server(forward, "127.0.0.1", port)  # Kafka is reachable now
    try:
        await check()
    finally:
        await check.close()
        proxy.close()
