"""A service's routes come from its contract's table and let through only the gateway's
identity tokens holding the route's permission; the caller reaches the route."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from shared.contracts.routes import EverySite, Route
from shared.http import ContractRoutes
from shared.http.identity import VerifiedTokens
from shared.identity import (
    IDENTITY_HEADER,
    Identity,
    generate_keypair,
    issue_identity_token,
    verify_identity_token,
)
from shared.testing.apps import kit_app

PRIVATE, PUBLIC = generate_keypair()
ROUTES = (
    Route("GET", "/v1/things", "things:read", "List things"),
    Route("POST", "/v1/things", "things:write", "Make a thing"),
    Route("DELETE", "/v1/things", "things:write", "Never registered"),
    Route("GET", "/v1/licenses", "things:read", "License-wide", EverySite.ALWAYS),
    Route("GET", "/v1/log", "things:read", "License-wide or one site's", EverySite.WITHOUT_SITE_ID),
)


@dataclass(frozen=True)
class Caller:
    identity: Identity
    request_id: str | None


routes: ContractRoutes[Caller] = ContractRoutes(ROUTES, caller=Caller)
router = APIRouter()


@routes.endpoint(router, "GET", "/v1/things", response_model=dict[str, str])
async def list_things(caller: Caller) -> dict[str, str]:
    return {"subject": caller.identity.subject, "request_id": caller.request_id or ""}


@routes.endpoint(router, "POST", "/v1/things", response_model=dict[str, str], status_code=201)
async def make_thing() -> dict[str, str]:
    return {"made": "yes"}


@routes.endpoint(router, "GET", "/v1/licenses", response_model=dict[str, str])
@routes.endpoint(router, "GET", "/v1/log", response_model=dict[str, str])
async def license_wide() -> dict[str, str]:
    return {"seen": "yes"}


def app() -> FastAPI:
    built = kit_app(public_key=PUBLIC)
    built.include_router(router)
    return built


def token(
    *permissions: str, key: str = PRIVATE, ttl: float = 60, sites: tuple[str, ...] = ("*",)
) -> dict[str, str]:
    identity = Identity(subject="user-1", permissions=permissions, sites=sites)
    return {IDENTITY_HEADER: issue_identity_token(identity, key, ttl=timedelta(seconds=ttl))}


async def call(method: str, headers: dict[str, str], path: str = "/v1/things") -> httpx.Response:
    transport = httpx.ASGITransport(app=app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.request(method, path, headers=headers)


async def test_a_permitted_caller_reaches_the_route_with_its_identity_and_request_id() -> None:
    response = await call("GET", {**token("things:read"), "X-Request-ID": "req-7"})
    assert response.status_code == 200
    assert response.json() == {"subject": "user-1", "request_id": "req-7"}
    made = await call("POST", token("things:write"))
    assert (made.status_code, made.json()) == (201, {"made": "yes"})


async def test_a_request_without_the_gateways_token_is_refused_with_401() -> None:
    for headers in (
        {},
        token("things:read", key=generate_keypair()[0]),
        token("things:read", ttl=-60),
    ):
        response = await call("GET", headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "UNAUTHENTICATED"


async def test_a_caller_without_the_routes_permission_is_refused_with_403() -> None:
    for method, held in (("GET", "things:write"), ("POST", "things:read")):
        response = await call(method, token(held))
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "PERMISSION_DENIED"


async def test_a_license_wide_route_is_refused_to_a_caller_granted_only_some_sites() -> None:
    some = token("things:read", sites=("site-1",))
    every = token("things:read")
    for path in ("/v1/licenses", "/v1/log", "/v1/licenses?siteId=site-1"):
        refused = await call("GET", some, path)
        assert (refused.status_code, refused.json()["error"]["code"]) == (
            403,
            "SITE_ACCESS_DENIED",
        ), path
    assert (await call("GET", some, "/v1/log?siteId=site-1")).status_code == 200
    for path in ("/v1/licenses", "/v1/log"):
        assert (await call("GET", every, path)).status_code == 200, path


async def test_an_unknown_path_or_method_answers_in_the_one_error_body() -> None:
    transport = httpx.ASGITransport(app=app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        missing = await client.get("/v1/nothing")
        wrong = await client.put("/v1/things")
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "NOT_FOUND")
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (405, "METHOD_NOT_ALLOWED")


def test_the_contracts_routes_nobody_registered_are_named() -> None:
    assert routes.unserved(app()) == [ROUTES[2]]


def test_a_verified_token_is_remembered_until_it_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    tokens = VerifiedTokens(PUBLIC)
    issued = token("things:read", ttl=10)[IDENTITY_HEADER]
    verified = [tokens.verify(issued) for _ in range(3)]
    assert {v.subject for v in verified} == {"user-1"}
    calls = 0

    def counting(token: str, key: str) -> Identity:
        nonlocal calls
        calls += 1
        return verify_identity_token(token, key)

    monkeypatch.setattr("shared.http.identity.verify_identity_token", counting)
    tokens.verify(issued)
    assert calls == 0  # remembered: no second signature check
    monkeypatch.setattr("shared.http.identity.time.time", lambda: 10**10)
    tokens.verify(issued)  # past its expiry by the cache's clock: the signature is checked again
    assert calls == 1
