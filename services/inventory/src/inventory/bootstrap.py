"""Composition root of the inventory service: the one place where adapters are built and wired."""

from __future__ import annotations

from dataclasses import dataclass

from opentelemetry.sdk.trace import TracerProvider
from shared.telemetry import configure_tracing, instrument_engine
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from inventory.config import InventorySettings

__all__ = ["Container", "build"]


@dataclass(frozen=True)
class Container:
    settings: InventorySettings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    tracer_provider: TracerProvider


def build(settings: InventorySettings) -> Container:
    provider = configure_tracing(settings)
    engine = create_async_engine(
        settings.database_url.get_secret_value(), pool_size=20, max_overflow=10, pool_pre_ping=True
    )
    instrument_engine(engine, provider)
    return Container(
        settings=settings,
        engine=engine,
        sessions=async_sessionmaker(engine, expire_on_commit=False),
        tracer_provider=provider,
    )
