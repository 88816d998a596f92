"""Test support for messaging: a database with the outbox and inbox, a test event type on its own
topic, a relay and an idempotent consumer that records its effects, and helpers to run them."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from faststream.kafka import KafkaBroker
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from shared.events import EventEnvelope, Topic, event_type, new_event
from shared.messaging import IdempotentConsumer, RetryPolicy, bind_consumer, broker_dead_letter_sink
from shared.outbox import MESSAGING_DDL, OutboxRelay, RelayConfig, enqueue

__all__ = ["Harness", "PingBase", "assert_order_per_key", "make_harness", "running", "wait_until"]


class PingBase(BaseModel):
    key: str
    seq: int


@dataclass
class Harness:
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    database_url: str
    topic: Topic
    ping: type[PingBase]
    bootstrap: str

    async def write(self, key: str, seq: int) -> EventEnvelope:
        envelope = new_event(self.ping(key=key, seq=seq), producer="tests", aggregate_id=key)
        async with self.sessions() as session, session.begin():
            await enqueue(session, envelope)
        return envelope

    async def write_many(self, events: list[tuple[str, int]]) -> None:
        async with self.sessions() as session, session.begin():
            await enqueue(
                session,
                [
                    new_event(self.ping(key=k, seq=s), producer="tests", aggregate_id=k)
                    for k, s in events
                ],
            )

    async def scalar(self, sql: str) -> Any:
        async with self.engine.connect() as conn:
            return (await conn.execute(text(sql))).scalar()

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

    async def record_effect(self, session: AsyncSession, envelope: EventEnvelope) -> None:
        await session.execute(
            text("INSERT INTO effects (event_id, key, seq) VALUES (:id, :key, :seq)"),
            {
                "id": envelope.event_id,
                "key": envelope.payload["key"],
                "seq": envelope.payload["seq"],
            },
        )

    def consumer(
        self,
        broker: KafkaBroker,
        *,
        handler: Callable[[AsyncSession, EventEnvelope], Awaitable[None]] | None = None,
        group_id: str | None = None,
        policy: RetryPolicy | None = None,
    ) -> IdempotentConsumer:
        consumer = IdempotentConsumer(
            name="effects",
            group_id=group_id or f"tests-{uuid.uuid4().hex[:8]}",
            session_factory=self.sessions,
            handler=handler or self.record_effect,
            dead_letters=broker_dead_letter_sink(broker),
            policy=policy or RetryPolicy(max_attempts=3, backoff_initial=0.01, backoff_max=0.05),
        )
        bind_consumer(broker, consumer, self.topic.name)
        return consumer


async def make_harness(database_url: str, bootstrap: str, topic: Topic) -> Harness:
    engine = create_async_engine(database_url, pool_size=10, hide_parameters=True)
    async with engine.begin() as conn:
        for statement in MESSAGING_DDL:
            await conn.execute(text(statement))
        await conn.execute(
            text(
                "CREATE TABLE effects (applied bigserial PRIMARY KEY, event_id uuid NOT NULL,"
                " key text NOT NULL, seq int NOT NULL)"
            )
        )
    ping: type[PingBase] = event_type(f"tests.{topic.name}", version=1, topic=topic)(
        type("Ping", (PingBase,), {})
    )
    return Harness(
        engine=engine,
        sessions=async_sessionmaker(engine, expire_on_commit=False),
        database_url=database_url,
        topic=topic,
        ping=ping,
        bootstrap=bootstrap,
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
    async with harness.engine.connect() as conn:
        rows = (await conn.execute(text("SELECT key, seq FROM effects ORDER BY applied"))).all()
    last: dict[str, int] = {}
    for row in rows:
        key, seq = str(row[0]), int(row[1])
        assert seq > last.get(key, -1), f"{key}: seq {seq} applied after {last[key]}"
        last[key] = seq
