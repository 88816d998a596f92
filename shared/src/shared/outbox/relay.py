"""The outbox relay: publishes committed outbox rows to Kafka, in id order, and marks them sent.

Guarantees and why they hold:

* Nothing lost: a row is marked published only after Kafka acknowledged it (idempotent producer,
  acks=all). A crash between the two re-sends the row; consumers dedupe by event id (inbox).
* Per-aggregate order: rows are sent in id order by a single active relay per database (a
  session-level advisory lock held on the same connection that reads the rows, so losing the
  connection loses the lock and the reads together). Writers of one aggregate are serialized by a
  row lock on the aggregate, so id order equals commit order for one key.
* Latency: the relay LISTENs for the NOTIFY that the insert trigger sends at commit, and polls
  anyway because notifications are not delivered while the relay is disconnected.
* Traces: each message is sent under a PRODUCER span ``publish <topic>`` in the trace its row
  carries (the request that wrote it), linked to the batch's ``outbox publish`` span, and its
  ``traceparent`` header names that span, so the consumer's span is its child: the trace leads
  from the request through SQL to the publish and on to each consumer (OpenTelemetry's messaging
  conventions for a batch publish: a span per message, linked to the batch's span).
* Metrics: ``outbox_published_total``, ``outbox_publish_failures_total``, ``outbox_batch_size``,
  ``outbox_publish_latency_seconds`` (from the row's write to Kafka's acknowledgement),
  ``outbox_unpublished_rows`` and ``outbox_oldest_unpublished_age_seconds`` (the backlog,
  refreshed every ``housekeeping_interval``), ``outbox_relay_leader``; every series has a sample
  from the start, so a relay that has published nothing yet says 0. Its health
  (``shared.telemetry.PROCESS_HEALTH``, part ``relay``) is ``ok`` while it publishes or stands
  by, and names the error while it keeps failing.
* A row Kafka refuses (a topic missing on the broker, a record over the size limit) stops the
  relay at that row, in order: the rows acknowledged before it are marked and never re-sent, the
  failure is retried with growing backoff, and the backlog-age gauge (refreshed on a timer that
  failures don't reset) tells the operator that the outbox is stuck.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer
from opentelemetry import propagate, trace
from opentelemetry.trace import Link, SpanKind, Status, StatusCode
from prometheus_client import Counter, Gauge, Histogram

from shared.database import asyncpg_dsn
from shared.outbox.schema import NOTIFY_CHANNEL
from shared.telemetry import PROCESS_HEALTH

__all__ = ["OutboxRelay", "RelayConfig"]

log = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)

PUBLISHED = Counter("outbox_published_total", "Outbox rows published to Kafka", ["relay"])
FAILURES = Counter("outbox_publish_failures_total", "Failed publish attempts", ["relay"])
BATCH_SIZE = Histogram(
    "outbox_batch_size", "Rows per published batch", ["relay"], buckets=(1, 10, 50, 100, 500, 1000)
)
BACKLOG_AGE = Gauge(
    "outbox_oldest_unpublished_age_seconds", "Age of the oldest unpublished row", ["relay"]
)
BACKLOG_ROWS = Gauge("outbox_unpublished_rows", "Outbox rows not yet published", ["relay"])
LATENCY = Histogram(
    "outbox_publish_latency_seconds",
    "From a row's write to Kafka's acknowledgement of its message",
    ["relay"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0),
)
IS_LEADER = Gauge("outbox_relay_leader", "1 while this relay holds the advisory lock", ["relay"])

# Arbitrary but fixed: every relay of one database contends for the same lock.
RELAY_LOCK_KEY = 0x0B07B0C5

# age: how long ago the row was written, by the database's clock (the relay's may differ).
_FETCH = """
    SELECT id, topic, message_key, payload::text AS payload, headers::text AS headers,
           extract(epoch FROM clock_timestamp() - created_at)::float8 AS age
    FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1
"""
_MARK = "UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])"
_PURGE_CHUNK = 5000
_PURGE = """
    DELETE FROM outbox WHERE id IN (
        SELECT id FROM outbox WHERE published_at < now() - $1::interval LIMIT $2)
"""
_BACKLOG = """
    SELECT count(*) AS rows, extract(epoch FROM now() - min(created_at))::float8 AS age
    FROM outbox WHERE published_at IS NULL
