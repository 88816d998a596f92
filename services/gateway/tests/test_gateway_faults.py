"""Faults a new user found at the gateway (issue 10), each reproduced here: a refused request is a
4xx with a stable code that changes nothing, and no log line carries a statement's parameters."""

from __future__ import annotations

import logging
import re
from typing import Any

from gateway.domain import Role
from gateway.entrypoints.forwarded.tables import SERVICE_ROUTES
from shared.http.strict_json import StrictJsonRoute
from shared.testing.apps import api_routes
from sqlalchemy import text

ADJUST_PATH = "/api/v1/batches/0f8b8a52-5a43-4d8e-8a57-2f7b2b1f0c11/adjustments"
"""A forwarded write with a body (the batch need not exist: the gateway refuses first)."""


async def _admin(gateway: Any) -> dict[str, str]:
    return await gateway.headers_for([Role.ADMIN])


async def _stored_keys(gateway: Any) -> int:
    async with gateway.container.engine.connect() as conn:
        return int((await conn.execute(text("SELECT count(*) FROM api_keys"))).scalar_one())


def _logged(caplog: Any) -> str:
    # Formatted as a handler formats them: message, then the traceback.
    formatter = logging.Formatter("%(message)s")
    return "\n".join(formatter.format(record) for record in caplog.records)


