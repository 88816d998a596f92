"""Every API's requests are counted and timed by route template (never the raw path), errors
by their status, in the same middleware that makes their server span."""

from __future__ import annotations

import uuid

import httpx
from fastapi import FastAPI
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client import REGISTRY
from shared.testing.apps import kit_app


def sample(name: str, **labels: str) -> float:
    value = REGISTRY.get_sample_value(name, labels)
    return 0.0 if value is None else value


def app_with_routes(provider: TracerProvider | None = None) -> tuple[FastAPI, str]:
    """An app whose routes are unique to the test (the registry is the process's)."""
    app = kit_app(tracer_provider=provider)
    prefix = f"/t{uuid.uuid4().hex[:8]}"

    @app.get(prefix + "/items/{itemId}")
    async def item(itemId: str) -> dict[str, str]:  # noqa: N803
        return {"id": itemId}

    @app.get(prefix + "/broken")
    async def broken() -> None:
        raise RuntimeError("the handler failed")

    return app, prefix


async def call(app: FastAPI, path: str, method: str = "GET") -> httpx.Response:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.request(method, path)


async def test_requests_are_counted_and_timed_by_route_template_not_by_path() -> None:
    app, prefix = app_with_routes()
    route = prefix + "/items/{itemId}"
    for item in ("a", "b", "c"):
        assert (await call(app, f"{prefix}/items/{item}")).status_code == 200
    assert (
        sample("http_request_duration_seconds_count", method="GET", route=route, status="200") == 3
    )
    assert sample("http_request_duration_seconds_sum", method="GET", route=route, status="200") > 0
    assert (
        sample(
            "http_request_duration_seconds_bucket",
            method="GET",
            route=route,
            status="200",
            le="+Inf",
        )
        == 3
    )
    exposition = (await call(app, "/metrics")).text
    assert f'route="{route}"' in exposition
    assert f"{prefix}/items/a" not in exposition


async def test_errors_are_counted_by_status_and_a_raising_handler_counts_as_500() -> None:
    app, prefix = app_with_routes()
    assert (await call(app, prefix + "/broken")).status_code == 500
    assert (
        sample(
            "http_request_duration_seconds_count",
            method="GET",
            route=prefix + "/broken",
            status="500",
        )
        == 1
    )
    # A method the route does not take: the route matched, the answer is 405.
    assert (await call(app, prefix + "/items/a", method="DELETE")).status_code == 405


async def test_a_path_no_route_matches_is_counted_as_unmatched_and_odd_methods_as_other() -> None:
    app, prefix = app_with_routes()
    before = sample(
        "http_request_duration_seconds_count", method="GET", route="unmatched", status="404"
    )
    assert (await call(app, f"{prefix}/nowhere/{uuid.uuid4()}")).status_code == 404
    assert (
        sample("http_request_duration_seconds_count", method="GET", route="unmatched", status="404")
        == before + 1
    )
    before = sample(
        "http_request_duration_seconds_count", method="OTHER", route="unmatched", status="404"
    )
    await call(app, f"{prefix}/nowhere", method="BREW")
    assert (
        sample(
            "http_request_duration_seconds_count", method="OTHER", route="unmatched", status="404"
        )
        == before + 1
    )


async def test_health_readiness_and_metrics_requests_are_not_counted() -> None:
    app, _ = app_with_routes()
    await call(app, "/healthz")
    await call(app, "/metrics")
    for path in ("/healthz", "/metrics"):
        labels = {"method": "GET", "route": path, "status": "200"}
        assert REGISTRY.get_sample_value("http_request_duration_seconds_count", labels) is None


async def test_with_a_tracer_the_same_request_is_one_server_span_named_by_its_route() -> None:
    spans = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    app, prefix = app_with_routes(provider)
    assert (await call(app, prefix + "/items/x")).status_code == 200
    (span,) = spans.get_finished_spans()
    assert span.name == f"GET {prefix}/items/{{itemId}}"
    assert span.attributes is not None
    assert span.attributes["http.response.status_code"] == 200
    route = prefix + "/items/{itemId}"
    assert (
        sample("http_request_duration_seconds_count", method="GET", route=route, status="200") == 1
    )


async def test_the_metrics_page_is_prometheus_text() -> None:
    app, _ = app_with_routes()
    response = await call(app, "/metrics")
    assert response.headers["content-type"].startswith("text/plain")
    assert "# TYPE http_request_duration_seconds histogram" in response.text


async def test_the_frameworks_own_routes_are_counted_by_their_path_too() -> None:
    app, _ = app_with_routes()
    before = sample(
        "http_request_duration_seconds_count", method="GET", route="/openapi.json", status="200"
    )
    assert (await call(app, "/openapi.json")).status_code == 200
    after = sample(
        "http_request_duration_seconds_count", method="GET", route="/openapi.json", status="200"
    )
    assert after == before + 1
