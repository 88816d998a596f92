"""Composition root of the inventory service: the one place where adapters are built and wired."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from opentelemetry.sdk.trace import TracerProvider
from shared.telemetry import configure_tracing, instrument_engine
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from inventory.adapters.database import Database
from inventory.config import InventorySettings
from inventory.service_layer.unit_of_work import UnitOfWork, UnitOfWorkFactory

__all__ = ["Container", "build"]


@dataclass(frozen=True)
class Container:
    settings: InventorySettings
    engine: AsyncEngine
    """SQLAlchemy engine: readiness checks and migrations (the platform's tooling)."""
    sessions: async_sessionmaker[AsyncSession]
    database: Database
    """asyncpg pool: every read and write of the service (see adapters/database.py)."""
    uow: UnitOfWorkFactory
    tracer_provider: TracerProvider


def build(settings: InventorySettings) -> Container:
    provider = configure_tracing(settings)
    url = settings.database_url.get_secret_value()
    engine = create_async_engine(url, pool_size=2, max_overflow=2, pool_pre_ping=True)
    instrument_engine(engine, provider)
    database = Database(url, max_size=settings.database_pool_size)
    return Container(
        settings=settings,
        engine=engine,
        sessions=async_sessionmaker(engine, expire_on_commit=False),
        database=database,
        uow=partial(UnitOfWork, database),
        tracer_provider=provider,
    )
