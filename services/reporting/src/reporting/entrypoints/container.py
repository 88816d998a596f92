"""What the reporting service's entrypoints are given by the composition root (``bootstrap``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from opentelemetry.sdk.trace import TracerProvider
from shared.database import UnitOfWork

from reporting.config import ReportingSettings

__all__ = ["Container"]


@dataclass(frozen=True)
class Container:
    settings: ReportingSettings
    uow: Callable[[], UnitOfWork]
    """One transaction per unit of work (``shared.database``)."""
    database_check: Callable[[], Awaitable[None]]
    close: Callable[[], Awaitable[None]]
    tracer_provider: TracerProvider
