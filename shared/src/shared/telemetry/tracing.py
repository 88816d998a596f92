"""The process's tracer provider: spans exported as the settings say (Zipkin, OTLP, the console
or nowhere), httpx's client spans, and FastStream's consumer spans."""

from __future__ import annotations

from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter

from shared.settings import ServiceSettings, TraceExporter

__all__ = ["configure_tracing", "kafka_telemetry_middleware"]

_httpx_instrumented = False
_exporting = False


def configure_tracing(
    settings: ServiceSettings, *, extra_processors: tuple[SpanProcessor, ...] = ()
) -> TracerProvider:
    """Install (once) and return the process's tracer provider, exporting as the settings say
    (the first call's exporter only; ``extra_processors`` are added on every call)."""
    current = trace.get_tracer_provider()
    if isinstance(current, TracerProvider):
        provider = current
    else:
        provider = TracerProvider(resource=Resource.create({"service.name": settings.service_name}))
        trace.set_tracer_provider(provider)
    global _exporting
    # A worker's runner and its service's bootstrap both configure: a second exporter would
    # send every span twice.
    exporter = None if _exporting else _exporter(settings)
    if exporter is not None:
        provider.add_span_processor(BatchSpanProcessor(exporter))
        _exporting = True
    for processor in extra_processors:
        provider.add_span_processor(processor)
    _instrument_httpx(provider)
    return provider


def _exporter(settings: ServiceSettings) -> Any:
    match settings.trace_exporter:
        case TraceExporter.ZIPKIN:
            from opentelemetry.exporter.zipkin.json import ZipkinExporter

            return ZipkinExporter(endpoint=settings.zipkin_endpoint)
        case TraceExporter.OTLP:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            return OTLPSpanExporter(endpoint=settings.otlp_endpoint)
        case TraceExporter.CONSOLE:
            return ConsoleSpanExporter()
        case TraceExporter.NONE:
            return None


def _instrument_httpx(provider: TracerProvider) -> None:
    global _httpx_instrumented
    if not _httpx_instrumented:
        from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

        HTTPXClientInstrumentor().instrument(tracer_provider=provider)
        _httpx_instrumented = True


def kafka_telemetry_middleware(provider: TracerProvider) -> Any:
    from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware

    return KafkaTelemetryMiddleware(tracer_provider=provider)
