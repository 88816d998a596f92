"""The push worker's spans (``service_layer.ports.PushTelemetry`` on OpenTelemetry).

A submission carries the W3C ``traceparent`` of the consumer span that recorded it, which is in
the trace of the inventory request that caused it (intake or adjustment -> inventory -> outbox
-> Kafka -> compliance's consumer). Each Metrc request of the push runs under a ``push
<operation>`` span, and the Metrc client's CLIENT span (``Metrc POST /packages/v2/``, with its
HTTP span) is its child:

* the request's submissions share one parent: the span is that parent's child, so the Metrc
  call appears in the request's own trace;
* they come from several (a request of 10 objects from 10 intakes): the span starts a trace of
  its own with a link to each parent, as OpenTelemetry's messaging conventions do for a batch.

Attributes: the license number, the operation and the number of objects; never a key (the
client never puts one in a span either).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import Link, NonRecordingSpan, SpanContext, SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

__all__ = ["MAX_LINKS", "OtelPushTelemetry", "current_trace_parent"]

MAX_LINKS = 128
"""OpenTelemetry's default limit of links per span."""
_W3C = TraceContextTextMapPropagator()


def current_trace_parent() -> str | None:
    """The current span as a W3C ``traceparent`` (None outside a recorded span)."""
    carrier: dict[str, str] = {}
    _W3C.inject(carrier)
    return carrier.get("traceparent")


def _span_context(traceparent: str) -> SpanContext | None:
    found = trace.get_current_span(_W3C.extract({"traceparent": traceparent})).get_span_context()
    return found if found.is_valid else None


def parents_of(trace_parents: Sequence[str | None]) -> list[SpanContext]:
    """The distinct valid span contexts among ``trace_parents``, in order."""
    seen: dict[tuple[int, int], SpanContext] = {}
    for traceparent in trace_parents:
        if traceparent and (found := _span_context(traceparent)) is not None:
            seen.setdefault((found.trace_id, found.span_id), found)
    return list(seen.values())


class OtelPushTelemetry:
    def __init__(self, tracer_provider: TracerProvider) -> None:
        self._tracer = tracer_provider.get_tracer("compliance.push")

    def metrc_request(
        self, *, operation: str, license_number: str, trace_parents: Sequence[str | None]
    ) -> AbstractContextManager[None]:
        return self._span(operation, license_number, len(trace_parents), parents_of(trace_parents))

    @contextmanager
    def _span(
        self, operation: str, license_number: str, objects: int, parents: list[SpanContext]
    ) -> Iterator[None]:
        if len(parents) == 1:
            context = trace.set_span_in_context(NonRecordingSpan(parents[0]))
            links: list[Link] = []
        else:
            context, links = Context(), [Link(p) for p in parents[:MAX_LINKS]]
        with self._tracer.start_as_current_span(
            f"push {operation}",
            context=context,
            kind=SpanKind.INTERNAL,
            links=links,
            attributes={
                "metrc.license_number": license_number,
                "compliance.operation": operation,
                "compliance.objects": objects,
                "compliance.traces": len(parents),
            },
        ):
            yield
