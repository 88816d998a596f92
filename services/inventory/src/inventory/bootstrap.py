"""Composition root of the inventory service: the one place where adapters are built and wired."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial

from fastapi import FastAPI
from shared.database import Database
from shared.telemetry import configure_tracing

from inventory.adapters.unit_of_work import InventoryUnitOfWork
from inventory.config import InventorySettings
from inventory.entrypoints import api
from inventory.entrypoints.container import Container
from inventory.entrypoints.worker import consume, on_compliance_event

__all__ = ["build", "build_worker", "create_app", "worker"]


def build(settings: InventorySettings) -> Container:
    return build_worker(settings)[0]


def build_worker(
    settings: InventorySettings,
) -> tuple[Container, Callable[[], InventoryUnitOfWork]]:
    """The container, and the concrete units of work a Kafka consumer's inbox runs on."""
    tracer_provider = configure_tracing(settings)
    # The asyncpg pool every read and write goes through; it is created on first use.
    database = Database.of_service(
        settings,
        tracer_provider if settings.trace_database else None,
        max_size=settings.database_pool_size,
    )
    container = Container(
        settings=settings,
        uow=partial(InventoryUnitOfWork, database),
        reader=partial(InventoryUnitOfWork, database, autocommit=True),
        database_check=database.check,
        close=database.close,
        tracer_provider=tracer_provider,
    )
    return container, partial(InventoryUnitOfWork, database)


async def worker(settings: InventorySettings, stop: asyncio.Event) -> None:
    """The worker process's body (``python -m inventory worker``)."""
    container, units = build_worker(settings)
    await consume(settings, stop, container, units, on_compliance_event)


def create_app(settings: InventorySettings | None = None) -> FastAPI:
    """The API process's app (``python -m inventory api`` names this factory)."""
    return api.create_app(build(settings or InventorySettings()))
