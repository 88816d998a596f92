"""Each Metrc call of the push joins the trace of the inventory change that caused it: the
submission carries where it was recorded (a W3C traceparent), and the push's span is that
span's child, or, for a request of objects from several traces, linked to each. Spans carry the
license, never a key. The service layer on the in-memory unit of work and FakeMetrc, spans in
OpenTelemetry's in-memory exporter."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from uuid import uuid4

import pytest
from compliance.adapters.push_telemetry import OtelPushTelemetry, current_trace_parent
from compliance.domain import OpeningBalance, ProblemCode, SubmissionState
from compliance.service_layer import PushBatch, RetryFailed, record_batch_change
from compliance.testing import LICENSE, USER_KEY, VENDOR_KEY, BatchScript, ComplianceHarness
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Span, SpanKind
from opentelemetry.trace.span import SpanContext


@pytest.fixture
def spans() -> Iterator[tuple[TracerProvider, InMemorySpanExporter]]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield provider, exporter
    provider.shutdown()


async def recorded_under_a_span(
    h: ComplianceHarness, provider: TracerProvider, b: BatchScript
) -> Span:
    """Record the batch's intake inside a consumer span, as the worker's consumer does."""
    tracer = provider.get_tracer("test")
    with tracer.start_as_current_span("process", kind=SpanKind.CONSUMER) as consumer:
        async with h.db.uow() as uow:
            await record_batch_change(
                uow, b.created("10"), now=h.clock.now(), trace_parent=current_trace_parent()
            )
            await uow.commit()
    return consumer


def harness(provider: TracerProvider) -> ComplianceHarness:
    h = ComplianceHarness()
    h.ctx.telemetry = OtelPushTelemetry(provider)
    return h


def intake(h: ComplianceHarness) -> BatchScript:
    return h.batch(f"B-{uuid4().hex[:6]}", source=OpeningBalance(), tag=h.tags.pop(0))


class TestTheTraceContinues:
    async def test_a_submission_carries_the_span_it_was_recorded_under(
        self, spans: tuple[TracerProvider, InMemorySpanExporter]
    ) -> None:
        provider, _ = spans
        h = harness(provider)
        consumer = await recorded_under_a_span(h, provider, intake(h))
        (s,) = h.db.submissions.values()
        assert s.trace_parent is not None
        assert s.trace_parent.split("-")[1] == f"{consumer.get_span_context().trace_id:032x}"
        assert s.trace_parent.split("-")[2] == f"{consumer.get_span_context().span_id:016x}"

    async def test_a_request_from_one_change_is_a_child_of_the_span_that_recorded_it(
        self, spans: tuple[TracerProvider, InMemorySpanExporter]
    ) -> None:
        provider, exporter = spans
        h = harness(provider)
        await h.save_keys()
        consumer = await recorded_under_a_span(h, provider, intake(h))
        await h.pusher.push_due()
        (push,) = [s for s in exporter.get_finished_spans() if s.name == "push packages.create"]
        assert push.parent is not None
        assert push.parent.span_id == consumer.get_span_context().span_id
        assert push.context.trace_id == consumer.get_span_context().trace_id
        assert push.attributes is not None
        assert push.attributes["metrc.license_number"] == LICENSE
        assert push.attributes["compliance.objects"] == 1
        assert not push.links

    async def test_a_request_of_objects_from_several_traces_links_to_each(
        self, spans: tuple[TracerProvider, InMemorySpanExporter]
    ) -> None:
        provider, exporter = spans
        h = harness(provider)
        await h.save_keys()
        consumers = [await recorded_under_a_span(h, provider, intake(h)) for _ in range(3)]
        await h.pusher.push_due()
        (push,) = [s for s in exporter.get_finished_spans() if s.name == "push packages.create"]
        assert push.parent is None
        assert push.attributes is not None
        assert push.attributes["compliance.objects"] == 3
        assert {(link.context.trace_id, link.context.span_id) for link in push.links} == {
            (c.get_span_context().trace_id, c.get_span_context().span_id) for c in consumers
        }

    async def test_no_span_carries_a_key(
        self, spans: tuple[TracerProvider, InMemorySpanExporter]
    ) -> None:
        provider, exporter = spans
        h = harness(provider)
        await h.save_keys()
        await recorded_under_a_span(h, provider, intake(h))
        await h.pusher.push_due()
        for span in exporter.get_finished_spans():
            text = repr((span.name, dict(span.attributes or {}), span.events))
            assert VENDOR_KEY not in text
            assert USER_KEY not in text


def the_push_span(exporter: InMemorySpanExporter) -> list[SpanContext | None]:
    """The parents of the push spans exported so far."""
    return [s.parent for s in exporter.get_finished_spans() if s.name.startswith("push ")]


class TestAManualPushJoinsTheRequestsTrace:
    async def test_a_batch_pushed_by_hand_is_created_under_the_push_requests_span(
        self, spans: tuple[TracerProvider, InMemorySpanExporter]
    ) -> None:
        provider, exporter = spans
        h = harness(provider)
        await h.save_keys()
        rules = h.db.rules.pop(h.site_id)  # the site was not on Metrc: the batch waits
        b = intake(h)
        await h.record(b.created("10"))
        h.db.rules[h.site_id] = rules
        with provider.get_tracer("test").start_as_current_span(
            "POST /v1/compliance/batches/{batchId}/push", kind=SpanKind.SERVER
        ) as request:
            cmd = PushBatch(batch_id=b.batch_id, actor="qa", trace_parent=current_trace_parent())
            result = await h.manual.push_batch(cmd)
        assert [s.state for s in result.submissions] == [SubmissionState.ACCEPTED]
        (parent,) = the_push_span(exporter)
        assert parent is not None
        assert parent.span_id == request.get_span_context().span_id
        assert parent.trace_id == request.get_span_context().trace_id

    async def test_a_retried_write_is_sent_under_the_retry_requests_span_not_its_intakes(
        self, spans: tuple[TracerProvider, InMemorySpanExporter]
    ) -> None:
        provider, exporter = spans
        h = harness(provider)
        await h.save_keys()
        b = h.batch(tag=h.tags.pop(0), source=OpeningBalance(), product_name="Blue Dream Eighth")
        await recorded_under_a_span(h, provider, b)
        await h.settle()
        (rejected,) = h.submissions(b)
        assert rejected.last_error is not None
        assert rejected.last_error.code is ProblemCode.ITEM_NOT_FOUND  # refused before Metrc
        h.db.rules[h.site_id] = replace(h.rules, item_map={"product-1": "Blue Dream 3.5g"})
        with provider.get_tracer("test").start_as_current_span(
            "POST /v1/compliance/licenses/{licenseNumber}/retry", kind=SpanKind.SERVER
        ) as request:
            cmd = RetryFailed(
                license_number=LICENSE, actor="qa", trace_parent=current_trace_parent()
            )
            (retried,) = await h.manual.retry_failed(cmd)
        assert retried.state is SubmissionState.ACCEPTED
        assert retried.trace_parent is not None
        assert retried.trace_parent.split("-")[2] == f"{request.get_span_context().span_id:016x}"
        (parent,) = the_push_span(exporter)
        assert parent is not None
        assert (parent.trace_id, parent.span_id) == (
            request.get_span_context().trace_id,
            request.get_span_context().span_id,
        )

    async def test_a_retry_without_a_request_span_keeps_the_trace_it_was_recorded_in(
        self, spans: tuple[TracerProvider, InMemorySpanExporter]
    ) -> None:
        provider, exporter = spans
        h = harness(provider)
        await h.save_keys()
        b = h.batch(tag=h.tags.pop(0), source=OpeningBalance(), product_name="Blue Dream Eighth")
        consumer = await recorded_under_a_span(h, provider, b)
        await h.settle()
        h.db.rules[h.site_id] = replace(h.rules, item_map={"product-1": "Blue Dream 3.5g"})
        await h.manual.retry_failed(RetryFailed(license_number=LICENSE, actor="scheduler"))
        (parent,) = the_push_span(exporter)
        assert parent is not None
        assert parent.span_id == consumer.get_span_context().span_id
