"""Composition root of the reporting service: the one place where adapters are built and wired."""

from __future__ import annotations

import asyncio
from functools import partial

from fastapi import FastAPI
from shared.database import Database, UnitOfWork
from shared.messaging import run_worker
from shared.telemetry import configure_tracing

from reporting.config import ReportingSettings
from reporting.entrypoints import api, consumers
from reporting.entrypoints.container import Container

__all__ = ["build", "create_app", "worker"]


def build(settings: ReportingSettings) -> Container:
    tracer_provider = configure_tracing(settings)
    # The asyncpg pool (shared.database); it is created on first use.
    database = Database(
        settings.database_url.get_secret_value(),
        name="reporting",
        tracer=tracer_provider.get_tracer("reporting.database"),
    )
    return Container(
        settings=settings,
        uow=partial(UnitOfWork, database),
        database_check=database.check,
        close=database.close,
        tracer_provider=tracer_provider,
    )


def create_app(settings: ReportingSettings | None = None) -> FastAPI:
    """The API process's app (``python -m reporting api`` names this factory)."""
    return api.create_app(build(settings or ReportingSettings()))


async def worker(settings: ReportingSettings, stop: asyncio.Event) -> None:
    """The worker process (``python -m reporting worker``): its consumers until SIGTERM."""
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
