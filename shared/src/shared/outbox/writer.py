"""The outbox writer: events join the caller's database transaction, so state and events commit together."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from opentelemetry import propagate
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.events.envelope import EventEnvelope
from shared.events.registry import lookup
from shared.outbox.schema import outbox_table

__all__ = ["enqueue", "enqueue_asyncpg", "kafka_headers_for", "outbox_columns"]


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


_INSERT_RAW = """
    INSERT INTO outbox (event_id, topic, message_key, payload, headers)
    SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[], $5::jsonb[])
"""


def outbox_columns(envelopes: Iterable[EventEnvelope]) -> tuple[list[Any], ...]:
    """The outbox rows of ``envelopes`` as five column arrays (event_id, topic, message_key,
    payload JSON text, headers JSON text), for ``unnest``-based inserts: the same rows
    :func:`enqueue` writes, for callers that put the insert into a statement of their own."""
    batch = list(envelopes)
    return (
        [envelope.event_id for envelope in batch],
        [lookup(envelope.event_type, envelope.event_version).topic.name for envelope in batch],
        [envelope.aggregate_id for envelope in batch],
        [envelope.model_dump_json() for envelope in batch],
        [json.dumps(kafka_headers_for(envelope)) for envelope in batch],
    )


async def enqueue_asyncpg(connection: Any, envelopes: Iterable[EventEnvelope]) -> None:
    """:func:`enqueue` for callers holding a raw asyncpg connection inside a transaction (one
    statement for all events; the same rows, topic, key and headers as :func:`enqueue`).

    ``connection`` is an ``asyncpg.Connection`` (typed loosely: asyncpg ships no type stubs).
    """
    columns = outbox_columns(envelopes)
    if not columns[0]:
        return
    await connection.execute(_INSERT_RAW, *columns)
