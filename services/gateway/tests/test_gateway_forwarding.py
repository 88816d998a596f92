"""Forwarding to a service (a recording stub on a real port): what goes out, what comes back,
and the gateway's own answers when the service is down, slow or the gateway is overloaded."""

from __future__ import annotations

import asyncio
import json
import socket

from aiohttp import web
from gateway.domain import Role
from opentelemetry import trace
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from shared.identity import IDENTITY_HEADER, verify_identity_token
from shared.settings import ServiceSettings
from shared.telemetry import configure_tracing

SITE = "6a1e2d4c-9b1f-4f53-8f7a-1d2c3b4a5e60"


def code(response) -> str:
    return response.json()["error"]["code"]


async def test_a_forwarded_request_carries_a_verifiable_identity_request_id_and_idempotency_key(
    gateway, upstream, identity_keys
):
    email = await gateway.create_user(roles=[Role.INVENTORY], sites=["site-a"])
    tokens = await gateway.login(email)
    response = await gateway.client.post(
        "/api/v1/widgets",
        json={"site_id": "site-a", "quantity": "1.5000"},
        headers={
            "Authorization": f"Bearer {tokens['access_token']}",
            "Idempotency-Key": "key-123",
            "X-Request-ID": "req-abc",
        },
    )
    assert response.status_code == 200, response.text
    assert response.headers["x-request-id"] == "req-abc"
    [seen] = upstream.requests
    assert seen.method == "POST"
    assert seen.path == "/v1/widgets"
    assert json.loads(seen.body) == {"site_id": "site-a", "quantity": "1.5000"}
    assert seen.headers["Idempotency-Key"] == "key-123"
    assert seen.headers["X-Request-ID"] == "req-abc"
    assert "Authorization" not in seen.headers
    identity = verify_identity_token(seen.headers[IDENTITY_HEADER], identity_keys[1])
    assert identity.subject == tokens["user"]["id"]
    assert identity.kind == "user"
    assert identity.roles == ("Inventory",)
    assert identity.sites == ("site-a",)
    assert "inventory:create" in identity.permissions


async def test_a_request_id_is_made_when_the_client_sends_none(gateway, upstream):
    headers = await gateway.headers_for([Role.AUDITOR])
    response = await gateway.client.get("/api/v1/widgets/w1", headers=headers)
    assert response.status_code == 200
    made = response.headers["x-request-id"]
    assert len(made) == 32
    assert upstream.requests[0].headers["X-Request-ID"] == made


async def test_the_query_string_and_path_reach_the_service_as_sent(gateway, upstream):
    headers = await gateway.headers_for([Role.AUDITOR])
    response = await gateway.client.get("/api/v1/widgets?site_id=site-a&limit=7", headers=headers)
    assert response.status_code == 200
    assert upstream.requests[0].query == "site_id=site-a&limit=7"


async def test_invalid_input_is_refused_by_the_gateway_and_never_forwarded(gateway, upstream):
    headers = await gateway.headers_for([Role.INVENTORY])
    bad_body = await gateway.client.post(
        "/api/v1/widgets", json={"site_id": "site-a", "quantity": 1.5}, headers=headers
    )
    assert bad_body.status_code == 422
    assert code(bad_body) == "VALIDATION_ERROR"
    bad_query = await gateway.client.get("/api/v1/widgets?limit=0", headers=headers)
    assert bad_query.status_code == 422
    unknown_param = await gateway.client.get("/api/v1/widgets?colour=red", headers=headers)
    assert unknown_param.status_code == 422
    assert upstream.requests == []


async def test_a_service_error_comes_back_unchanged(gateway, upstream):
    body = {
        "error": {
            "code": "NEGATIVE_INVENTORY",
            "message": "Adjustment would result in negative inventory. Current onHandQty: 1",
            "details": {"current": "1.0000"},
        }
    }

    async def refuse(_):
        return web.json_response(body, status=422, headers={"X-Inventory-Hint": "h"})

    upstream.handler = refuse
    headers = await gateway.headers_for([Role.INVENTORY])
    response = await gateway.client.post(
        "/api/v1/widgets", json={"site_id": "a", "quantity": "-5"}, headers=headers
    )
    assert response.status_code == 422
    assert response.json() == body
    assert response.headers["x-inventory-hint"] == "h"


