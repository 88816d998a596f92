"""Benchmark of the inbox consumer on real Kafka and PostgreSQL (``make bench-consumer``).

Events already on a 6-partition topic (``--events``, default 50,000 envelopes of ~330 bytes) are
consumed by the test consumer of ``shared.testing.messaging`` (one ``effects`` row per event,
written with the inbox row in one transaction, offsets committed after), bound to a FastStream
broker as every service's worker binds its consumers:

1. batch mode: a ``BatchInboxConsumer`` taking up to ``--batch`` (500) events per transaction;
2. one event per transaction (``InboxConsumer``), on a tenth of the events.

Events/s from the first effect to the last. Reporting's target (its read models rebuilt by
replaying the topics) is 10,000 events/s into PostgreSQL.

Last line: ``consumer: <events/s> ev/s in batches of <n>, <events/s> ev/s one per transaction``.
"""

from __future__ import annotations

import argparse
import asyncio
import time

from aiokafka import AIOKafkaProducer
from shared.messaging import kafka_broker
from shared.testing.infra import KafkaServer, PostgresServer
from shared.testing.messaging import Harness, make_harness
from shared.testing.plugin import make_topic


async def produce(harness: Harness, events: int) -> None:
    producer = AIOKafkaProducer(
        bootstrap_servers=harness.bootstrap, linger_ms=5, max_batch_size=512 * 1024
    )
    await producer.start()
    try:
        pending = []
        for seq in range(events):
            key = f"b{seq % 500}"
            value = harness.message(key, seq).envelope.encode()
            pending.append(await producer.send(harness.topic.name, value, key=key.encode()))
        await asyncio.gather(*pending)
    finally:
        await producer.stop()


async def consume(harness: Harness, events: int, max_batch: int) -> float:
    broker = kafka_broker(harness.bootstrap)
    harness.consumer(broker, max_batch=max_batch)
    async with broker:
        await broker.start()
        while not await harness.scalar("SELECT count(*) FROM effects"):
            await asyncio.sleep(0.005)
        start = time.perf_counter()
        while (done := await harness.scalar("SELECT count(*) FROM effects")) < events:
            await asyncio.sleep(0.02)
        elapsed = time.perf_counter() - start
    assert done == events, f"{done} effects for {events} events"
    return events / elapsed


async def run(events: int, max_batch: int) -> tuple[float, float]:
    kafka, postgres = KafkaServer.acquire(), PostgresServer.acquire()
    rates = []
    for mode_events, mode_batch in ((events, max_batch), (events // 10, 1)):
        database = await postgres.create_database("bench_consumer")
        topic = await make_topic(kafka.bootstrap, "bench.consumer", partitions=6)
        harness = await make_harness(postgres.url_for(database), kafka.bootstrap, topic)
        try:
            await produce(harness, mode_events)
            rates.append(await consume(harness, mode_events, mode_batch))
            mode = f"batches of {mode_batch}" if mode_batch > 1 else "one per transaction"
            print(f"{mode_events:,} events, {mode}: {rates[-1]:,.0f} events/s")
        finally:
            await harness.database.close()
            await postgres.drop_database(database)
    return rates[0], rates[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    batched, single = asyncio.run(run(args.events, args.batch))
    print("target: 10,000 events/s into PostgreSQL (reporting's replay)")
    print(
        f"consumer: {batched:.0f} ev/s in batches of {args.batch},"
        f" {single:.0f} ev/s one per transaction"
    )


if __name__ == "__main__":
    main()
