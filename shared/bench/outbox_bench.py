"""Benchmark of the transactional outbox on real PostgreSQL and Kafka (``make bench-outbox``).

Three measurements, each printed with what it is compared against:

1. relay capacity: 20,000 committed rows waiting, the relay (its own process, as in production)
   drains them; events/s from its first to its last publish;
2. commit-to-consume latency: a writer process commits 20,000 events at a steady offered rate
   (default 5,000/s, in transactions of 10) while the relay runs; a consumer in this process stamps
   each arrival; latency = arrival time - the writer's commit time, p50/p99;
3. the physical limit: the same 20,000 messages sent straight to Kafka by one idempotent aiokafka
   producer, with no database in the way.

Last line: ``outbox: <events/s> ev/s, p99 <ms> ms``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from pydantic import BaseModel
from shared.database import Database, UnitOfWork, asyncpg_dsn
from shared.events import Topic, event_type
from shared.kafka_topics import create_topics
from shared.outbox import (
    MESSAGING_DDL,
    OutboxMessage,
    OutboxRelay,
    RelayConfig,
    outbox_message,
    write_outbox,
)
from shared.testing.infra import KafkaServer, PostgresServer
from tqdm import tqdm

EVENTS = 20_000
SCRIPT = str(Path(__file__).resolve())
PAYLOAD_NOTE = "x" * 300  # ~600-byte envelopes, the size of an inventory event


class BenchEvent(BaseModel):
    batch_id: str
    seq: int
    note: str


def bench_topic(name: str, description: str) -> Topic:
    """A throwaway topic of the benchmark: six partitions, kept for an hour."""
    return Topic(
        name=name,
        partitions=6,
        retention_ms=3_600_000,
        owner="bench",
        key="batch",
        description=description,
    )


def register(topic_name: str) -> None:
    topic = bench_topic(topic_name, "outbox benchmark")
    event_type("bench.event", version=1, topic=topic)(BenchEvent)


def message(seq: int) -> OutboxMessage:
    return outbox_message(
        BenchEvent(batch_id=f"b{seq % 500}", seq=seq, note=PAYLOAD_NOTE),
        producer="bench",
        aggregate_id=f"b{seq % 500}",
    )


async def write(database: Database, messages: list[OutboxMessage]) -> None:
    """One transaction, as a service writes its events (``shared.outbox.write_outbox``)."""
    async with UnitOfWork(database) as uow:
        await write_outbox(uow.conn, messages)
        await uow.commit()


async def run_relay(database_url: str, bootstrap: str, topic: str) -> None:
    register(topic)
    relay = OutboxRelay(
        RelayConfig(
            name="bench", database_url=database_url, bootstrap_servers=bootstrap, poll_interval=0.5
        )
    )
    await relay.run()


async def run_writer(database_url: str, topic: str, rate: float, out: Path) -> None:
    register(topic)
    database = Database(database_url, name="bench-writer", max_size=8)
    committed: dict[str, float] = {}
    per_tx, writers = 10, 4
    interval = per_tx * writers / rate  # seconds between a writer's transactions

    async def writer(offset: int) -> None:
        start = time.perf_counter()
        for n, first in enumerate(range(offset * per_tx, EVENTS, per_tx * writers)):
            await asyncio.sleep(max(0.0, start + n * interval - time.perf_counter()))
            batch = [message(seq) for seq in range(first, min(first + per_tx, EVENTS))]
            await write(database, batch)
            stamp = time.time()
            for event in batch:
                committed[str(event.event_id)] = stamp

    await asyncio.gather(*(writer(i) for i in range(writers)))
    await database.close()
    await asyncio.to_thread(out.write_text, json.dumps(committed))


async def preload(database_url: str) -> None:
    database = Database(database_url, name="bench-preload")
    for start in tqdm(range(0, EVENTS, 1000), desc="preloading the outbox", unit="k rows"):
        await write(database, [message(seq) for seq in range(start, start + 1000)])
    await database.close()


async def published(conn: asyncpg.Connection) -> int:
    return int(await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NOT NULL"))


async def measure_drain(database_url: str, total: int, already: int = 0) -> float:
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        with tqdm(total=total, desc="relay draining", unit="ev") as bar:
            while (count := await published(conn)) == already:
                await asyncio.sleep(0.005)
            t0, c0 = time.perf_counter(), count
            while count < already + total:
                bar.update(count - already - bar.n)
                await asyncio.sleep(0.01)
                count = await published(conn)
            bar.update(total - bar.n)
            return (count - c0) / (time.perf_counter() - t0)
    finally:
        await conn.close()


async def raw_producer_rate(bootstrap: str, topic: str) -> float:
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        enable_idempotence=True,
        acks="all",
        linger_ms=2,
        max_batch_size=512 * 1024,
    )
    await producer.start()
    messages = [(message(i).envelope.encode(), f"b{i % 500}".encode()) for i in range(EVENTS)]
    start = time.perf_counter()
    futures = [await producer.send(topic, value=v, key=k) for v, k in messages]
    await asyncio.gather(*futures)
    elapsed = time.perf_counter() - start
    await producer.stop()
    return EVENTS / elapsed


async def orchestrate(rate: float) -> None:
    kafka, postgres = KafkaServer.acquire(), PostgresServer.acquire()
    database = await postgres.create_database("bench")
    database_url = postgres.url_for(database)
    topic_name = f"bench.outbox.{uuid.uuid4().hex[:8]}"
    register(topic_name)
    raw_topic = bench_topic(topic_name + ".raw", "raw producer limit")
    await create_topics(
        kafka.bootstrap,
        [
            bench_topic(topic_name, "outbox benchmark"),
            raw_topic,
        ],
    )
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    for statement in MESSAGING_DDL:
        await conn.execute(statement)
    await conn.close()

    py = [sys.executable, SCRIPT]
    relay = None
    try:
        await preload(database_url)
        relay = await asyncio.create_subprocess_exec(
            *py,
            "--role",
            "relay",
            "--db",
            database_url,
            "--bootstrap",
            kafka.bootstrap,
            "--topic",
            topic_name,
        )
        drain = await measure_drain(database_url, EVENTS)

        consumer = AIOKafkaConsumer(
            topic_name,
            bootstrap_servers=kafka.bootstrap,
            group_id=f"bench-{uuid.uuid4().hex[:6]}",
            auto_offset_reset="latest",
            enable_auto_commit=False,
        )
        await consumer.start()
        await consumer.seek_to_end()
        with tempfile.TemporaryDirectory() as tmp:
            stamps = Path(tmp) / "commits.json"
            writer = await asyncio.create_subprocess_exec(
                *py,
                "--role",
                "writer",
                "--db",
                database_url,
                "--topic",
                topic_name,
                "--rate",
                str(rate),
                "--out",
                str(stamps),
            )
            arrived: dict[str, float] = {}
            started = time.perf_counter()
            with tqdm(total=EVENTS, desc=f"live at {rate:.0f} ev/s offered", unit="ev") as bar:
                while len(arrived) < EVENTS:
                    batch = await consumer.getmany(timeout_ms=200, max_records=5000)
                    now = time.time()
                    for records in batch.values():
                        for record in records:
                            event_id = dict(record.headers)["event-id"].decode()
                            arrived.setdefault(event_id, now)
                    bar.update(len(arrived) - bar.n)
                    if time.perf_counter() - started > 300:
                        raise SystemExit("timed out waiting for the live run")
            live_elapsed = time.perf_counter() - started
            await asyncio.wait_for(writer.wait(), timeout=60)
            committed: dict[str, float] = json.loads(await asyncio.to_thread(stamps.read_text))
        await consumer.stop()
        latencies = sorted((arrived[e] - committed[e]) * 1000 for e in committed)
        achieved = EVENTS / (max(committed.values()) - min(committed.values()))
        p50 = statistics.median(latencies)
        p99 = latencies[int(len(latencies) * 0.99) - 1]
        limit = await raw_producer_rate(kafka.bootstrap, raw_topic.name)
    finally:
        if relay is not None:
            relay.terminate()
            await asyncio.wait_for(relay.wait(), timeout=30)
        await postgres.drop_database(database)

    print(f"relay capacity (20,000-row backlog): {drain:,.0f} events/s")
    print(
        f"live run: 20,000 events offered at {rate:,.0f}/s; the writer committed {achieved:,.0f}/s;"
        f" all consumed {live_elapsed:.1f} s after the consumer started"
    )
    print(
        f"commit-to-consume latency: p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {latencies[-1]:.1f} ms"
    )
    print(
        f"physical limit: one idempotent producer straight to Kafka, no database: {limit:,.0f} events/s"
        f" (relay reaches {drain / limit:.0%} of it)"
    )
    print(f"outbox: {drain:.0f} ev/s, p99 {p99:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--role", choices=["orchestrator", "relay", "writer"], default="orchestrator"
    )
    parser.add_argument("--db")
    parser.add_argument("--bootstrap")
    parser.add_argument("--topic")
    parser.add_argument("--out", type=Path)
    parser.add_argument(
        "--rate", type=float, default=float(os.environ.get("BENCH_OUTBOX_RATE", 5000))
    )
    args = parser.parse_args()
    if args.role == "relay":
        asyncio.run(run_relay(args.db, args.bootstrap, args.topic))
    elif args.role == "writer":
        asyncio.run(run_writer(args.db, args.topic, args.rate, args.out))
    else:
        asyncio.run(orchestrate(args.rate))


if __name__ == "__main__":
    main()
