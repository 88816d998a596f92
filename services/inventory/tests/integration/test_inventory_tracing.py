"""Traces: one server span per request, continuing the caller's trace, and the events a
request writes carry that trace on to Kafka."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import asyncpg
import pytest
from fastapi import FastAPI
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from shared.database import span_attributes

CALLER_TRACE = "0af7651916cd43dd8448eb211c80319c"
CALLER_SPAN = "b7ad6b7169203331"


@pytest.fixture
def spans(app: FastAPI) -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    app.state.container.tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield exporter
    exporter.shutdown()  # the processor stays registered but exports nothing more


def servers(exporter: InMemorySpanExporter) -> list[ReadableSpan]:
    return [s for s in exporter.get_finished_spans() if s.kind is SpanKind.SERVER]


async def adjust(world: Any, batch: dict[str, Any], headers: dict[str, str] | None = None) -> None:
    """One successful adjustment of the batch: a write that reads, writes and emits an event."""
    await world.admin.ok(
        "POST",
        f"/v1/batches/{batch['id']}/adjustments",
        json={"adjustment": "1", "reason": "REWEIGH"},
        headers=headers,
    )


async def test_one_server_span_per_request_continuing_the_callers_trace(
    world: Any, spans: InMemorySpanExporter, db: asyncpg.Connection
) -> None:
    batch = await world.live()
    spans.clear()
    await adjust(world, batch, headers={"traceparent": f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"})
    (span,) = servers(spans)
    assert span.name == "POST /v1/batches/{batchId}/adjustments"
    assert format(span.context.trace_id, "032x") == CALLER_TRACE
    assert span.parent is not None
    assert format(span.parent.span_id, "016x") == CALLER_SPAN
    assert span.attributes is not None
    assert span.attributes["http.route"] == "/v1/batches/{batchId}/adjustments"
    assert span.attributes["http.request.method"] == "POST"
    assert span.attributes["http.response.status_code"] == 200
    assert span.status.status_code is StatusCode.UNSET
    # The event written by that request continues the same trace on to Kafka.
    headers = json.loads(
        await db.fetchval(
            "SELECT headers FROM outbox WHERE message_key = $1 ORDER BY id DESC LIMIT 1",
            batch["id"],
        )
    )
    assert headers["traceparent"].split("-")[1:3] == [
        CALLER_TRACE,
        format(span.context.span_id, "016x"),
    ]


async def test_each_sql_statement_is_a_client_span_of_the_request(
    world: Any, spans: InMemorySpanExporter
) -> None:
    batch = await world.live()
    spans.clear()
    await adjust(world, batch)
    (server,) = servers(spans)
    statements = [s for s in spans.get_finished_spans() if s.kind is SpanKind.CLIENT]
    # The optimistic write: read the batch, then one statement writes everything.
    assert [s.name for s in statements] == ["SELECT", "WITH"]
    for statement in statements:
        assert statement.parent is not None
        assert statement.parent.span_id == server.context.span_id
        assert statement.attributes is not None
        assert statement.attributes["db.system"] == "postgresql"
        assert "$1" in str(statement.attributes["db.statement"])  # the text, not the values


async def test_refusals_are_spans_too_and_health_checks_are_not(
    world: Any, spans: InMemorySpanExporter
) -> None:
    spans.clear()
    missing = await world.admin.call(
        "POST",
        "/v1/batches/00000000-0000-4000-8000-000000000000/adjustments",
        json={"adjustment": "1", "reason": "REWEIGH"},
    )
    assert missing.status_code == 404
    (span,) = servers(spans)
    assert span.attributes is not None
    assert span.attributes["http.response.status_code"] == 404
    assert span.status.status_code is StatusCode.UNSET
    spans.clear()
    assert (await world.admin.call("GET", "/healthz")).status_code == 200
    assert servers(spans) == []


async def test_a_failing_statement_is_an_error_span_naming_the_error_never_the_values(
    app: FastAPI, spans: InMemorySpanExporter
) -> None:
    async with app.state.container.reader() as uow:
        conn = uow.conn  # the pool's traced connection
        await conn.execute("CREATE TEMPORARY TABLE seen (code text PRIMARY KEY, n int)")
        await conn.execute("INSERT INTO seen VALUES ($1, 1)", "sekrit-code")
        spans.clear()
        # PostgreSQL's detail quotes the duplicate key; asyncpg's message quotes a bad argument.
        with pytest.raises(asyncpg.UniqueViolationError, match="sekrit-code"):
            await conn.execute("INSERT INTO seen VALUES ($1, 2)", "sekrit-code")
        with pytest.raises(asyncpg.DataError, match="sekrit-number"):
            await conn.execute("INSERT INTO seen VALUES ('x', $1)", "sekrit-number")
    duplicate, bad_argument = [s for s in spans.get_finished_spans() if s.kind is SpanKind.CLIENT]
    assert duplicate.name == "INSERT"
    assert duplicate.status.status_code is StatusCode.ERROR
    assert duplicate.status.description == "UniqueViolationError"
    assert [(e.name, dict(e.attributes or {})) for e in duplicate.events] == [
        (
            "exception",
            {"exception.type": "UniqueViolationError", "db.response.status_code": "23505"},
        )
    ]
    assert duplicate.attributes is not None
    assert duplicate.attributes["db.statement"] == "INSERT INTO seen VALUES ($1, 2)"
    assert bad_argument.status.description == "DataError"
    for span in (duplicate, bad_argument):
        told = repr([dict(span.attributes or {}), span.status.description]) + repr(
            [(e.name, dict(e.attributes or {})) for e in span.events]
        )
        assert "sekrit" not in told


def test_statement_spans_name_the_server_never_the_password() -> None:
    assert span_attributes("postgresql://canopy:hunter2@db.internal:5433/inventory") == {
        "db.system": "postgresql",
        "db.name": "inventory",
        "db.user": "canopy",
        "server.address": "db.internal",
        "server.port": 5433,
    }
    # asyncpg takes several hosts; the address is then the list (and still no password).
    several = span_attributes("postgresql://canopy:hunter2@h1:5432,h2:5433/inventory")
    assert several["server.address"] == "h1:5432,h2:5433"
    assert "hunter2" not in repr(several)