async def test_a_service_that_is_down_is_a_502_with_a_clear_code(make_gateway):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    gateway = await make_gateway(INVENTORY_URL=f"http://127.0.0.1:{closed_port}")
    headers = await gateway.headers_for([Role.AUDITOR])
    response = await gateway.client.get("/api/v1/widgets/w1", headers=headers)
    assert response.status_code == 502
    assert code(response) == "UPSTREAM_UNAVAILABLE"
    assert response.json()["error"]["details"] == {"service": "inventory"}


async def test_a_slow_service_is_a_504_with_a_clear_code(make_gateway, upstream):
    async def slow(_):
        await asyncio.sleep(2)
        return web.json_response({})

    upstream.handler = slow
    gateway = await make_gateway(GATEWAY_UPSTREAM_TIMEOUT_SECONDS=0.3)
    headers = await gateway.headers_for([Role.AUDITOR])
    response = await gateway.client.get("/api/v1/widgets/w1", headers=headers)
    assert response.status_code == 504
    assert code(response) == "UPSTREAM_TIMEOUT"


async def test_an_overloaded_gateway_answers_503_with_retry_after(make_gateway, upstream):
    release = asyncio.Event()

    async def blocked(_):
        await release.wait()
        return web.json_response({"echo": "x", "method": "GET"})

    upstream.handler = blocked
    gateway = await make_gateway(GATEWAY_MAX_IN_FLIGHT=1, GATEWAY_OVERLOAD_WAIT_SECONDS=0.1)
    headers = await gateway.headers_for([Role.AUDITOR])
    first = asyncio.create_task(gateway.client.get("/api/v1/widgets/a", headers=headers))
    while not upstream.requests:
        await asyncio.sleep(0.01)
    second = await gateway.client.get("/api/v1/widgets/b", headers=headers)
    assert second.status_code == 503
    assert code(second) == "OVERLOADED"
    assert second.headers["retry-after"] == "1"
    release.set()
    assert (await first).status_code == 200


async def test_a_body_over_the_limit_is_refused_with_413(make_gateway, upstream):
    gateway = await make_gateway(GATEWAY_MAX_REQUEST_BYTES=128)
    headers = await gateway.headers_for([Role.INVENTORY])
    response = await gateway.client.post(
        "/api/v1/widgets",
        content=json.dumps({"site_id": "a", "quantity": "1", "pad": "x" * 200}),
        headers={**headers, "Content-Type": "application/json", "X-Request-ID": "big-1"},
    )
    assert response.status_code == 413
    assert code(response) == "REQUEST_TOO_LARGE"
    assert response.headers["x-request-id"] == "big-1"

    async def chunks():
        for _ in range(10):
            yield b'{"pad": "' + b"x" * 20

    streamed = await gateway.client.post(
        "/api/v1/widgets", content=chunks(), headers={**headers, "Content-Type": "application/json"}
    )
    assert streamed.status_code == 413
    assert upstream.requests == []


async def test_cors_allows_the_configured_origins_only(make_gateway):
    gateway = await make_gateway(GATEWAY_CORS_ORIGINS="https://app.canopy.example")
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization",
    }
    allowed = await gateway.client.options(
        "/api/v1/widgets", headers={"Origin": "https://app.canopy.example", **preflight}
    )
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://app.canopy.example"
    refused = await gateway.client.options(
        "/api/v1/widgets", headers={"Origin": "https://evil.example", **preflight}
    )
    assert "access-control-allow-origin" not in refused.headers
    unauth = await gateway.client.get(
        "/api/v1/widgets", headers={"Origin": "https://app.canopy.example"}
    )
    assert unauth.status_code == 401
    assert unauth.headers["access-control-allow-origin"] == "https://app.canopy.example"


