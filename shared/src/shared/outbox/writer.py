"""The outbox writer: events join the caller's database transaction, so state and events commit together."""

from __future__ import annotations

from collections.abc import Iterable

from opentelemetry import propagate
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.events.envelope import EventEnvelope
from shared.events.registry import lookup
from shared.outbox.schema import outbox_table

__all__ = ["enqueue", "kafka_headers_for"]


def kafka_headers_for(envelope: EventEnvelope) -> dict[str, str]:
    """Headers the relay sends with the message; the trace context is captured at write time."""
    headers = {
        "event-id": str(envelope.event_id),
        "event-type": envelope.event_type,
        "event-version": str(envelope.event_version),
        "content-type": "application/json",
    }
    if envelope.correlation_id:
        headers["correlation-id"] = envelope.correlation_id
    # The consumer's span continues the trace of the request that caused the event.
    propagate.inject(headers)
    return headers


async def enqueue(
    session: AsyncSession, envelopes: EventEnvelope | Iterable[EventEnvelope]
) -> None:
    """Add events to the outbox inside ``session``'s transaction; the caller commits.

    The topic comes from the event type's registration; the message key is the aggregate id,
    which keeps the events of one aggregate in order on one partition.
    """
    batch = [envelopes] if isinstance(envelopes, EventEnvelope) else list(envelopes)
    if not batch:
        return
    rows = [
        {
            "event_id": envelope.event_id,
            "topic": lookup(envelope.event_type, envelope.event_version).topic.name,
            "message_key": envelope.aggregate_id,
            "payload": envelope.model_dump(mode="json"),
            "headers": kafka_headers_for(envelope),
        }
        for envelope in batch
    ]
    await session.execute(insert(outbox_table), rows)
