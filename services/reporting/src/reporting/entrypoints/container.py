"""What the reporting service's entrypoints are given by the composition root (``bootstrap``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from opentelemetry.sdk.trace import TracerProvider
from shared.database import UnitOfWork

from reporting.config import ReportingSettings
from reporting.service_layer.ports import ReportsUnitOfWork

__all__ = ["Container"]


@dataclass(frozen=True)
class Container:
    settings: ReportingSettings
    uow: Callable[[], UnitOfWork]
    """One transaction per unit of work (``shared.database``)."""
    reports: Callable[[], AbstractAsyncContextManager[ReportsUnitOfWork]]
    """One read-only snapshot of the live read models per report."""
    database_check: Callable[[], Awaitable[None]]
    close: Callable[[], Awaitable[None]]
    tracer_provider: TracerProvider
