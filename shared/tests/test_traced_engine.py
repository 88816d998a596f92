"""A SQLAlchemy engine's statements (the gateway's identity store) are client spans of the
current trace, as the asyncpg pool's are: the statement's text, never its values."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from shared.database import trace_engine
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

pytestmark = [pytest.mark.postgres]

SECRET = "the-secret-hash-of-a-key"


@pytest.fixture
async def traced(
    database_url: str,
) -> AsyncIterator[tuple[AsyncEngine, TracerProvider, InMemorySpanExporter]]:
    spans = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    engine = create_async_engine(database_url, hide_parameters=True)
    trace_engine(engine, provider.get_tracer("tests.db"))
    yield engine, provider, spans
    await engine.dispose()


async def test_each_statement_is_a_client_span_of_the_current_trace_with_its_text_not_its_values(
    traced: tuple[AsyncEngine, TracerProvider, InMemorySpanExporter],
) -> None:
    engine, provider, spans = traced
    with provider.get_tracer("tests").start_as_current_span("request") as request:
        async with engine.connect() as conn:
            assert (
                await conn.execute(text("SELECT CAST(:value AS text)"), {"value": SECRET})
            ).scalar() == SECRET
    statements = [s for s in spans.get_finished_spans() if s.kind is SpanKind.CLIENT]
    select = next(s for s in statements if s.name == "SELECT")
    assert select.parent is not None
    assert select.parent.span_id == request.get_span_context().span_id
    assert select.attributes is not None
    assert select.attributes["db.system"] == "postgresql"
    assert "$1" in str(select.attributes["db.statement"])
    assert "password" not in repr(select.attributes).lower()
    for span in spans.get_finished_spans():
        assert SECRET not in repr((span.name, span.attributes, span.events))


async def test_a_failing_statement_is_an_error_span_naming_the_error_never_the_values(
    traced: tuple[AsyncEngine, TracerProvider, InMemorySpanExporter],
) -> None:
    engine, _, spans = traced
    async with engine.connect() as conn:
        await conn.execute(text("CREATE TEMPORARY TABLE seen (code text PRIMARY KEY)"))
        await conn.execute(text("INSERT INTO seen VALUES (:code)"), {"code": SECRET})
        spans.clear()
        with pytest.raises(IntegrityError):
            await conn.execute(text("INSERT INTO seen VALUES (:code)"), {"code": SECRET})
    (failed,) = [s for s in spans.get_finished_spans() if s.name == "INSERT"]
    assert failed.status.status_code is StatusCode.ERROR
    (event,) = failed.events
    assert event.attributes is not None
    assert event.attributes["db.response.status_code"] == "23505"
    assert SECRET not in repr((failed.attributes, failed.events, failed.status.description))
