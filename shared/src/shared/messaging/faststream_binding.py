"""Binds an inbox consumer to a FastStream Kafka broker with explicit acknowledgement.

FastStream's Kafka default (ACK_FIRST) auto-commits before processing, and an exception under
MANUAL leaves the offset to be committed by the *next* successful message (FastStream #2618), so the
binding always answers every message itself: ack after the effects committed, nack (seek back) to
retry. Nothing FastStream does before the handler may fail on a bad record, because such a failure
would skip the record silently: header values are made valid UTF-8 before FastStream's parser decodes
them, and the raw bytes reach the consumer undecoded, so a malformed message is dead-lettered.

In batch mode one poll's records (up to ``max_batch``, from any of the consumer's partitions) go
to the consumer together: the ack commits every partition's position past them, after the
batch's transaction; a nack seeks each partition back to its first record of the batch.

Traces: FastStream's middleware (``run_worker``) makes each message's CONSUMER span a child of
the span its headers name (the relay's publish span). For a batch it links only messages that
carry FastStream's own ``correlation_id`` header, which ours do not, so a batch is processed under
a ``process <topic>`` CONSUMER span of its own, linked to the publish span of each message (up to
:data:`MAX_BATCH_LINKS`), as OpenTelemetry's messaging conventions do for batches.

Each bound consumer keeps ``consumer_lag_messages{consumer, topic, partition}`` (the partition's
high watermark minus the position after the records just handled), set after every poll.

Brokers come from :func:`kafka_broker`: its producer (which publishes the dead letters) is
idempotent with ``acks=all``, so a dead letter survives a leader failover once its offset is committed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from aiokafka import TopicPartition
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage
from faststream.message import StreamMessage
from opentelemetry import propagate, trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import Link, SpanKind
from prometheus_client import Gauge

from shared.messaging.consumer import BatchInboxConsumer, InboxConsumer, Outcome
from shared.service_parts import ServiceParts
from shared.settings import ServiceSettings
from shared.telemetry import PROCESS_HEALTH, kafka_telemetry_middleware

__all__ = [
    "bind_consumer",
    "broker_dead_letter_sink",
    "consumer_worker",
    "kafka_broker",
    "run_worker",
]


LAG = Gauge(
    "consumer_lag_messages",
    "Messages of a partition after the consumer's position (high watermark - position)",
    ["consumer", "topic", "partition"],
)
_HEALTH_PART = "consumers"
MAX_BATCH_LINKS = 128
"""OpenTelemetry's default limit of links per span."""
_TRACE_HEADERS = frozenset({"traceparent", "tracestate"})
tracer = trace.get_tracer(__name__)


def kafka_broker(bootstrap_servers: str, *, middlewares: Sequence[Any] = ()) -> KafkaBroker:
    """A FastStream broker whose publishes (dead letters) are idempotent and acknowledged by all.

    Its two log lines per message ("Received", "Processed") are DEBUG, not FastStream's INFO:
    at thousands of events a second they were most of a worker's log and a share of its CPU;
    failures are logged by the consumer itself."""
    return KafkaBroker(
        bootstrap_servers,
        enable_idempotence=True,
        acks="all",
        middlewares=tuple(middlewares),
        log_level=logging.DEBUG,
    )


async def run_worker(
    bootstrap_servers: str,
    subscribe: Callable[[KafkaBroker], None],
    stop: asyncio.Event,
    *,
    tracer_provider: TracerProvider | None = None,
) -> None:
    """A worker process's body: a broker (with a consumer span per message, continuing the
    writer's trace, when ``tracer_provider`` is given), ``subscribe(broker)`` binding the
    service's consumers to it, then consume until ``stop`` is set (``python -m <service>
    worker`` sets it on SIGTERM); the broker's shutdown lets the current message finish."""
    middlewares = () if tracer_provider is None else (kafka_telemetry_middleware(tracer_provider),)
    broker = kafka_broker(bootstrap_servers, middlewares=middlewares)
    subscribe(broker)
    PROCESS_HEALTH.set(_HEALTH_PART, "starting")
    try:
        async with broker:
            await broker.start()
            PROCESS_HEALTH.set(_HEALTH_PART, "ok")
            await stop.wait()
            PROCESS_HEALTH.set(_HEALTH_PART, "stopping")
    finally:
        PROCESS_HEALTH.forget(_HEALTH_PART)


P = TypeVar("P", bound=ServiceParts)
S = TypeVar("S", bound=ServiceSettings)


def consumer_worker(
    build: Callable[[S], P], subscribe: Callable[[KafkaBroker, P], None]
) -> Callable[[S, asyncio.Event], Awaitable[None]]:
    """A service's ``worker`` command (``shared.runner.ServiceCommands(worker=...)``): build the
    service's container, bind its consumers (``subscribe(broker, container)``), consume until
    SIGTERM, close the container."""

    async def worker(settings: S, stop: asyncio.Event) -> None:
        container = build(settings)
        try:
            await run_worker(
                settings.kafka_bootstrap_servers,
                lambda broker: subscribe(broker, container),
                stop,
                tracer_provider=container.tracer_provider,
            )
        finally:
            await container.close()

    return worker


