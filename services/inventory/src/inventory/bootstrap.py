"""Composition root of the inventory service: the one place where adapters are built and wired."""

from __future__ import annotations

from functools import partial

from fastapi import FastAPI
from shared.database import Database
from shared.telemetry import configure_tracing

from inventory.adapters.unit_of_work import InventoryUnitOfWork
from inventory.config import InventorySettings
from inventory.entrypoints import api
from inventory.entrypoints.container import Container

__all__ = ["build", "create_app"]


def build(settings: InventorySettings) -> Container:
    tracer_provider = configure_tracing(settings)
    # The asyncpg pool every read and write goes through; it is created on first use.
    database = Database.of_service(
        settings,
        tracer_provider if settings.trace_database else None,
        max_size=settings.database_pool_size,
    )
    return Container(
        settings=settings,
        uow=partial(InventoryUnitOfWork, database),
        reader=partial(InventoryUnitOfWork, database, autocommit=True),
        database_check=database.check,
        close=database.close,
        tracer_provider=tracer_provider,
    )


def create_app(settings: InventorySettings | None = None) -> FastAPI:
    """The API process's app (``python -m inventory api`` names this factory)."""
    return api.create_app(build(settings or InventorySettings()))
