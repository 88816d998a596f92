"""What the HTTP edge is given by the composition root (``bootstrap``): the settings, the pool's
readiness and shutdown, and the factories of units of work. The edge never builds adapters."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from opentelemetry.sdk.trace import TracerProvider

from inventory.config import InventorySettings
from inventory.service_layer.ports import UnitOfWorkFactory

__all__ = ["Container"]


@dataclass(frozen=True)
class Container:
    settings: InventorySettings
    uow: UnitOfWorkFactory
    """One transaction per unit of work."""
    reader: UnitOfWorkFactory
    """Autocommit units: reads, and the optimistic single-batch write."""
    database_check: Callable[[], Awaitable[None]]
    """Readiness: one round trip to the database."""
    close: Callable[[], Awaitable[None]]
    """Closes the pool at shutdown (it is created on first use)."""
    tracer_provider: TracerProvider
