"""Helpers for tests that run the gateway in-process (its own tests and the end-to-end tests)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from pydantic import SecretStr
from shared.migrations import upgrade
from shared.testing.log_audit import register_secret

from gateway.bootstrap import Container
from gateway.config import GatewaySettings
from gateway.domain import Role
from gateway.entrypoints.api import create_app
from gateway.entrypoints.forwarded.routes import RouteSpec

__all__ = ["MIGRATIONS", "GatewayHarness", "migrate", "settings_for_test"]

MIGRATIONS = Path(__file__).parent / "migrations"
PASSWORD = "correct horse battery staple"


async def migrate(database_url: str) -> None:
    # Alembic runs its own event loop; keep it off the test's loop.
    await asyncio.to_thread(upgrade, MIGRATIONS, database_url)


def settings_for_test(database_url: str, identity_private_key: str, **env: Any) -> GatewaySettings:
    """Settings for a test: the given database and key, cheap argon2 (tests hash a lot)."""
    values: dict[str, Any] = {
        "CANOPY_ENV": "test",
        "GATEWAY_DATABASE_URL": database_url,
        "GATEWAY_IDENTITY_PRIVATE_KEY": identity_private_key,
        "GATEWAY_ARGON2_TIME_COST": 1,
        "GATEWAY_ARGON2_MEMORY_KIB": 1024,
        "GATEWAY_ARGON2_PARALLELISM": 1,
        "OTEL_TRACES_EXPORTER": "none",
        **env,
    }
    return GatewaySettings(**values)


@dataclass
class GatewayHarness:
    """A gateway app with an HTTP client on it, and shortcuts to make users and log them in."""

    app: FastAPI
    client: httpx.AsyncClient
    _counter: list[int] = field(default_factory=lambda: [0])

    @classmethod
    def start(
        cls,
        settings: GatewaySettings,
        *,
        service_routes: Sequence[RouteSpec] | None = None,
        client_address: tuple[str, int] = ("10.0.0.1", 40000),
    ) -> GatewayHarness:
        app = create_app(settings, service_routes=service_routes)
        transport = httpx.ASGITransport(app=app, client=client_address)
        client = httpx.AsyncClient(transport=transport, base_url="http://gateway.test")
        return cls(app=app, client=client)

    @property
    def container(self) -> Container:
        container: Container = self.app.state.container
        return container

    async def close(self) -> None:
        await self.client.aclose()
        await self.container.forwarder.close()
        await self.container.engine.dispose()

    async def create_user(
        self,
        *,
        roles: Sequence[Role | str],
        sites: Sequence[str] = ("*",),
        email: str | None = None,
        password: str = PASSWORD,
    ) -> str:
        self._counter[0] += 1
        email = email or f"user{self._counter[0]}@test.example"
        register_secret(password)
        await self.container.accounts.create_user(
            email=email,
            password=SecretStr(password),
            display_name=None,
            roles=[str(role) for role in roles],
            sites=sites,
        )
        return email

    async def login(self, email: str, password: str = PASSWORD) -> dict[str, Any]:
        response = await self.client.post(
            "/api/v1/auth/login", json={"email": email, "password": password}
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        for token in ("access_token", "refresh_token"):
            register_secret(body[token])
        return body

    async def headers_for(
        self, roles: Sequence[Role | str], sites: Sequence[str] = ("*",)
    ) -> dict[str, str]:
        """Authorization headers of a fresh user holding ``roles`` on ``sites``."""
        email = await self.create_user(roles=roles, sites=sites)
        tokens = await self.login(email)
        return {"Authorization": f"Bearer {tokens['access_token']}"}