"""


@dataclass(frozen=True, slots=True)
class RelayConfig:
    name: str
    database_url: str
    bootstrap_servers: str
    batch_size: int = 1000
    poll_interval: float = 1.0
    lock_retry_interval: float = 2.0
    error_backoff: float = 1.0
    max_error_backoff: float = 30.0
    purge_after: timedelta = timedelta(days=1)
    housekeeping_interval: float = 5.0
    # How long one Kafka request may take before the client retries it (idempotence keeps the
    # retries from duplicating); a batch waits for the broker as long as the broker is away.
    delivery_timeout_ms: int = 30_000


class OutboxRelay:
    """Run with :meth:`run`; stop by cancelling the task or setting the ``stop`` event."""

    def __init__(self, config: RelayConfig) -> None:
        self._config = config
        self._wakeup = asyncio.Event()
        self._next_housekeeping = 0.0
        self.published = 0
        name = config.name
        # Every series exists from the start, at 0, so a scrape finds it before any publish.
        self._published = PUBLISHED.labels(name)
        self._failures = FAILURES.labels(name)
        self._batch_size = BATCH_SIZE.labels(name)
        self._latency = LATENCY.labels(name)
        self._backlog_age = BACKLOG_AGE.labels(name)
        self._backlog_rows = BACKLOG_ROWS.labels(name)
        self._is_leader = IS_LEADER.labels(name)
        self._health_part = f"relay {name}"

    async def run(self, stop: asyncio.Event | None = None) -> None:
        PROCESS_HEALTH.set(self._health_part, "starting")
        try:
            await self._run(stop or asyncio.Event())
        finally:
            PROCESS_HEALTH.forget(self._health_part)

    async def _run(self, stop: asyncio.Event) -> None:
        failures = 0
        while not stop.is_set():
            published_before = self.published
            try:
                await self._lead(stop)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                failures = 0 if self.published > published_before else failures + 1
                self._failures.inc()
                PROCESS_HEALTH.set(self._health_part, f"failing: {type(error).__name__}")
                log.exception("outbox relay %s failed; restarting", self._config.name)
                backoff = min(
                    self._config.max_error_backoff,
                    self._config.error_backoff * 2 ** max(0, failures - 1),
                )
                await _sleep_or_stop(stop, backoff)

    async def _lead(self, stop: asyncio.Event) -> None:
        conn: asyncpg.Connection = await asyncpg.connect(
            asyncpg_dsn(self._config.database_url),
            command_timeout=60,
            # A half-open connection would hold the advisory lock, and block every standby, for as
            # long as the server's default keepalive (hours); these bring it down to ~25 s.
            server_settings={
                "tcp_keepalives_idle": "10",
                "tcp_keepalives_interval": "5",
                "tcp_keepalives_count": "3",
            },
        )
        try:
            while not await conn.fetchval("SELECT pg_try_advisory_lock($1)", RELAY_LOCK_KEY):
                PROCESS_HEALTH.set(self._health_part, "ok")  # a standby, ready to take over
                if await _sleep_or_stop(stop, self._config.lock_retry_interval):
                    return
            self._is_leader.set(1)
            log.info("outbox relay %s is the active relay", self._config.name)
            await conn.add_listener(NOTIFY_CHANNEL, self._on_notify)
            producer = self._producer()
            await producer.start()
            try:
                await self._pump(conn, producer, stop)
            finally:
                await producer.stop()
        finally:
            self._is_leader.set(0)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.close(), timeout=5)

    def _producer(self) -> AIOKafkaProducer:
        return AIOKafkaProducer(
            bootstrap_servers=self._config.bootstrap_servers,
            client_id=f"outbox-relay-{self._config.name}",
            enable_idempotence=True,
            acks="all",
            linger_ms=2,
            max_batch_size=512 * 1024,
            request_timeout_ms=self._config.delivery_timeout_ms,
        )

    def _on_notify(self, *_: object) -> None:
        self._wakeup.set()

    async def _pump(
        self, conn: asyncpg.Connection, producer: AIOKafkaProducer, stop: asyncio.Event
    ) -> None:
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            self._wakeup.clear()
            # Before publishing, so that the gauge keeps moving while publishing keeps failing.
            if loop.time() >= self._next_housekeeping:
                await self._housekeeping(conn)
                self._next_housekeeping = loop.time() + self._config.housekeeping_interval
            sent = await self.publish_batch(conn, producer)
            PROCESS_HEALTH.set(self._health_part, "ok")
            if sent < self._config.batch_size:
                await _wait_any(self._wakeup, stop, self._config.poll_interval)

    async def _housekeeping(self, conn: asyncpg.Connection) -> None:
        backlog = await conn.fetchrow(_BACKLOG)
        self._backlog_rows.set(backlog["rows"])
        self._backlog_age.set(backlog["age"] or 0.0)
        # Chunked so no single delete holds locks long; repeated so purging keeps up with publishing.
        for _ in range(100):
            deleted = await conn.execute(_PURGE, self._config.purge_after, _PURGE_CHUNK)
            if int(deleted.rsplit(" ", 1)[-1]) < _PURGE_CHUNK:
                break

    async def publish_batch(self, conn: asyncpg.Connection, producer: AIOKafkaProducer) -> int:
        """Send one batch and mark what Kafka acknowledged; returns how many rows were published.

        Acknowledgements are taken in id order and the acknowledged prefix is marked even when a
        later row fails, so a row Kafka refuses never causes the rows before it to be sent again.
        """
        loop = asyncio.get_running_loop()
        rows = await conn.fetch(_FETCH, self._config.batch_size)
        fetched = loop.time()
        if not rows:
            return 0
        acknowledged: list[int] = []
        failure: BaseException | None = None
        with tracer.start_as_current_span(
            "outbox publish", attributes={"outbox.batch_size": len(rows)}
        ) as batch:
            batch_link = (Link(batch.get_span_context()),)
            pending: list[tuple[Any, trace.Span]] = []
            try:
                for row in rows:
                    headers = json.loads(row["headers"])
                    span = _message_span(row, headers, batch_link)
                    pending.append((None, span))
                    delivery = await producer.send(
                        row["topic"],
                        value=row["payload"].encode(),
                        key=row["message_key"].encode(),
                        headers=[(k, v.encode()) for k, v in headers.items()],
                    )
                    # Kept one by one: a failed send must not lose the deliveries before it.
                    pending[-1] = (delivery, span)
            except Exception as error:
                failure = error
            for row, (delivery, span) in zip(rows, pending, strict=False):
                try:
                    if failure is not None and delivery is None:
                        raise failure
                    await delivery
                except Exception as error:
                    failure = failure or error
                    _failed(span, error)
                    break
                span.end()
                acknowledged.append(row["id"])
                self._latency.observe(row["age"] + (loop.time() - fetched))
            for _, span in pending[len(acknowledged) + 1 :]:
                span.end()  # never known to be delivered: the row is sent again
            if acknowledged:
                await self._mark_published(conn, acknowledged)
        self._published.inc(len(acknowledged))
        self._batch_size.observe(len(acknowledged))
        self.published += len(acknowledged)
        if failure is not None:
            raise failure
        return len(acknowledged)

    async def _mark_published(self, conn: asyncpg.Connection, ids: list[int]) -> None:
        await conn.execute(_MARK, ids)


def _message_span(row: Any, headers: dict[str, str], batch: tuple[Link, ...]) -> trace.Span:
    """The message's PRODUCER span, in the trace of the request that wrote the row; the
    message's ``traceparent`` is rewritten to name it, so the consumer's span is its child."""
    span = tracer.start_span(
        f"publish {row['topic']}",
        context=propagate.extract(headers),
        kind=SpanKind.PRODUCER,
        links=batch,
        attributes={
            "messaging.system": "kafka",
            "messaging.operation.type": "send",
            "messaging.destination.name": row["topic"],
            "messaging.message.id": headers.get("event-id", ""),
            "messaging.kafka.message.key": row["message_key"],
        },
    )
    propagate.inject(headers, context=trace.set_span_in_context(span))
    return span


def _failed(span: trace.Span, error: BaseException) -> None:
    span.set_status(Status(StatusCode.ERROR, type(error).__name__))
    span.add_event("exception", {"exception.type": type(error).__name__})
    span.end()


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> bool:
    """Sleep, waking early on stop; returns True if stopping."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    return stop.is_set()


async def _wait_any(wakeup: asyncio.Event, stop: asyncio.Event, timeout: float) -> None:
    waiters = [asyncio.create_task(wakeup.wait()), asyncio.create_task(stop.wait())]
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
