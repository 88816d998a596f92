"""Test support for messaging: a database with the outbox and inbox, a test event type on its own
topic, a relay and an inbox consumer that records its effects, and helpers to run them.

Everything here is built from ``shared`` alone (pool, unit of work, outbox writer, relay, inbox
consumer), exactly as a service wires it.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer
from faststream.kafka import KafkaBroker
from pydantic import BaseModel

from shared.database import Connection, Database, UnitOfWork, in_transaction
from shared.events import EventEnvelope, Topic, event_type
from shared.messaging import (
    BatchInboxConsumer,
    Delivery,
    InboxConsumer,
    RetryPolicy,
    bind_consumer,
    broker_dead_letter_sink,
)
from shared.outbox import MESSAGING_DDL, OutboxMessage, OutboxRelay, RelayConfig, outbox_message
from shared.outbox import write_outbox as write_messages

__all__ = [
    "EFFECTS_DDL",
    "Harness",
    "PingBase",
    "assert_order_per_key",
    "envelopes_of",
    "make_harness",
    "messages_on",
    "record_effects",
    "running",
    "wait_until",
]

EFFECTS_DDL = (
    "CREATE TABLE effects (applied bigserial PRIMARY KEY, event_id uuid NOT NULL,"
    " key text NOT NULL, seq int NOT NULL)"
)


class PingBase(BaseModel):
    key: str
    seq: int


async def record_effects(conn: Connection, envelopes: Sequence[EventEnvelope]) -> None:
    """The test consumers' effect: one ``effects`` row per event, in order."""
    await conn.execute(
        "INSERT INTO effects (event_id, key, seq)"
        " SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[])",
        [e.event_id for e in envelopes],
        [e.payload["key"] for e in envelopes],
        [e.payload["seq"] for e in envelopes],
    )


@dataclass
class Harness:
    database: Database
    database_url: str
    topic: Topic
    ping: type[PingBase]
    bootstrap: str

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.database)

    def message(self, key: str, seq: int) -> OutboxMessage:
        return outbox_message(self.ping(key=key, seq=seq), producer="tests", aggregate_id=key)

    async def write(self, key: str, seq: int) -> OutboxMessage:
        return (await self.write_messages([self.message(key, seq)]))[0]

    async def write_many(self, events: list[tuple[str, int]]) -> None:
        await self.write_messages([self.message(k, s) for k, s in events])

    async def write_messages(self, messages: Sequence[OutboxMessage]) -> Sequence[OutboxMessage]:
        async def work(uow: UnitOfWork) -> None:
            await write_messages(uow.conn, messages)

        await in_transaction(self.unit_of_work, work)
        return messages

    async def scalar(self, sql: str) -> Any:
        async with self.database.connection() as conn:
            return await conn.fetchval(sql)

    async def wait_for(self, sql: str, expected: Any, timeout: float = 60.0) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        value = None
        while loop.time() < deadline:
            value = await self.scalar(sql)
            if value == expected:
                return
            await asyncio.sleep(0.1)
        raise AssertionError(f"{sql!r} gave {value!r}, expected {expected!r} within {timeout}s")

    def relay(self, **overrides: Any) -> OutboxRelay:
        settings: dict[str, Any] = {
            "poll_interval": 0.2,
            "lock_retry_interval": 0.2,
            "error_backoff": 0.2,
            **overrides,
        }
        config = RelayConfig(
            name="test",
            database_url=self.database_url,
            bootstrap_servers=self.bootstrap,
            **settings,
        )
        return OutboxRelay(config)

    async def record_effect(self, uow: UnitOfWork, envelope: EventEnvelope) -> None:
        await record_effects(uow.conn, [envelope])

    async def record_batch(self, uow: UnitOfWork, envelopes: Sequence[EventEnvelope]) -> None:
        await record_effects(uow.conn, envelopes)

    def consumer(
        self,
        broker: KafkaBroker,
        *,
        handler: Callable[[UnitOfWork, Any], Awaitable[None]] | None = None,
        max_batch: int = 1,
        group_id: str | None = None,
        policy: RetryPolicy | None = None,
    ) -> InboxConsumer[UnitOfWork] | BatchInboxConsumer[UnitOfWork]:
        """The test's consumer of its topic, bound to ``broker``: one event per transaction,
        or up to ``max_batch`` (the handler then takes a list of envelopes)."""
        common: dict[str, Any] = {
            "name": "effects",
            "group_id": group_id or f"tests-{uuid.uuid4().hex[:8]}",
            "unit_of_work": self.unit_of_work,
            "dead_letters": broker_dead_letter_sink(broker),
            "policy": policy or RetryPolicy(max_attempts=3, backoff_initial=0.01, backoff_max=0.05),
        }
        consumer: InboxConsumer[UnitOfWork] | BatchInboxConsumer[UnitOfWork]
        if max_batch > 1:
            batch_handler = envelopes_of(handler or self.record_batch)
            consumer = BatchInboxConsumer(handler=batch_handler, max_batch=max_batch, **common)
        else:
            consumer = InboxConsumer(handler=handler or self.record_effect, **common)
        bind_consumer(broker, consumer, self.topic.name)
        return consumer


def envelopes_of(
    handler: Callable[[UnitOfWork, list[EventEnvelope]], Awaitable[None]],
) -> Callable[[UnitOfWork, Sequence[Delivery]], Awaitable[None]]:
    """A batch handler for a test that looks only at the envelopes, not where they were read."""

    async def on_deliveries(uow: UnitOfWork, deliveries: Sequence[Delivery]) -> None:
        await handler(uow, [d.envelope for d in deliveries])

    return on_deliveries


async def make_harness(database_url: str, bootstrap: str, topic: Topic) -> Harness:
    database = Database(database_url, name="tests", max_size=10)
    async with database.connection() as conn:
        for statement in (*MESSAGING_DDL, EFFECTS_DDL):
            await conn.execute(statement)
    ping: type[PingBase] = event_type(f"tests.{topic.name}", version=1, topic=topic)(
        type("Ping", (PingBase,), {})
    )
    return Harness(
        database=database, database_url=database_url, topic=topic, ping=ping, bootstrap=bootstrap
    )


async def wait_until(
    probe: Callable[[], Awaitable[bool]], *, timeout: float = 60.0, what: str = "condition"
) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if await probe():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{what} not reached within {timeout}s")


@contextlib.asynccontextmanager
async def running(relay: OutboxRelay) -> AsyncIterator[asyncio.Task[None]]:
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        yield task
    finally:
        stop.set()
        with contextlib.suppress(BaseException):
            await asyncio.wait_for(task, timeout=30)


async def assert_order_per_key(harness: Harness) -> None:
    """Effects of one key were applied in the order their events were written."""
    async with harness.database.connection() as conn:
        rows = await conn.fetch("SELECT key, seq FROM effects ORDER BY applied")
    last: dict[str, int] = {}
    for row in rows:
        key, seq = str(row["key"]), int(row["seq"])
        assert seq > last.get(key, -1), f"{key}: seq {seq} applied after {last[key]}"
        last[key] = seq


async def messages_on(bootstrap: str, topic: str) -> list[tuple[bytes, dict[str, str]]]:
    """Every message on ``topic`` now (value and headers), read without a consumer group."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", group_id=None
    )
    await consumer.start()
    try:
        found = []
        while batch := await consumer.getmany(timeout_ms=1500):
            for records in batch.values():
                found += [(r.value, {k: v.decode() for k, v in r.headers}) for r in records]
        return found
    finally:
        await consumer.stop()