async def test_an_api_key_expiring_beyond_year_9999_in_utc_is_refused_and_nothing_is_logged(
    gateway: Any, caplog: Any
) -> None:
    caplog.set_level(logging.DEBUG)
    admin = await _admin(gateway)
    before = await _stored_keys(gateway)
    response = await gateway.client.post(
        "/api/v1/api-keys",
        json={
            "name": "k",
            "roles": ["Auditor"],
            "sites": ["*"],
            "expires_at": "9999-12-31T23:59:59-14:00",
        },
        headers=admin,
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert await _stored_keys(gateway) == before
    logged = _logged(caplog)
    for leak in ("[parameters", "query argument", "9999, 12, 31", "INSERT INTO"):
        assert leak not in logged


async def test_an_api_key_that_would_already_have_expired_is_refused(gateway: Any) -> None:
    admin = await _admin(gateway)
    before = await _stored_keys(gateway)
    response = await gateway.client.post(
        "/api/v1/api-keys",
        json={"name": "k", "roles": ["Auditor"], "sites": ["*"], "expires_at": "2001-01-01T00:00Z"},
        headers=admin,
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert "future" in error["message"]
    assert await _stored_keys(gateway) == before


async def test_the_gateway_refuses_a_json_number_quantity_before_forwarding(
    make_gateway: Any, upstream: Any
) -> None:
    gateway = await make_gateway(service_routes=SERVICE_ROUTES)
    admin = await _admin(gateway)
    for number in (5, 0.1, -2):
        response = await gateway.client.post(
            ADJUST_PATH,
            json={"adjustment": number, "reason": "COUNT_DISCREPANCY"},
            headers=admin,
        )
        assert response.status_code == 422, response.text
        assert response.json()["error"]["code"] == "VALIDATION_ERROR"
        assert "decimal string" in response.json()["error"]["message"]
    assert upstream.requests == []


async def test_a_body_that_is_not_json_is_refused_at_the_gateway_with_a_code_that_says_why(
    make_gateway: Any, upstream: Any
) -> None:
    gateway = await make_gateway(service_routes=SERVICE_ROUTES)
    admin = await _admin(gateway)
    cases = (
        (b'{"adjustment": ', "application/json", 400, "MALFORMED_JSON"),
        (b'{"adjustment": 1e400, "reason": "LOST"}', "application/json", 400, "MALFORMED_JSON"),
        (b'{"adjustment": NaN, "reason": "LOST"}', "application/json", 400, "MALFORMED_JSON"),
        (b'{"adjustment": "1", "notes": "\\udfff"}', "application/json", 400, "MALFORMED_JSON"),
        (b'{"adjustment": "1", "notes": "\xc3\x28"}', "application/json", 400, "MALFORMED_JSON"),
        (b'{"adjustment": "1", "reason": "LOST"}', "text/plain", 415, "UNSUPPORTED_MEDIA_TYPE"),
    )
    for body, content_type, status, code in cases:
        response = await gateway.client.post(
            ADJUST_PATH,
            content=body,
            headers={**admin, "Content-Type": content_type},
        )
        assert (response.status_code, response.json()["error"]["code"]) == (status, code), body
    # The gateway's own routes alike.
    login = await gateway.client.post(
        "/api/v1/auth/login",
        content=b'{"email": "a@b.example", "password": NaN}',
        headers={"Content-Type": "application/json"},
    )
    assert (login.status_code, login.json()["error"]["code"]) == (400, "MALFORMED_JSON")
    assert upstream.requests == []


async def test_every_route_with_a_body_parses_it_strictly(make_gateway: Any) -> None:
    gateway = await make_gateway(service_routes=SERVICE_ROUTES)
    routes = [r for r in api_routes(gateway.app.routes) if r.body_field]
    assert len(routes) > 20
    assert [r.path for r in routes if not isinstance(r, StrictJsonRoute)] == []


PREFLIGHT = {
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
}


async def test_a_preflight_from_an_allowed_origin_succeeds_on_every_kind_of_route(
    make_gateway: Any,
) -> None:
    origin = "http://localhost:5173"
    gateway = await make_gateway(service_routes=SERVICE_ROUTES, GATEWAY_CORS_ORIGINS=origin)
    for path in ("/api/v1/batches/intake", "/api/v1/auth/login", "/api/v1/api-keys"):
        response = await gateway.client.options(path, headers={"Origin": origin, **PREFLIGHT})
        assert response.status_code == 200, (path, response.text)
        assert response.headers["access-control-allow-origin"] == origin
        assert "POST" in response.headers["access-control-allow-methods"]
        assert "idempotency-key" in response.headers["access-control-allow-headers"].lower()


async def test_a_preflight_without_an_allowed_origin_is_refused_as_cors_not_as_a_method(
    make_gateway: Any,
) -> None:
    for env in ({}, {"GATEWAY_CORS_ORIGINS": "https://app.canopy.example"}):
        gateway = await make_gateway(service_routes=SERVICE_ROUTES, **env)
        response = await gateway.client.options(
            "/api/v1/batches/intake", headers={"Origin": "https://evil.example", **PREFLIGHT}
        )
        assert response.status_code == 400, (env, response.text)
        assert "access-control-allow-origin" not in response.headers


def _documented_names_and_texts(document: dict[str, Any]) -> tuple[set[str], list[str]]:
    names: set[str] = set()
    texts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "properties" and isinstance(value, dict):
                    names.update(value)
                if key in ("description", "summary") and isinstance(value, str):
                    texts.append(value)
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)
    for item in document["paths"].values():
        for operation in item.values():
            names.update(p["name"] for p in operation.get("parameters", []))
    return names, texts


async def test_the_openapi_text_names_every_field_as_the_wire_spells_it(make_gateway: Any) -> None:
    gateway = await make_gateway(service_routes=SERVICE_ROUTES)
    document = (await gateway.client.get("/openapi.json")).json()
    names, texts = _documented_names_and_texts(document)
    snake_of = {re.sub(r"(?<!^)([A-Z])", r"_\1", n).lower(): n for n in names}
    wrong: set[str] = set()
    for prose in texts:
        for quoted in re.findall(r"`+([A-Za-z_][A-Za-z0-9_]*)`+", prose):
            field_like = "_" in quoted.strip("_") or re.search(r"[a-z][A-Z]", quoted)
            if field_like and not quoted.isupper() and quoted not in names:
                wrong.add(quoted)
        for word in re.findall(r"\b[a-z]+(?:_[a-z]+)+\b", prose):
            if word in snake_of and word not in names:
                wrong.add(f"{word} (the field is {snake_of[word]})")
    assert not wrong, sorted(wrong)


async def test_an_api_key_expiring_at_the_last_representable_instant_is_listed_and_works(
    gateway: Any,
) -> None:
    admin = await _admin(gateway)
    last = "9999-12-31T23:59:59.999999Z"
    created = await gateway.client.post(
        "/api/v1/api-keys",
        json={"name": "k", "roles": ["Auditor"], "sites": ["*"], "expires_at": last},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    listed = await gateway.client.get("/api/v1/api-keys", headers=admin)
    (key,) = [k for k in listed.json()["items"] if k["id"] == created.json()["id"]]
    assert key["expires_at"] == last  # PostgreSQL stores it as infinity; read back in UTC
    me = await gateway.client.get("/api/v1/auth/me", headers={"X-API-Key": created.json()["key"]})
    assert me.status_code == 200, me.text
