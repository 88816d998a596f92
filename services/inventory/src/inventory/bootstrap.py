"""Composition root of the inventory service: the one place where adapters are built and wired."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from opentelemetry.sdk.trace import TracerProvider
from shared.database import Database
from shared.telemetry import configure_tracing

from inventory.config import InventorySettings
from inventory.service_layer.unit_of_work import UnitOfWork, UnitOfWorkFactory

__all__ = ["Container", "build"]


@dataclass(frozen=True)
class Container:
    settings: InventorySettings
    database: Database
    """The asyncpg pool every read and write goes through (``shared.database``); it is created
    on first use."""
    uow: UnitOfWorkFactory
    tracer_provider: TracerProvider


def build(settings: InventorySettings) -> Container:
    tracer_provider = configure_tracing(settings)
    database = Database(
        settings.database_url.get_secret_value(),
        name="inventory",
        max_size=settings.database_pool_size,
        tracer=tracer_provider.get_tracer("inventory.database")
        if settings.trace_database
        else None,
    )
    return Container(
        settings=settings,
        database=database,
        uow=partial(UnitOfWork, database),
        tracer_provider=tracer_provider,
    )
