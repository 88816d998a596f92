"""A service's database handle: one async engine (instrumented for traces) and its session factory."""

from __future__ import annotations

from dataclasses import dataclass

from opentelemetry.sdk.trace import TracerProvider
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from shared.settings import ServiceSettings
from shared.telemetry import instrument_engine

__all__ = ["Database", "open_database"]


@dataclass(frozen=True)
class Database:
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]

    async def dispose(self) -> None:
        await self.engine.dispose()


def open_database(
    settings: ServiceSettings,
    tracer_provider: TracerProvider,
    *,
    pool_size: int = 20,
    max_overflow: int = 10,
) -> Database:
    engine = create_async_engine(
        settings.database_url.get_secret_value(),
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_pre_ping=True,
        # A failed statement's parameters never reach an error's text, hence never a log.
        hide_parameters=True,
    )
    instrument_engine(engine, tracer_provider)
    # Objects stay usable after commit: handlers return what they wrote without reloading it.
    return Database(engine=engine, sessions=async_sessionmaker(engine, expire_on_commit=False))
