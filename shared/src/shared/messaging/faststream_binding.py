"""Binds :class:`IdempotentConsumer` to a FastStream Kafka broker with explicit acknowledgement.

FastStream's Kafka default (ACK_FIRST) auto-commits before processing, and an exception under
MANUAL leaves the offset to be committed by the *next* successful message (FastStream #2618), so the
binding always answers every message itself: ack after the effects committed, nack (seek back) to
retry. The raw bytes reach the consumer untouched so that a malformed message is dead-lettered
rather than dropped by a decoder.
"""

from __future__ import annotations

from typing import Any

from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage
from faststream.message import StreamMessage

from shared.messaging.consumer import IdempotentConsumer, Outcome

__all__ = ["bind_consumer", "broker_dead_letter_sink"]


async def _raw_body(message: StreamMessage[Any]) -> Any:
    return message.body


def broker_dead_letter_sink(broker: KafkaBroker) -> Any:
    async def publish(topic: str, key: bytes | None, value: bytes, headers: dict[str, str]) -> None:
        await broker.publish(value, topic=topic, key=key, headers=headers)

    return publish


def bind_consumer(
    broker: KafkaBroker,
    consumer: IdempotentConsumer,
    *topics: str,
    max_poll_interval_ms: int = 10 * 60 * 1000,
) -> None:
    """Subscribe ``consumer`` to ``topics`` in its consumer group, reading from the earliest offset."""

    @broker.subscriber(
        *topics,
        group_id=consumer.group_id,
        ack_policy=AckPolicy.MANUAL,
        auto_offset_reset="earliest",
        decoder=_raw_body,
        max_poll_interval_ms=max_poll_interval_ms,
        title=f"{consumer.name}:{','.join(topics)}",
    )
    async def on_message(body: Any, msg: KafkaMessage) -> None:
        try:
            outcome = await consumer.process(msg.raw_message)  # type: ignore[arg-type]
        except Exception:
            # The dead-letter publish itself failed (e.g. the broker is away): try again later.
            await msg.nack()
            raise
        if outcome is Outcome.RETRY:
            await msg.nack()
        else:
            await msg.ack()
