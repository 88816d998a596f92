"""One trace from an HTTP request, through the outbox and the relay's publish span, into the
consumer's span."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from shared.database import UnitOfWork
from shared.events import EventEnvelope
from shared.messaging import kafka_broker
from shared.settings import ServiceSettings
from shared.telemetry import configure_tracing, kafka_telemetry_middleware
from shared.testing.apps import kit_app
from shared.testing.messaging import Harness, running

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


async def test_a_trace_started_at_an_http_request_continues_into_the_consumer(
    harness: Harness,
) -> None:
    spans = InMemorySpanExporter()
    provider = configure_tracing(ServiceSettings(), extra_processors=(SimpleSpanProcessor(spans),))

    app = kit_app(
        kafka=harness.bootstrap, database_check=harness.database.check, tracer_provider=provider
    )

    message_ids = []

    @app.post("/pings/{key}")
    async def ping(key: str) -> dict[str, str]:
        message = await harness.write(key, 1)
        message_ids.append(message.event_id)
        return {"event_id": str(message.event_id)}

    seen: list[trace.SpanContext] = []

    async def handler(uow: UnitOfWork, envelope: EventEnvelope) -> None:
        seen.append(trace.get_current_span().get_span_context())
        await harness.record_effect(uow, envelope)

    broker = kafka_broker(harness.bootstrap, middlewares=(kafka_telemetry_middleware(provider),))
    harness.consumer(broker, handler=handler)
    async with broker, running(harness.relay()):
        await broker.start()
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://inventory"
        ) as client:
            response = await client.post("/pings/batch-7")
        assert response.status_code == 200
        await harness.wait_for("SELECT count(*) FROM effects", 1)
        await asyncio.sleep(0.2)

    finished = spans.get_finished_spans()
    server_span = next(s for s in finished if s.kind is trace.SpanKind.SERVER)
    publish_span = next(s for s in finished if s.kind is trace.SpanKind.PRODUCER)
    batch_span = next(s for s in finished if s.name == "outbox publish")
    consumer_span = next(s for s in finished if s.kind is trace.SpanKind.CONSUMER)
    assert seen, "the handler ran"
    assert seen[0].trace_id == server_span.context.trace_id
    # request -> publish (the relay's span for this message) -> consumer, one trace.
    assert publish_span.context.trace_id == server_span.context.trace_id
    assert publish_span.parent is not None
    assert publish_span.parent.span_id == server_span.context.span_id
    assert publish_span.name == f"publish {harness.topic.name}"
    assert consumer_span.context.trace_id == server_span.context.trace_id
    assert consumer_span.parent is not None
    assert consumer_span.parent.span_id == publish_span.context.span_id
    # The batch's own span, in the relay's trace, is linked from each message's span.
    assert [link.context.span_id for link in publish_span.links] == [batch_span.context.span_id]
    assert publish_span.attributes is not None
    assert publish_span.attributes["messaging.destination.name"] == harness.topic.name
    assert publish_span.attributes["messaging.message.id"] == str(message_ids[0])
