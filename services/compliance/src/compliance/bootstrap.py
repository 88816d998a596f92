"""Composition root of the compliance service: the one place where adapters are built and wired."""

from __future__ import annotations

import asyncio
from functools import partial

from fastapi import FastAPI
from shared.database import Database, UnitOfWork
from shared.messaging import run_worker
from shared.telemetry import configure_tracing

from compliance.config import ComplianceSettings
from compliance.entrypoints import api, consumers
from compliance.entrypoints.container import Container

__all__ = ["build", "create_app", "worker"]


def build(settings: ComplianceSettings) -> Container:
    tracer_provider = configure_tracing(settings)
    # The asyncpg pool (shared.database); it is created on first use.
    database = Database(
        settings.database_url.get_secret_value(),
        name="compliance",
        tracer=tracer_provider.get_tracer("compliance.database"),
    )
    return Container(
        settings=settings,
        uow=partial(UnitOfWork, database),
        database_check=database.check,
        close=database.close,
        tracer_provider=tracer_provider,
    )


def create_app(settings: ComplianceSettings | None = None) -> FastAPI:
    """The API process's app (``python -m compliance api`` names this factory)."""
    return api.create_app(build(settings or ComplianceSettings()))


async def worker(settings: ComplianceSettings, stop: asyncio.Event) -> None:
    """The worker process (``python -m compliance worker``): its consumers until SIGTERM."""
    container = build(settings)
    try:
        await run_worker(
            settings.kafka_bootstrap_servers,
            lambda broker: consumers.subscribe(broker, container),
            stop,
            tracer_provider=container.tracer_provider,
        )
    finally:
        await container.close()
