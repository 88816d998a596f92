"""Telemetry set up once per process: traces (exporter chosen by environment), JSON logs, metrics.

Traces: FastAPI, httpx and SQLAlchemy are instrumented here; Kafka consumers get FastStream's
telemetry middleware (:func:`kafka_telemetry_middleware`), and the outbox carries the W3C trace
context from the writer to the consumer in Kafka headers, so one trace spans HTTP request, outbox,
Kafka and consumer.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter
from sqlalchemy.ext.asyncio import AsyncEngine

from shared import log_redaction
from shared.settings import ServiceSettings, TraceExporter

__all__ = [
    "JsonLogFormatter",
    "configure_logging",
    "configure_tracing",
    "instrument_app",
    "instrument_engine",
    "kafka_telemetry_middleware",
]

_httpx_instrumented = False


def configure_tracing(
    settings: ServiceSettings, *, extra_processors: tuple[SpanProcessor, ...] = ()
) -> TracerProvider:
    """Install (once) and return the process's tracer provider, exporting as the settings say."""
    current = trace.get_tracer_provider()
    if isinstance(current, TracerProvider):
        provider = current
    else:
        provider = TracerProvider(resource=Resource.create({"service.name": settings.service_name}))
        trace.set_tracer_provider(provider)
    exporter = _exporter(settings)
    if exporter is not None:
        provider.add_span_processor(BatchSpanProcessor(exporter))
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


def instrument_app(
    app: FastAPI, provider: TracerProvider, *, server_span_only: bool = False
) -> None:
    """Trace every request. ``server_span_only`` drops the per-message ``http send`` and
    ``http receive`` child spans (three spans fewer per request on a hot path)."""
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(
        app,
        tracer_provider=provider,
        excluded_urls="healthz,readyz,metrics",
        exclude_spans=["receive", "send"] if server_span_only else None,
    )


def instrument_engine(engine: AsyncEngine, provider: TracerProvider) -> None:
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    SQLAlchemyInstrumentor().instrument(engine=engine.sync_engine, tracer_provider=provider)


def kafka_telemetry_middleware(provider: TracerProvider) -> Any:
    from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware

    return KafkaTelemetryMiddleware(tracer_provider=provider)


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line, carrying the trace and span ids of the current span."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        context = trace.get_current_span().get_span_context()
        if context.is_valid:
            entry["trace_id"] = format(context.trace_id, "032x")
            entry["span_id"] = format(context.span_id, "016x")
        if record.exc_info:
            # exc_text first: shared.log_redaction puts the redacted traceback there.
            entry["exception"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(settings: ServiceSettings) -> None:
    log_redaction.install(uncaught=True)
    handler = logging.StreamHandler(sys.stderr)
    if settings.log_json:
        handler.setFormatter(JsonLogFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    # aiokafka narrates every reconnect at INFO; keep the log about our own work.
    logging.getLogger("aiokafka").setLevel(logging.WARNING)
