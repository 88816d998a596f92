"""Every route of the OpenAPI document against every role: unauthenticated gets 401, a role
without the route's permission gets 403, and neither request ever reaches the service.

The expected permission of each route comes from outside the gateway's code where it can: the
inventory, compliance and reporting contracts' ROUTES tables for forwarded routes, and the
table below for the gateway's own.
"""

from __future__ import annotations

import re
import uuid

from gateway.domain import ROLE_PERMISSIONS, Role
from shared.contracts.compliance import ROUTES as COMPLIANCE_ROUTES
from shared.contracts.inventory import ROUTES as INVENTORY_ROUTES
from shared.contracts.reporting import ROUTES as REPORTING_ROUTES

PUBLIC = {("POST", "/api/v1/auth/login"), ("POST", "/api/v1/auth/refresh")}
OPERATIONS = {("GET", "/healthz"), ("GET", "/readyz")}
ANY_CALLER = "authenticated"
GATEWAY_OWN: dict[tuple[str, str], str] = {
    ("POST", "/api/v1/auth/logout"): ANY_CALLER,
    ("GET", "/api/v1/auth/me"): ANY_CALLER,
    ("GET", "/api/v1/roles"): ANY_CALLER,
    ("POST", "/api/v1/users"): "users:manage",
    ("GET", "/api/v1/users"): "users:manage",
    ("GET", "/api/v1/users/{user_id}"): "users:manage",
    ("PATCH", "/api/v1/users/{user_id}"): "users:manage",
    ("PUT", "/api/v1/users/{user_id}/roles"): "users:manage",
    ("PUT", "/api/v1/users/{user_id}/sites"): "users:manage",
    ("POST", "/api/v1/api-keys"): "users:manage",
    ("GET", "/api/v1/api-keys"): "users:manage",
    ("DELETE", "/api/v1/api-keys/{key_id}"): "users:manage",
}
EXPECTED: dict[tuple[str, str], str] = {
    **GATEWAY_OWN,
    **{(r.method, "/api" + r.path): r.permission for r in INVENTORY_ROUTES},
    **{(r.method, "/api" + r.path): r.permission for r in COMPLIANCE_ROUTES},
    **{(r.method, "/api" + r.path): r.permission for r in REPORTING_ROUTES},
}
FORWARDED = (*INVENTORY_ROUTES, *COMPLIANCE_ROUTES, *REPORTING_ROUTES)


def operations(document: dict) -> list[tuple[str, str]]:
    return sorted(
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    )


def concrete(path: str) -> str:
    def fill(match: re.Match[str]) -> str:
        return "0123456789ab" if match.group(1) == "key_id" else str(uuid.uuid4())

    return re.sub(r"{([^}]+)}", fill, path)


async def test_every_route_of_the_document_has_an_expected_permission(make_gateway):
    gateway = await make_gateway(service_routes=None)
    listed = set(operations(gateway.app.openapi()))
    assert listed - PUBLIC - OPERATIONS == set(EXPECTED)


async def test_the_document_states_the_permission_each_route_requires(make_gateway):
    gateway = await make_gateway(service_routes=None)
    document = gateway.app.openapi()
    for (method, path), permission in {**EXPECTED, **dict.fromkeys(PUBLIC, "none")}.items():
        stated = document["paths"][path][method.lower()]["x-required-permission"]
        assert stated == permission, (method, path)
    schemes = set(document["components"]["securitySchemes"])
    for route in FORWARDED:
        operation = document["paths"]["/api" + route.path][route.method.lower()]
        assert operation["x-required-permission"] == route.permission
        every_site = route.every_site.value if route.every_site else None
        assert operation.get("x-needs-every-site") == every_site, (route.method, route.path)
        assert {name for entry in operation["security"] for name in entry} == schemes
    assert schemes == {"HTTPBearer", "APIKeyHeader"}


async def test_every_role_gets_exactly_the_routes_its_permissions_allow(make_gateway, upstream):
    gateway = await make_gateway(service_routes=None)
    callers: dict[str, tuple[frozenset[str], dict[str, str]]] = {}
    admin = await gateway.headers_for([Role.ADMIN])
    for role in Role:
        permissions = frozenset(ROLE_PERMISSIONS[role])
        callers[f"user:{role.value}"] = (permissions, await gateway.headers_for([role]))
        created = await gateway.client.post(
            "/api/v1/api-keys",
            json={"name": f"key {role.value}", "roles": [role.value], "sites": ["*"]},
            headers=admin,
        )
        callers[f"key:{role.value}"] = (permissions, {"X-API-Key": created.json()["key"]})
    upstream.requests.clear()

    wrong: list[str] = []
    checked = 0
    # Logging out ends the callers' sessions, so it goes last.
    for (method, path), permission in sorted(
        EXPECTED.items(), key=lambda item: (item[0] == ("POST", "/api/v1/auth/logout"), item[0])
    ):
        url = concrete(path)
        body = {} if method in {"POST", "PUT", "PATCH"} else None
        before = len(upstream.requests)
        anonymous = await gateway.client.request(method, url, json=body)
        if anonymous.status_code != 401 or anonymous.json()["error"]["code"] != "UNAUTHENTICATED":
            wrong.append(f"{method} {path} anonymous: {anonymous.status_code}")
        for name, (permissions, headers) in callers.items():
            checked += 1
            answer = await gateway.client.request(method, url, json=body, headers=headers)
            allowed = permission == ANY_CALLER or permission in permissions
            if allowed and answer.status_code in (401, 403):
                wrong.append(f"{method} {path} {name}: refused with {answer.status_code}")
            if not allowed and (
                answer.status_code != 403 or answer.json()["error"]["code"] != "PERMISSION_DENIED"
            ):
                wrong.append(f"{method} {path} {name}: {answer.status_code}, expected 403")
            if not allowed and len(upstream.requests) != before:
                wrong.append(f"{method} {path} {name}: reached the service")
            before = len(upstream.requests)
    assert not wrong, "\n".join(wrong)
    assert checked == len(EXPECTED) * 2 * len(Role)
    # The allowed calls with a valid shape did reach the service (the stub answers them all).
    assert upstream.requests