async def test_a_site_not_granted_is_refused_before_forwarding(gateway, upstream):
    headers = await gateway.headers_for([Role.INVENTORY], sites=["site-a"])
    in_body = await gateway.client.post(
        "/api/v1/widgets", json={"site_id": "site-b", "quantity": "1"}, headers=headers
    )
    assert in_body.status_code == 403
    assert code(in_body) == "SITE_ACCESS_DENIED"
    in_query = await gateway.client.get("/api/v1/widgets?site_id=site-b", headers=headers)
    assert in_query.status_code == 403
    assert upstream.requests == []
    granted = await gateway.client.get("/api/v1/widgets?site_id=site-a", headers=headers)
    assert granted.status_code == 200


async def test_unknown_paths_and_methods_answer_in_the_one_error_body(gateway):
    missing = await gateway.client.get("/api/v1/nothing-here")
    assert missing.status_code == 404
    assert code(missing) == "NOT_FOUND"
    wrong = await gateway.client.put("/api/v1/auth/login")
    assert wrong.status_code == 405
    assert code(wrong) == "METHOD_NOT_ALLOWED"


async def test_one_trace_spans_the_gateway_and_the_forwarded_request(gateway, upstream):
    spans = InMemorySpanExporter()
    configure_tracing(ServiceSettings(), extra_processors=(SimpleSpanProcessor(spans),))
    headers = await gateway.headers_for([Role.AUDITOR])
    spans.clear()
    caller_trace = "0af7651916cd43dd8448eb211c80319c"
    response = await gateway.client.get(
        "/api/v1/widgets/w1",
        headers={**headers, "traceparent": f"00-{caller_trace}-b7ad6b7169203331-01"},
    )
    assert response.status_code == 200
    traceparent = upstream.requests[-1].headers["traceparent"]
    # The caller's trace is continued, not replaced.
    assert traceparent.split("-")[1] == caller_trace
    trace_id = traceparent.split("-")[1]
    finished = spans.get_finished_spans()
    server = [s for s in finished if s.kind is trace.SpanKind.SERVER]
    # One span for the request, nothing doubled; the service's span will be its child.
    assert len(server) == 1, [s.name for s in finished]
    assert server[0].name == "GET /api/v1/widgets/{widget_id}"
    assert server[0].attributes["http.response.status_code"] == 200
    assert format(server[0].context.trace_id, "032x") == trace_id
    assert traceparent.split("-")[2] == format(server[0].context.span_id, "016x")


async def test_nul_characters_are_refused_at_the_edge_for_every_service(gateway, upstream):
    headers = {**await gateway.headers_for([Role.INVENTORY]), "Content-Type": "application/json"}
    in_body = await gateway.client.post(
        "/api/v1/widgets",
        content=b'{"site_id": "a", "quantity": "1", "x": "a\\u0000"}',
        headers=headers,
    )
    assert in_body.status_code == 422
    assert code(in_body) == "VALIDATION_ERROR"
    in_query = await gateway.client.get("/api/v1/widgets?site_id=a%00b", headers=headers)
    assert in_query.status_code == 422
    assert upstream.requests == []


def test_only_a_real_nul_escape_counts_not_the_text_backslash_u0000():
    from gateway.entrypoints.forwarded.routes import _JSON_NUL

    assert _JSON_NUL.search(b'{"a": "x\\u0000"}')
    assert _JSON_NUL.search(b'{"a": "x\\\\\\u0000"}')
    assert not _JSON_NUL.search(b'{"a": "x\\\\u0000"}')
    assert not _JSON_NUL.search(b'{"a": "u0000"}')


async def test_a_service_failure_without_an_error_body_becomes_one(gateway, upstream):
    async def crash(_):
        return web.Response(status=500, text="Internal Server Error")

    upstream.handler = crash
    headers = await gateway.headers_for([Role.AUDITOR])
    response = await gateway.client.get("/api/v1/widgets/w1", headers=headers)
    assert response.status_code == 502
    assert code(response) == "UPSTREAM_INVALID_RESPONSE"
    assert response.json()["error"]["details"] == {"service": "inventory", "status": 500}
