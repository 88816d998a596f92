"""End-to-end fixtures: the real inventory service on a real port (uvicorn, its own migrated
database, real Kafka for its readiness), and the gateway in front of it with its own identity
database. Requests go client -> gateway (in-process ASGI) -> HTTP -> inventory -> PostgreSQL.

``running_platform`` (tests/conftest.py, shared.testing.platform) runs both as processes instead,
as a user's stack runs them; their logs are part of the run's log audit."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import inventory
import pytest
import uvicorn
from gateway.domain import Role
from gateway.testing import MIGRATIONS as GATEWAY_MIGRATIONS
from gateway.testing import GatewayHarness, settings_for_test
from inventory.bootstrap import create_app as create_inventory_app
from inventory.config import InventorySettings
from shared.testing.infra import KafkaServer
from shared.testing.intake import intake_body
from shared.testing.plugin import MigratedDatabase

INVENTORY_MIGRATIONS = Path(inventory.__file__).parent / "migrations"


@pytest.fixture
async def databases(migrated_database: MigratedDatabase) -> tuple[str, str]:
    """Inventory's and the gateway's, migrated (copies of the run's templates)."""
    return (
        await migrated_database(INVENTORY_MIGRATIONS),
        await migrated_database(GATEWAY_MIGRATIONS),
    )


@dataclass
class RunningInventory:
    url: str
    server: uvicorn.Server
    task: asyncio.Task[None]


@pytest.fixture
async def inventory_service(
    databases: tuple[str, str], identity_keys: tuple[str, str], kafka_server: KafkaServer
) -> AsyncIterator[RunningInventory]:
    settings = InventorySettings(
        INVENTORY_DATABASE_URL=databases[0],
        CANOPY_IDENTITY_PUBLIC_KEY=identity_keys[1],
        KAFKA_BOOTSTRAP_SERVERS=kafka_server.bootstrap,
        CANOPY_ENV="test",
    )
    app = create_inventory_app(settings)
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=0, log_config=None, access_log=False, lifespan="on"
        )
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield RunningInventory(url=f"http://127.0.0.1:{port}", server=server, task=task)
    server.should_exit = True
    await task


@dataclass
class Caller:
    """A user of the gateway: their id and the headers that authenticate them."""

    user_id: str
    headers: dict[str, str]
    gateway: GatewayHarness

    async def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return await self.gateway.client.request(method, path, headers=headers, **kwargs)

    async def ok(self, method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
        response = await self.call(method, path, **kwargs)
        assert response.status_code == status, response.text
        return response.json()


@dataclass
class Platform:
    gateway: GatewayHarness
    inventory: RunningInventory
    admin: Caller | None = None
    site_id: str = ""
    location_a: str = ""
    location_b: str = ""
    counter: list[int] = field(default_factory=lambda: [0])

    async def caller(self, roles: list[Role], sites: list[str] | None = None) -> Caller:
        email = await self.gateway.create_user(roles=roles, sites=sites or ["*"])
        tokens = await self.gateway.login(email)
        return Caller(
            user_id=tokens["user"]["id"],
            headers={"Authorization": f"Bearer {tokens['access_token']}"},
            gateway=self.gateway,
        )

    async def site(self, name: str, license_number: str) -> tuple[str, str, str]:
        assert self.admin is not None
        site = await self.admin.ok(
            "POST",
            "/api/v1/sites",
            201,
            json={"name": name, "licenseNumber": license_number, "state": "OR"},
        )
        locations = [
            await self.admin.ok(
                "POST",
                f"/api/v1/sites/{site['id']}/locations",
                201,
                json={"zone": "Vault", "rack": rack},
            )
            for rack in ("R1", "R2")
        ]
        return site["id"], locations[0]["id"], locations[1]["id"]

    def intake_body(self, site_id: str | None = None, **overrides: Any) -> dict[str, Any]:
        self.counter[0] += 1
        body = intake_body(
            site_id or self.site_id,
            vendor={"name": "Green Valley Farms", "licenseNumber": "C-42"},
            lot={"code": "GV-2026-03"},
            location={"zone": "Vault", "rack": "R1"},
            code=f"E2E-{self.counter[0]:04d}",
        )
        body.update(overrides)
        return body

    async def intake(self, caller: Caller | None = None, **overrides: Any) -> dict[str, Any]:
        result = await (caller or self.admin).ok(  # type: ignore[union-attr]
            "POST", "/api/v1/batches/intake", 201, json=self.intake_body(**overrides)
        )
        return dict(result["batch"])

    async def live(self, caller: Caller | None = None, **overrides: Any) -> dict[str, Any]:
        batch = await self.intake(caller, **overrides)
        result = await (caller or self.admin).ok(  # type: ignore[union-attr]
            "POST",
            f"/api/v1/batches/{batch['id']}/status",
            json={"status": "LIVE", "reason": "received"},
        )
        return dict(result["batch"])


@pytest.fixture
async def platform(
    databases: tuple[str, str], identity_keys: tuple[str, str], inventory_service: RunningInventory
) -> AsyncIterator[Platform]:
    harness = GatewayHarness.start(
        settings_for_test(databases[1], identity_keys[0], INVENTORY_URL=inventory_service.url)
    )
    built = Platform(gateway=harness, inventory=inventory_service)
    built.admin = await built.caller([Role.ADMIN])
    built.site_id, built.location_a, built.location_b = await built.site("North", "LIC-N-1")
    yield built
    await harness.close()


@pytest.fixture
def upstream_calls(platform: Platform) -> Callable[[], int]:
    """How many HTTP requests the inventory service has received so far (uvicorn's count)."""

    def count() -> int:
        return int(platform.inventory.server.server_state.total_requests)

    return count


# --- both services as processes -----------------------------------------------------------------
