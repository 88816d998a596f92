"""The outbox writer's rows: the envelope encoded once, exactly as the envelope model writes it;
the topic and key from the registration and the aggregate; the trace context in the headers."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from pydantic import BaseModel
from shared.contracts.types import DecimalString, UtcDateTime
from shared.events import Actor, EventEnvelope, Topic, event_type
from shared.outbox import outbox_message
from shared.outbox.writer import ENVELOPE_FIELDS

TOPIC = Topic(
    name="tests.writer",
    partitions=1,
    retention_ms=3_600_000,
    owner="tests",
    key="thing",
    description="outbox writer tests",
)


@event_type("tests.writer.sample", version=2, topic=TOPIC)
class Sample(BaseModel):
    name: str
    quantity: DecimalString
    at: UtcDateTime
    tags: list[str]


SAMPLE = Sample(
    name='Blue \u00e9 "dream"',
    quantity=Decimal("12.5000"),
    at=datetime(2026, 3, 2, 9, 30, 0, 5, tzinfo=timezone(timedelta(hours=-7))),
    tags=["a", "b"],
)
FULL = {
    "producer": "tests",
    "aggregate_id": "thing-1",
    "aggregate_version": 7,
    "site_id": "site-9",
    "actor": Actor(id="u-1", kind="api_key", display_name="Key"),
    "correlation_id": "req-42",
    "causation_id": uuid.uuid4(),
    "occurred_at": datetime(2026, 3, 2, 16, 30, tzinfo=UTC),
}


def test_the_envelope_is_exactly_what_the_envelope_model_writes() -> None:
    for options in (FULL, {"producer": "tests", "aggregate_id": "thing-1"}):
        message = outbox_message(SAMPLE, **options)  # type: ignore[arg-type]
        model = EventEnvelope.model_validate_json(message.envelope)
        assert message.envelope == model.model_dump_json()
        assert model.event_id == message.event_id
        assert (model.event_type, model.event_version) == ("tests.writer.sample", 2)
        assert Sample.model_validate(model.payload) == SAMPLE


def test_the_envelope_fields_follow_the_model_not_a_copy_of_it() -> None:
    message = outbox_message(SAMPLE, **FULL)  # type: ignore[arg-type]
    assert (
        tuple(json.loads(message.envelope)) == ENVELOPE_FIELDS == tuple(EventEnvelope.model_fields)
    )


def test_a_payload_in_its_json_form_gives_the_same_envelope_as_the_model() -> None:
    from_model = outbox_message(SAMPLE, **FULL)  # type: ignore[arg-type]
    from_json = outbox_message(SAMPLE.model_dump(mode="json"), event=Sample, **FULL)  # type: ignore[arg-type]
    assert json.loads(from_json.envelope) | {"event_id": None} == json.loads(
        from_model.envelope
    ) | {"event_id": None}


def test_a_payload_in_its_json_form_must_name_its_model() -> None:
    with pytest.raises(TypeError, match="event="):
        outbox_message({"name": "x"}, producer="tests", aggregate_id="a")


def test_the_topic_comes_from_the_registration_and_the_key_is_the_aggregate() -> None:
    message = outbox_message(SAMPLE, **FULL)  # type: ignore[arg-type]
    assert (message.topic, message.key, message.event_type) == (
        "tests.writer",
        "thing-1",
        "tests.writer.sample",
    )


def test_the_headers_name_the_event_and_carry_the_writers_trace() -> None:
    tracer = TracerProvider().get_tracer("tests")
    with tracer.start_as_current_span("request") as span:
        message = outbox_message(SAMPLE, **FULL)  # type: ignore[arg-type]
    headers = json.loads(message.headers)
    assert headers["event-id"] == str(message.event_id)
    assert headers["event-type"] == "tests.writer.sample"
    assert headers["event-version"] == "2"
    assert headers["correlation-id"] == "req-42"
    trace_id = format(span.get_span_context().trace_id, "032x")
    assert headers["traceparent"].split("-")[1] == trace_id
    assert trace.get_current_span() is trace.INVALID_SPAN
