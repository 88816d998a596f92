"""What the compliance service's entrypoints are given by the composition root (``bootstrap``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from opentelemetry.sdk.trace import TracerProvider

from compliance.config import ComplianceSettings
from compliance.service_layer import (
    CredentialsService,
    ManualOperations,
    Queries,
    RulesService,
    ServiceContext,
)
from compliance.service_layer.reconciliation import ReconciliationService
from compliance.service_layer.sync_health import SyncHealth
from compliance.service_layer.sync_service import SyncService

if TYPE_CHECKING:
    # The PostgreSQL unit of work: both the service layer's port and shared.database's (the
    # inbox consumer writes its inbox rows on its connection).
    from compliance.adapters.postgres import ComplianceUnitOfWork

__all__ = ["Container", "Handlers", "SyncHandlers"]


@dataclass(frozen=True)
class Handlers:
    """The service layer the HTTP API calls, wired by bootstrap on the service's adapters."""

    credentials: CredentialsService
    rules: RulesService
    manual: ManualOperations
    queries: Queries
    sync: SyncHandlers | None = None
    """Pull sync: runs, progress and sync health (absent in API tests without PostgreSQL)."""
    reconciliation: ReconciliationService | None = None
    """Reconciliation, findings and their fixes (absent in API tests without PostgreSQL)."""


@dataclass(frozen=True)
class SyncHandlers:
    service: SyncService
    health: SyncHealth


@dataclass(frozen=True)
class Container:
    settings: ComplianceSettings
    uow: Callable[[], ComplianceUnitOfWork]
    """One transaction per unit of work (``shared.database``): the inbox, the outbox and the
    Idempotency-Key store."""
    database_check: Callable[[], Awaitable[None]]
    close: Callable[[], Awaitable[None]]
    tracer_provider: TracerProvider
    context: ServiceContext
    """The service layer's ports and policy (the worker's loops run on it)."""
    handlers: Handlers
