"""Telemetry set up once per process: traces (exporter chosen by environment), JSON logs, metrics.

Traces: one server span per HTTP request (:class:`RequestTelemetry`, which every service's app
gets from ``shared.http``), a client span per SQL statement (``shared.database``'s traced
connections and engines), httpx's client spans, a producer span per event the outbox relay
publishes (in the trace of the request that wrote it), and FastStream's consumer spans
(:func:`kafka_telemetry_middleware`, continuing from the producer span); so one trace spans HTTP
request, SQL, outbox, Kafka and consumer.

Metrics (Prometheus): every API's ``/metrics`` has the request metrics of
:class:`RequestTelemetry`; relays and workers serve theirs, with ``/healthz``, on a port of their
own (:func:`serving_operations`).
"""

from shared.telemetry.logs import JsonLogFormatter, configure_logging
from shared.telemetry.operations import PROCESS_HEALTH, ProcessHealth, serving_operations
from shared.telemetry.requests import RequestTelemetry
from shared.telemetry.tracing import configure_tracing, kafka_telemetry_middleware

__all__ = [
    "PROCESS_HEALTH",
    "JsonLogFormatter",
    "ProcessHealth",
    "RequestTelemetry",
    "configure_logging",
    "configure_tracing",
    "kafka_telemetry_middleware",
    "serving_operations",
]
