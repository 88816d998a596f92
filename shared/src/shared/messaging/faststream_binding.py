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

Brokers come from :func:`kafka_broker`: its producer (which publishes the dead letters) is
idempotent with ``acks=all``, so a dead letter survives a leader failover once its offset is committed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage
from faststream.message import StreamMessage
from opentelemetry.sdk.trace import TracerProvider

from shared.messaging.consumer import DeliveryBatchInboxConsumer, InboxConsumer, Outcome
from shared.service_parts import ServiceParts
from shared.settings import ServiceSettings
from shared.telemetry import kafka_telemetry_middleware

__all__ = [
    "bind_consumer",
    "broker_dead_letter_sink",
    "consumer_worker",
    "kafka_broker",
    "run_worker",
]


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
    async with broker:
        await broker.start()
        await stop.wait()


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
    consumer: InboxConsumer[Any] | DeliveryBatchInboxConsumer[Any],
    *topics: str,
    max_poll_interval_ms: int = 10 * 60 * 1000,
) -> None:
    """Subscribe ``consumer`` to ``topics`` in its consumer group, reading from the earliest
    offset: one record per call, or, for a batch consumer (:class:`DeliveryBatchInboxConsumer`,
    ``BatchInboxConsumer``), up to its
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
    if isinstance(consumer, DeliveryBatchInboxConsumer):
        batched = consumer
        options.update(
            batch=True, max_records=batched.max_batch, batch_timeout_ms=batched.max_wait_ms
        )

        async def process(records: Any) -> list[Outcome]:
            return await batched.process_batch(records)

    else:
        single = consumer

        async def process(records: Any) -> list[Outcome]:
            return [await single.process(records)]

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

    broker.subscriber(*topics, **options)(on_records)
