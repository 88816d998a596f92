"""Fixtures of the gateway tests: a migrated identity database, a gateway app in-process, and a
recording stub standing in for the services behind it (a real HTTP server on a local port)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from gateway.entrypoints.forwarded.routes import RouteSpec
from gateway.testing import MIGRATIONS, GatewayHarness, settings_for_test
from multidict import CIMultiDict
from pydantic import BaseModel, ConfigDict, Field
from shared.identity import generate_keypair
from shared.testing.plugin import MigratedDatabase


@dataclass
class Recorded:
    method: str
    path: str
    query: str
    headers: CIMultiDict[str]
    body: bytes


@dataclass
class RecordingUpstream:
    """Records every request; answers 200 with a JSON echo unless told otherwise."""

    url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    handler: Callable[[Recorded], Awaitable[web.StreamResponse]] | None = None

    async def handle(self, request: web.Request) -> web.StreamResponse:
        recorded = Recorded(
            method=request.method,
            path=request.path,
            query=request.query_string,
            headers=CIMultiDict(request.headers),
            body=await request.read(),
        )
        self.requests.append(recorded)
        if self.handler is not None:
            return await self.handler(recorded)
        return web.json_response({"echo": recorded.path, "method": recorded.method})


@pytest.fixture(scope="session")
def identity_keys() -> tuple[str, str]:
    return generate_keypair()


@pytest.fixture
async def upstream() -> AsyncIterator[RecordingUpstream]:
    stub = RecordingUpstream()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", stub.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    stub.url = f"http://127.0.0.1:{port}"
    yield stub
    await runner.cleanup()


@pytest.fixture
async def gateway_db(migrated_database: MigratedDatabase) -> str:
    """A fresh identity database at head (a copy of the run's template, see shared.testing.plugin)."""
    return await migrated_database(MIGRATIONS)


# --- a small service route table, so forwarding is tested apart from any real service ----------


class WidgetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    site_id: str = Field(pattern=r"^[a-z0-9-]{1,40}$")
    quantity: str = Field(pattern=r"^-?\d{1,6}(\.\d{1,4})?$")


class WidgetOut(BaseModel):
    echo: str
    method: str


class WidgetQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    site_id: str | None = Field(default=None, pattern=r"^[a-z0-9-]{1,40}$")
    limit: int = Field(default=50, ge=1, le=200)


STUB_ROUTES = (
    RouteSpec(
        upstream="inventory",
        method="GET",
        path="/v1/widgets",
        permission="inventory:read",
        summary="List widgets",
        query=WidgetQuery,
        response=WidgetOut,
    ),
    RouteSpec(
        upstream="inventory",
        method="POST",
        path="/v1/widgets",
        permission="inventory:create",
        summary="Create a widget",
        body=WidgetIn,
        response=WidgetOut,
        status_code=201,
        idempotent=True,
    ),
    RouteSpec(
        upstream="inventory",
        method="GET",
        path="/v1/widgets/{widget_id}",
        permission="inventory:read",
        summary="One widget",
        response=WidgetOut,
    ),
    RouteSpec(
        upstream="inventory",
        method="DELETE",
        path="/v1/widgets/{widget_id}",
        permission="inventory:delete",
        summary="Delete a widget",
        status_code=204,
    ),
    RouteSpec(
        upstream="reporting",
        method="GET",
        path="/v1/reports/stock",
        permission="reports:read",
        summary="A report",
        response=WidgetOut,
    ),
)


@pytest.fixture
def stub_routes() -> tuple[RouteSpec, ...]:
    return STUB_ROUTES


GatewayFactory = Callable[..., Awaitable[GatewayHarness]]


@pytest.fixture
async def make_gateway(
    gateway_db: str, identity_keys: tuple[str, str], upstream: RecordingUpstream
) -> AsyncIterator[GatewayFactory]:
    started: list[GatewayHarness] = []

    async def make(**env: Any) -> GatewayHarness:
        routes = env.pop("service_routes", STUB_ROUTES)
        address = env.pop("client_address", ("10.0.0.1", 40000))
        urls = dict.fromkeys(("INVENTORY_URL", "COMPLIANCE_URL", "REPORTING_URL"), upstream.url)
        settings = settings_for_test(gateway_db, identity_keys[0], **{**urls, **env})
        harness = GatewayHarness.start(settings, service_routes=routes, client_address=address)
        started.append(harness)
        return harness

    yield make
    for harness in started:
        await harness.close()


@pytest.fixture
async def gateway(make_gateway: GatewayFactory) -> GatewayHarness:
    return await make_gateway()
