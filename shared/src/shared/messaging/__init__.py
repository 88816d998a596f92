"""Consuming integration events: idempotent consumers, dead letters and their re-drive."""

from shared.messaging.consumer import (
    DeadLetterSink,
    Handler,
    IdempotentConsumer,
    Outcome,
    PoisonMessageError,
    RetryPolicy,
)
from shared.messaging.faststream_binding import (
    bind_consumer,
    broker_dead_letter_sink,
    kafka_broker,
)
from shared.messaging.redrive import redrive

__all__ = [
    "DeadLetterSink",
    "Handler",
    "IdempotentConsumer",
    "Outcome",
    "PoisonMessageError",
    "RetryPolicy",
    "bind_consumer",
    "broker_dead_letter_sink",
    "kafka_broker",
    "redrive",
]
