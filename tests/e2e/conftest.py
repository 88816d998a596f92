"""End-to-end fixtures: the real inventory service on a real port (uvicorn, its own migrated
database, real Kafka for its readiness), and the gateway in front of it with its own identity
database. Requests go client -> gateway (in-process ASGI) -> HTTP -> inventory -> PostgreSQL.

``running_platform`` runs both as processes instead (``python -m inventory api``, ``python -m
gateway api``), as a user's stack runs them; their logs are part of the run's log audit."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import inventory
import pytest
import uvicorn
from gateway.domain import Role
from gateway.testing import GatewayHarness, migrate, settings_for_test
from inventory.config import InventorySettings
from inventory.entrypoints.api import create_app as create_inventory_app
from shared.identity import generate_keypair
from shared.migrations import upgrade
from shared.testing.infra import KafkaServer, PostgresServer
from shared.testing.log_audit import register_secret, watch_file
from shared.testing.processes import free_port, wait_healthy

INVENTORY_MIGRATIONS = Path(inventory.__file__).parent / "migrations"
ADMIN_PASSWORD = "the e2e admin's password"
CORS_ORIGIN = "http://localhost:5173"


@pytest.fixture(scope="session")
def identity_keys() -> tuple[str, str]:
    return generate_keypair()


@pytest.fixture
async def databases(postgres_server: PostgresServer) -> AsyncIterator[tuple[str, str]]:
    names = [
        await postgres_server.create_database("e2e_inv"),
        await postgres_server.create_database("e2e_gw"),
    ]
    urls = (postgres_server.url_for(names[0]), postgres_server.url_for(names[1]))
    await asyncio.to_thread(upgrade, INVENTORY_MIGRATIONS, urls[0])
    await migrate(urls[1])
    yield urls
    for name in names:
        await postgres_server.drop_database(name)


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
        body: dict[str, Any] = {
            "siteId": site_id or self.site_id,
            "vendor": {"name": "Green Valley Farms", "licenseNumber": "C-42"},
            "brand": {"name": "Valley Gold"},
            "product": {
                "name": "Blue Dream 3.5g",
                "category": "Flower",
                "strain": "Blue Dream",
                "unitOfMeasure": "Grams",
            },
            "lot": {"code": "GV-2026-03"},
            "location": {"zone": "Vault", "rack": "R1"},
            "code": f"E2E-{self.counter[0]:04d}",
            "quantity": "100.0000",
            "cogsMode": "FIXED",
            "unitCogs": "2.5000",
            "paymentTerms": "NET_30",
        }
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


def start_service(
    module: str, env: dict[str, str], log_path: Path
) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    watch_file(log_path)
    log = log_path.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", module, "api", "--port", str(port)],
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    wait_healthy(url, process, log=log_path)
    return url, process


@dataclass
class RunningPlatform:
    """The gateway and the inventory as processes; the gateway's URL and the databases."""

    url: str
    inventory_db: str
    logs: tuple[Path, Path]
    cors_origin: str = CORS_ORIGIN

    def admin_key(self) -> str:
        """An admin's API key (a session could be ended by a request under test), and a site."""
        login = httpx.post(
            self.url + "/api/v1/auth/login",
            json={"email": "admin@test.example", "password": ADMIN_PASSWORD},
        )
        auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
        key = httpx.post(
            self.url + "/api/v1/api-keys",
            json={"name": "e2e", "roles": ["Admin"], "sites": ["*"]},
            headers=auth,
        ).json()["key"]
        register_secret(key)
        site = httpx.post(
            self.url + "/api/v1/sites",
            json={"name": "Processes", "licenseNumber": "PROC-1", "state": "OR"},
            headers=auth,
        )
        assert site.status_code == 201, site.text
        return str(key)


@pytest.fixture
def running_platform(
    databases: tuple[str, str],
    identity_keys: tuple[str, str],
    kafka_server: KafkaServer,
    tmp_path: Path,
) -> Iterator[RunningPlatform]:
    common = {"CANOPY_ENV": "test", "OTEL_TRACES_EXPORTER": "none", "LOG_LEVEL": "INFO"}
    inventory_url, inventory_process = start_service(
        "inventory",
        {
            **common,
            "INVENTORY_DATABASE_URL": databases[0],
            "CANOPY_IDENTITY_PUBLIC_KEY": identity_keys[1],
            "KAFKA_BOOTSTRAP_SERVERS": kafka_server.bootstrap,
        },
        tmp_path / "inventory.log",
    )
    gateway_env = {
        **common,
        "GATEWAY_DATABASE_URL": databases[1],
        "GATEWAY_IDENTITY_PRIVATE_KEY": identity_keys[0],
        "KAFKA_BOOTSTRAP_SERVERS": kafka_server.bootstrap,
        "GATEWAY_ARGON2_TIME_COST": "1",
        "GATEWAY_ARGON2_MEMORY_KIB": "1024",
        "GATEWAY_ARGON2_PARALLELISM": "1",
        "GATEWAY_CORS_ORIGINS": CORS_ORIGIN,
        "INVENTORY_URL": inventory_url,
    }
    register_secret(ADMIN_PASSWORD)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "gateway",
            "create-admin",
            "--email",
            "admin@test.example",
            "--password-stdin",
        ],
        input=(ADMIN_PASSWORD + "\n").encode(),
        env={**os.environ, **gateway_env},
        capture_output=True,
        check=True,
    )
    gateway_url, gateway_process = start_service("gateway", gateway_env, tmp_path / "gateway.log")
    try:
        yield RunningPlatform(
            url=gateway_url,
            inventory_db=databases[0].replace("postgresql+asyncpg://", "postgresql://", 1),
            logs=(tmp_path / "gateway.log", tmp_path / "inventory.log"),
        )
    finally:
        for process in (gateway_process, inventory_process):
            process.terminate()
            process.wait(timeout=15)
