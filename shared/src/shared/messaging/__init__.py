"""Consuming integration events: inbox consumers, dead letters and their re-drive."""

from shared.messaging.consumer import (
    BatchHandler,
    BatchInboxConsumer,
    DeadLetterSink,
    Delivery,
    Handler,
    InboxConsumer,
    Outcome,
)
from shared.messaging.failures import PoisonMessageError, RetryPolicy, is_transient
from shared.messaging.faststream_binding import (
    bind_consumer,
    broker_dead_letter_sink,
    consumer_worker,
    kafka_broker,
    run_worker,
)
from shared.messaging.redrive import redrive

__all__ = [
    "BatchHandler",
    "BatchInboxConsumer",
    "DeadLetterSink",
    "Delivery",
    "Handler",
    "InboxConsumer",
    "Outcome",
    "PoisonMessageError",
    "RetryPolicy",
    "bind_consumer",
    "broker_dead_letter_sink",
    "consumer_worker",
    "is_transient",
    "kafka_broker",
    "redrive",
    "run_worker",
]