async def _raw_body(message: StreamMessage[Any]) -> Any:
    return message.body


def _utf8(value: bytes | None) -> bytes:
    if value is None:
        return b""
    try:
        value.decode()
    except UnicodeDecodeError:
        return value.decode(errors="replace").encode()
    return value


async def _lenient_parser(
    raw: Any, original: Callable[[Any], Awaitable[StreamMessage[Any]]]
) -> StreamMessage[Any]:
    # FastStream's parser decodes every header value and would raise on a bad one before the
    # handler runs; each record is fixed in place because FastStream has attached its consumer
    # to it. ``raw`` is one record, or a tuple of them in batch mode.
    for record in raw if isinstance(raw, tuple) else (raw,):
        record.headers = tuple((name, _utf8(value)) for name, value in record.headers)
    return await original(raw)


def broker_dead_letter_sink(broker: KafkaBroker) -> Any:
    async def publish(topic: str, key: bytes | None, value: bytes, headers: dict[str, str]) -> None:
        await broker.publish(value, topic=topic, key=key, headers=headers)

    return publish


def bind_consumer(
    broker: KafkaBroker,
    consumer: InboxConsumer[Any] | BatchInboxConsumer[Any],
    *topics: str,
    max_poll_interval_ms: int = 10 * 60 * 1000,
) -> None:
    """Subscribe ``consumer`` to ``topics`` in its consumer group, reading from the earliest
    offset: one record per call, or, for a :class:`BatchInboxConsumer`, up to its
    ``max_batch`` records per poll (from one or several partitions)."""
    options: dict[str, Any] = {
        "group_id": consumer.group_id,
        "ack_policy": AckPolicy.MANUAL,
        "auto_offset_reset": "earliest",
        "parser": _lenient_parser,
        "decoder": _raw_body,
        "max_poll_interval_ms": max_poll_interval_ms,
        "title": f"{consumer.name}:{','.join(topics)}",
    }
    if isinstance(consumer, BatchInboxConsumer):
        batched = consumer
        options.update(
            batch=True,
            max_records=batched.max_batch,
            batch_timeout_ms=batched.max_wait_ms,
            fetch_min_bytes=batched.fetch_min_bytes,
            fetch_max_wait_ms=batched.fetch_max_wait_ms,
        )

        async def process(records: Any) -> list[Outcome]:
            with _batch_span(batched.group_id, records):
                return await batched.process_batch(records)

    else:
        single = consumer

        async def process(records: Any) -> list[Outcome]:
            return [await single.process(records)]

    lag = _Lag(consumer.name)

    async def on_records(body: Any, msg: KafkaMessage) -> None:
        # Commit the offsets only when every record is done; otherwise seek back to them.
        try:
            outcomes = await process(msg.raw_message)
        except Exception:
            # Unexpected: leave the offsets where they are so the records come back.
            await msg.nack()
            raise
        if Outcome.RETRY in outcomes:
            await msg.nack()
        else:
            await msg.ack()
            lag.update(msg.consumer, msg.raw_message)

    broker.subscriber(*topics, **options)(on_records)


class _Lag:
    """``consumer_lag_messages`` of one consumer, per partition it has handled records of."""

    def __init__(self, consumer: str) -> None:
        self._consumer = consumer
        self._series: dict[tuple[str, int], Any] = {}

    def update(self, kafka_consumer: Any, raw: Any) -> None:
        after: dict[tuple[str, int], int] = {}
        for record in raw if isinstance(raw, tuple) else (raw,):
            after[(record.topic, record.partition)] = record.offset + 1
        highwaters = getattr(kafka_consumer, "highwater", None)  # absent from test clients
        if highwaters is None:
            return
        for (topic, partition), position in after.items():
            highwater = highwaters(TopicPartition(topic, partition))
            if highwater is None:
                continue
            series = self._series.get((topic, partition))
            if series is None:
                series = self._series[(topic, partition)] = LAG.labels(
                    self._consumer, topic, str(partition)
                )
            series.set(max(0, highwater - position))


def _batch_span(group_id: str, records: Sequence[Any]) -> Any:
    """The CONSUMER span a batch is processed under, linked to each message's publish span."""
    links: dict[int, Link] = {}
    for record in records:
        if len(links) == MAX_BATCH_LINKS:
            break
        carrier = {k: v.decode(errors="replace") for k, v in record.headers if k in _TRACE_HEADERS}
        context = trace.get_current_span(propagate.extract(carrier)).get_span_context()
        if context.is_valid:
            links.setdefault(context.span_id, Link(context))
    topics = sorted({record.topic for record in records})
    return tracer.start_as_current_span(
        f"process {','.join(topics)}",
        kind=SpanKind.CONSUMER,
        links=list(links.values()),
        attributes={
            "messaging.system": "kafka",
            "messaging.operation.type": "process",
            "messaging.destination.name": ",".join(topics),
            "messaging.consumer.group.name": group_id,
            "messaging.batch.message_count": len(records),
        },
    )