def test_the_gateway_describes_every_route_of_the_inventory_contract_and_no_other():
    from gateway.entrypoints.forwarded.inventory import INVENTORY_MODELS

    assert set(INVENTORY_MODELS) == {(r.method, r.path) for r in INVENTORY_ROUTES}


def test_the_gateway_describes_every_route_of_the_reporting_contract_with_reports_read():
    from gateway.entrypoints.forwarded.reporting import REPORTING_MODELS
    from gateway.entrypoints.forwarded.reporting import REPORTING_ROUTES as SPECS

    assert set(REPORTING_MODELS) == {(r.method, r.path) for r in REPORTING_ROUTES}
    assert {spec.permission for spec in SPECS} == {"reports:read"}


def test_the_gateway_describes_every_route_of_the_compliance_contract_and_no_other():
    from gateway.entrypoints.forwarded.compliance import COMPLIANCE_MODELS

    assert set(COMPLIANCE_MODELS) == {(r.method, r.path) for r in COMPLIANCE_ROUTES}


def test_compliance_settings_need_manage_and_pushes_and_reads_need_sync():
    # The split: compliance:manage configures Metrc (rules, keys), compliance:sync pushes
    # and reads what was pushed; the batch detail's Metrc link is part of the batch detail.
    for route in COMPLIANCE_ROUTES:
        if "/rules" in route.path or "/credentials" in route.path:
            assert route.permission == "compliance:manage", route
        elif route.path.endswith("/metrc-link"):
            assert route.permission == "inventory:read", route
        elif route.path.endswith(("/approve", "/reject")):
            # Issue 12: a reconciliation finding's fix is applied or refused with manage only.
            assert route.permission == "compliance:manage", route
        else:
            assert route.permission == "compliance:sync", route
    assert {Role.ADMIN, Role.OWNER, Role.COMPLIANCE_QA} == {
        role
        for role, permissions in ROLE_PERMISSIONS.items()
        if {"compliance:sync", "compliance:manage"} <= permissions
    }


async def test_writes_document_the_idempotency_key_and_reads_the_query_they_accept(make_gateway):
    gateway = await make_gateway(service_routes=None)
    document = gateway.app.openapi()
    intake = document["paths"]["/api/v1/batches/intake"]["post"]
    assert "Idempotency-Key" in {p["name"] for p in intake["parameters"]}
    assert intake["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "IntakeRequest"
    )
    listing = document["paths"]["/api/v1/batches"]["get"]
    assert {"limit", "cursor", "siteId", "status"} <= {p["name"] for p in listing["parameters"]}


async def test_every_public_path_reaches_its_own_route_not_a_look_alike(make_gateway, upstream):
    # Matching is in order and a failed parameter does not fall through, so a literal path such
    # as /batches/bulk/status must not be swallowed by /batches/{batchId}/status.
    gateway = await make_gateway(service_routes=None)
    admin = await gateway.headers_for([Role.ADMIN])
    for route in FORWARDED:
        url = concrete("/api" + route.path)
        body = {} if route.method in {"POST", "PATCH", "PUT"} else None
        answer = await gateway.client.request(route.method, url, json=body, headers=admin)
        if answer.status_code == 422:
            places = [p["in"] for p in answer.json()["error"]["details"]["problems"]]
            assert "path" not in places, (route, places)
        else:
            assert upstream.requests[-1].path == url.removeprefix("/api"), route


async def test_the_api_and_event_documentation_is_public_and_outside_the_document(
    make_gateway, upstream
):
    # /docs and /openapi.json are FastAPI's own; the AsyncAPI document and its page sit beside
    # them, answered to anyone, never forwarded, and not operations of the OpenAPI document.
    from shared.events.asyncapi import ASYNCAPI_FILE

    gateway = await make_gateway(service_routes=None)
    for path in ("/openapi.json", "/docs", "/asyncapi.json", "/asyncapi"):
        answer = await gateway.client.get(path)
        assert answer.status_code == 200, path
        assert path not in gateway.app.openapi()["paths"]
    events = await gateway.client.get("/asyncapi.json")
    assert events.headers["content-type"] == "application/json"
    assert events.content == ASYNCAPI_FILE.read_bytes()
    assert events.json()["asyncapi"] == "3.0.0"
    page = await gateway.client.get("/asyncapi")
    assert page.headers["content-type"].startswith("text/html")
    assert '"/asyncapi.json"' in page.text
    assert not upstream.requests
