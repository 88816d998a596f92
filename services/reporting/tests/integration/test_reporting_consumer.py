"""The worker on real Kafka and PostgreSQL: both topics folded into the live read models in the
inbox consumer's transactions; duplicates change nothing; poison goes to the dead-letter topic
alone; compliance events of types reporting does not know are tolerated; the watermarks make
the reports' "as of" current; the rebuild replays into a new generation equal to the live one.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from uuid import uuid4

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from opentelemetry.sdk.trace import TracerProvider
from reporting.adapters.generations import bind_live_generation
from reporting.adapters.read_model import PgReadModel, reading
from reporting.config import ReportingSettings
from reporting.entrypoints.container import Container
from reporting.entrypoints.rebuild import FETCH_RECORDS, VIEWS_KEPT, rebuild
from reporting.entrypoints.worker import worker
from reporting.service_layer import reports
from reporting.service_layer.commands import Position, Topics
from reporting.service_layer.compliance_mapping import consumed_compliance
from reporting.service_layer.projections import apply_compliance_updates, apply_inventory_events
from reporting.testing.compliance_history import EXPECTED, scenario
from reporting.testing.compliance_history import envelope as compliance_envelope
from reporting.testing.inventory_history import envelope, in_order, random_batch
from reporting.testing.memory import InMemoryReadModel
from reporting.testing.simulated_batch import NOW
from reporting.testing.snapshots import report_snapshot
from shared.database import Database, UnitOfWork
from shared.events import EventEnvelope
from shared.testing.infra import KafkaServer


@dataclass
class Running:
    container: Container
    topics: Topics
    dsn: str
    bootstrap: str


@pytest.fixture
async def running(
    kafka_server: KafkaServer, reporting_dsn: str, database_url: str, topic_factory: object
) -> AsyncIterator[Running]:
    inventory = await topic_factory("inv", 3)  # type: ignore[operator]
    compliance = await topic_factory("comp", 2)  # type: ignore[operator]
    settings = ReportingSettings.model_validate(
        {
            "REPORTING_DATABASE_URL": database_url,
            "KAFKA_BOOTSTRAP_SERVERS": kafka_server.bootstrap,
            "REPORTING_CONSUMER_GROUP": f"reporting-{uuid4().hex[:8]}",
        }
    )
    database = Database(database_url, name="reporting-tests", max_size=6)
    container = Container(
        settings=settings,
        uow=partial(UnitOfWork, database),
        reports=partial(reading, database),
        database_check=database.check,
        close=database.close,
        tracer_provider=TracerProvider(),
    )
    yield Running(
        container, Topics(inventory.name, compliance.name), reporting_dsn, kafka_server.bootstrap
    )
    await database.close()


async def _publish(bootstrap: str, topic: str, messages: list[tuple[bytes, bytes]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for key, value in messages:
            await producer.send(topic, value, key=key)
        await producer.flush()
    finally:
        await producer.stop()


async def _read_all(bootstrap: str, topic: str, expected: int) -> list[bytes]:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", group_id=None
    )
    await consumer.start()
    out: list[bytes] = []
    try:
        deadline = asyncio.get_running_loop().time() + 30
        while len(out) < expected and asyncio.get_running_loop().time() < deadline:
            batches = await consumer.getmany(timeout_ms=500)
            out += [r.value or b"" for records in batches.values() for r in records]
    finally:
        await consumer.stop()
    return out


async def _applied(dsn: str, topic: str) -> int:
    """Messages of ``topic`` the live generation has applied (offsets are dense here)."""
    conn = await asyncpg.connect(dsn)
    try:
        async with conn.transaction():
            await bind_live_generation(conn, writer=False)
            rows = await conn.fetch("SELECT * FROM topic_position WHERE topic = $1", topic)
            print([dict(r) for r in rows])
    finally:
        await conn.close()
    return sum(int(row["last_offset"]) + 1 for row in rows)


async def _until(condition: object, seconds: float = 90) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while asyncio.get_running_loop().time() < deadline:
        if await condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0.3)
    raise AssertionError("not reached in time")


async def _live_snapshot(dsn: str, topics: Topics, batch_ids: list) -> dict:  # type: ignore[type-arg]
    conn = await asyncpg.connect(dsn)
    try:
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            await bind_live_generation(conn, writer=False)
            return await report_snapshot(
                PgReadModel(conn), now=NOW, topics=topics, batch_ids=batch_ids
            )
    finally:
        await conn.close()


def _key(env: EventEnvelope) -> bytes:
    return env.aggregate_id.encode()


class TestTheWorkerFoldsTheTopicsIntoTheLiveReadModels:
    async def test_reports_equal_the_events_folded_in_memory_despite_duplicates_poison_and_unknown_compliance_types(
        self, running: Running
    ) -> None:
        rng = random.Random(14)
        batches = [random_batch(rng, n, steps=12) for n in range(30)]
        envelopes = [envelope(e) for b in batches for e in b.events]
        duplicates = rng.sample(envelopes, 20)
        other = envelopes[0].payload["batch"]["batch_id"]
        poison = envelopes[5].model_copy(update={"event_id": uuid4(), "aggregate_id": str(uuid4())})
        messages = [(_key(e), e.to_bytes()) for e in envelopes]
        messages += [(_key(e), e.to_bytes()) for e in duplicates]
        messages += [(poison.aggregate_id.encode(), poison.to_bytes()), (b"x", b"not json")]
        unknown = EventEnvelope(
            event_type="compliance.something.new",
            event_version=1,
            producer="compliance",
            aggregate_id=other,
            payload={"anything": 1},
        )
        await _publish(running.bootstrap, running.topics.inventory, messages)
        await _publish(running.bootstrap, running.topics.compliance, [(b"k", unknown.to_bytes())])

        stop = asyncio.Event()
        task = asyncio.create_task(worker(running.container, stop, running.topics))
        try:
            await _until(lambda: _is(running.dsn, running.topics.inventory, len(messages)))
            await _until(lambda: _is(running.dsn, running.topics.compliance, 1))
            await asyncio.sleep(1.5)  # a watermark tick
            conn = await asyncpg.connect(running.dsn)
            try:
                async with conn.transaction(isolation="repeatable_read", readonly=True):
                    await bind_live_generation(conn, writer=False)
                    inventory_lag, compliance_lag = await reports.lag(
                        PgReadModel(conn), now=datetime.now(UTC), topics=running.topics
                    )
            finally:
                await conn.close()
        finally:
            stop.set()
            await task

        memory = InMemoryReadModel()
        await apply_inventory_events(memory, in_order(batches), now=NOW)
        ids = [b.batch_id for b in batches]
        expected = await report_snapshot(memory, now=NOW, topics=running.topics, batch_ids=ids)
        assert await _live_snapshot(running.dsn, running.topics, ids) == expected

        dead = await _read_all(running.bootstrap, running.topics.inventory + ".dlt", 2)
        assert sorted(dead) == sorted([poison.to_bytes(), b"not json"])
        assert await _read_all(running.bootstrap, running.topics.compliance + ".dlt", 0) == []
        assert inventory_lag.messages_behind == 0
        assert compliance_lag.messages_behind == 0
        assert inventory_lag.lag is not None
        assert inventory_lag.lag < timedelta(seconds=30)

    @pytest.mark.parametrize(
        ("views_kept", "fetch_records"),
        [(VIEWS_KEPT, FETCH_RECORDS), (3, 20)],
        ids=["views-in-memory", "views-written-out-and-taken-back"],
    )
    async def test_a_rebuild_replays_the_topics_into_a_new_generation_equal_to_the_live_one(
        self, running: Running, views_kept: int, fetch_records: int
    ) -> None:
        rng = random.Random(15)
        batches = [random_batch(rng, n, steps=12) for n in range(25)]
        # Batches interleaved (each one's events in order): a batch comes again after others.
        queues = [[envelope(e) for e in b.events] for b in batches]
        envelopes = [q[i] for i in range(max(map(len, queues))) for q in queues if i < len(q)]
        await _publish(
            running.bootstrap,
            running.topics.inventory,
            [(_key(e), e.to_bytes()) for e in envelopes],
        )
        ids = [b.batch_id for b in batches]
        stop = asyncio.Event()
        task = asyncio.create_task(worker(running.container, stop, running.topics))
        try:
            await _until(lambda: _is(running.dsn, running.topics.inventory, len(envelopes)))
            live = await _live_snapshot(running.dsn, running.topics, ids)
            result = await rebuild(
                running.container, asyncio.Event(), topics=running.topics, drop_after=0,
                views_kept=views_kept, fetch_records=fetch_records,
            )  # fmt: skip
            assert result is not None
            assert result.events == len(envelopes)
            assert await _live_snapshot(running.dsn, running.topics, ids) == live
            if views_kept < len(batches):
                # Bounded memory: views went out to the table, and some came back for more.
                assert result.views_written_early > 0
                assert result.views_taken_back > 0
        finally:
            stop.set()
            await task
        conn = await asyncpg.connect(running.dsn)
        try:
            states = await conn.fetch(
                "SELECT generation, state FROM read_model_generation ORDER BY generation"
            )
        finally:
            await conn.close()
        assert [(r["generation"], r["state"]) for r in states] == [(1, "dropped"), (2, "live")]


class TestARebuildHandsOverToTheLiveConsumer:
    async def test_events_published_during_a_rebuild_are_in_the_new_generation_once_each_and_compliance_status_is_rebuilt(
        self, running: Running
    ) -> None:
        rng = random.Random(16)
        before = [random_batch(rng, n, steps=12) for n in range(20)]
        during = [random_batch(rng, n, steps=12) for n in range(20, 40)]
        old = [envelope(e) for b in before for e in b.events]
        poison = old[3].model_copy(update={"event_id": uuid4(), "aggregate_id": str(uuid4())})
        first = [(_key(e), e.to_bytes()) for e in old]
        first += [(poison.aggregate_id.encode(), poison.to_bytes()), (b"x", b"not json")]
        await _publish(running.bootstrap, running.topics.inventory, first)
        statuses = [compliance_envelope(e) for e in scenario(uuid4(), NOW)]
        await _publish(
            running.bootstrap,
            running.topics.compliance,
            [(_key(e), e.to_bytes()) for e in statuses],
        )
        # Each batch's events in order, batches interleaved, a few at a time.
        queues = [[envelope(e) for e in b.events] for b in during]
        late: list[EventEnvelope] = []
        while any(queues):
            queue = rng.choice([q for q in queues if q])
            late.append(queue.pop(0))

        async def publish_during() -> None:
            for start in range(0, len(late), 8):
                chunk = late[start : start + 8]
                await _publish(
                    running.bootstrap,
                    running.topics.inventory,
                    [(_key(e), e.to_bytes()) for e in chunk],
                )
                await asyncio.sleep(0.05)

        stop = asyncio.Event()
        task = asyncio.create_task(worker(running.container, stop, running.topics))
        try:
            await _until(lambda: _is(running.dsn, running.topics.inventory, len(first)))
            await _until(lambda: _is(running.dsn, running.topics.compliance, len(statuses)))
            publishing = asyncio.create_task(publish_during())
            result = await rebuild(
                running.container, asyncio.Event(), topics=running.topics, drop_after=0
            )
            assert not publishing.done()  # the swap came while events were still published
            await publishing
            total = len(first) + len(late)
            await _until(lambda: _is(running.dsn, running.topics.inventory, total))
        finally:
            stop.set()
            await task
        assert result is not None
        assert result.generation == 2
        assert result.skipped == 2  # the poison and the message that is not JSON

        memory = InMemoryReadModel()
        everything = before + during
        await apply_inventory_events(memory, in_order(everything), now=NOW)
        await apply_compliance_updates(
            memory,
            [
                consumed_compliance(
                    Position(running.topics.compliance, 0, n),
                    e.event_type,
                    e.event_version,
                    e.payload,
                    e.occurred_at,
                )
                for n, e in enumerate(statuses)
            ],
            now=NOW,
        )
        ids = [b.batch_id for b in everything]
        expected = await report_snapshot(memory, now=NOW, topics=running.topics, batch_ids=ids)
        (license,) = expected["compliance"].licenses
        assert (license.linked, license.pending, license.failed) == tuple(EXPECTED.values())
        assert await _live_snapshot(running.dsn, running.topics, ids) == expected
        conn = await asyncpg.connect(running.dsn)
        try:
            live = await conn.fetchval(
                "SELECT generation FROM read_model_generation WHERE state = 'live'"
            )
            ledger = await conn.fetchval("SELECT count(*) FROM read_model_2.movement")
        finally:
            await conn.close()
        assert live == 2
        assert ledger == sum(len(e.payload["movements"]) for e in old + late)


async def _is(dsn: str, topic: str, count: int) -> bool:
    return await _applied(dsn, topic) >= count
