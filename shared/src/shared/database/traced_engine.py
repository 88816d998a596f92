"""A client span per SQL statement of a SQLAlchemy engine (the gateway's identity store), as
:mod:`shared.database.traced_connection` makes them for the asyncpg pool: the statement's text,
never its values.

Why not OpenTelemetry's SQLAlchemy instrumentation: its releases pin the SQLAlchemy versions they
accept (0.66b1 refused SQLAlchemy 2.1 with an ERROR at startup and traced nothing), and it would
be a second way to make the same span. Two engine events are all it takes.
"""

from __future__ import annotations

from typing import Any

from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode, Tracer
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.database.traced_connection import operation_name, span_attributes, sqlstate

__all__ = ["trace_engine"]

_SPAN = "_canopy_span"


def trace_engine(engine: AsyncEngine, tracer: Tracer) -> None:
    """Make every statement ``engine`` runs a client span of the current trace."""
    sync = engine.sync_engine
    attributes = span_attributes(sync.url.render_as_string(hide_password=True))

    @event.listens_for(sync, "before_cursor_execute")
    def started(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
        span = tracer.start_span(
            operation_name(statement),
            kind=SpanKind.CLIENT,
            attributes={**attributes, "db.statement": statement},
        )
        if context is not None:
            setattr(context, _SPAN, span)

    @event.listens_for(sync, "after_cursor_execute")
    def finished(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
        span: trace.Span | None = getattr(context, _SPAN, None)
        if span is not None:
            span.end()

    @event.listens_for(sync, "handle_error")
    def failed(error: Any) -> None:
        span: trace.Span | None = getattr(error.execution_context, _SPAN, None)
        if span is None:
            return
        # As for the pool's spans: the kind of error and its SQLSTATE, never its message (it can
        # quote the values).
        original = error.original_exception
        kind = type(original).__name__
        span.add_event(
            "exception", {"exception.type": kind, "db.response.status_code": sqlstate(original)}
        )
        span.set_status(Status(StatusCode.ERROR, kind))
        span.end()
