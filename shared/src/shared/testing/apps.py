"""An app of the kit (``shared.http.create_service_app``) for tests: the parts a service's
bootstrap would give it, with a database check of the test's choosing; and every API route of an
app, for the tests that check a rule on each."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from opentelemetry.sdk.trace import TracerProvider

from shared.http import create_service_app
from shared.settings import ServiceSettings

__all__ = ["AppParts", "api_routes", "kit_app"]


async def _nothing() -> None:
    await asyncio.sleep(0)


@dataclass(frozen=True)
class AppParts:
    settings: ServiceSettings
    tracer_provider: TracerProvider | None = None
    check: Callable[[], Awaitable[None]] = _nothing
    closed: list[bool] = field(default_factory=list)

    async def database_check(self) -> None:
        await self.check()

    async def close(self) -> None:
        self.closed.append(True)


def kit_app(
    *,
    kafka: str = "127.0.0.1:9",
    database_check: Callable[[], Awaitable[None]] = _nothing,
    public_key: str | None = None,
    tracer_provider: TracerProvider | None = None,
) -> FastAPI:
    """An app with no routes of its own (the test adds them); Kafka at ``kafka``; with
    ``public_key``, the gateway's identity tokens are verified."""
    settings = ServiceSettings(KAFKA_BOOTSTRAP_SERVERS=kafka, CANOPY_IDENTITY_PUBLIC_KEY=public_key)
    parts = AppParts(settings=settings, tracer_provider=tracer_provider, check=database_check)
    return create_service_app(
        title="t", description="t", parts=parts, identity_tokens=public_key is not None
    )


def api_routes(routes: Sequence[Any]) -> list[APIRoute]:
    """Every API route, those of included routers too (FastAPI keeps a router whole)."""
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif (included := getattr(route, "original_router", None)) is not None:
            found += api_routes(included.routes)
    return found
