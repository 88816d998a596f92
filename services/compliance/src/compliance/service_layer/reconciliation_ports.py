"""What reconciliation needs from the world.

* :class:`ReconciliationUnitOfWork`: the unit of work with the findings store and the
  set-based reads a run makes (links, mirror, queued writes, pull state), in one transaction.
* :class:`InventoryMovements`: inventory's public write API, for the one fix that records a
  movement in Canopy (a ``COUNT_DISCREPANCY`` adjustment). It acts as the approving person (their
  identity token from the gateway), so inventory checks their own permission and site.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol
from uuid import UUID

from compliance.domain.reconciliation import (
    FindingClass,
    FindingRecord,
    FindingState,
    Lot,
    MetrcAdjustment,
    MetrcPackage,
    PendingWrite,
    PullProblem,
)
from compliance.service_layer.ports import UnitOfWork

__all__ = [
    "FindingQuery",
    "FindingStore",
    "InventoryMovements",
    "InventoryRefusedError",
    "InventoryUnavailableError",
    "LocalMovement",
    "ReconciliationReads",
    "ReconciliationRun",
    "ReconciliationUnitOfWork",
]


@dataclass(frozen=True)
class ReconciliationRun:
    id: UUID
    license_number: str
    actor: str
    started_at: datetime
    finished_at: datetime
    lots: int
    packages: int
    opened: int
    updated: int
    settled: int
    by_class: Mapping[str, int]
    duration_ms: int


@dataclass(frozen=True)
class FindingQuery:
    license_number: str
    states: Sequence[FindingState] = ()
    classes: Sequence[FindingClass] = ()
    limit: int = 100
    before: tuple[datetime, UUID] | None = None
    """Keyset cursor: findings opened before this (time, id), newest first."""


class ReconciliationReads(Protocol):
    async def lots(self, license_number: str) -> list[Lot]: ...

    async def packages(self, license_number: str) -> list[MetrcPackage]: ...

    async def adjustments(self, license_number: str) -> list[MetrcAdjustment]: ...

    async def writes(self, license_number: str) -> list[PendingWrite]: ...

    async def pull_problems(self, license_number: str) -> list[PullProblem]: ...

    async def departed(self, license_number: str) -> frozenset[UUID]:
        """Batches whose sale a manifest settled as accepted by the receiver."""
        ...


class FindingStore(Protocol):
    async def lock(self, license_number: str) -> None: ...

    async def save_many(self, records: Sequence[FindingRecord]) -> None: ...

    async def publish(
        self, records: Sequence[FindingRecord], *, actor: str, at: datetime
    ) -> None: ...

    async def undecided(self, license_number: str) -> list[FindingRecord]: ...

    async def get(self, finding_id: UUID, *, for_update: bool = False) -> FindingRecord | None: ...

    async def search(self, query: FindingQuery) -> list[FindingRecord]: ...

    async def opened_by(self, license_number: str, as_of: datetime) -> list[FindingRecord]: ...

    async def settled_evidence(self, license_number: str) -> frozenset[str]: ...

    async def add_run(self, run: ReconciliationRun) -> None: ...

    async def runs(self, license_number: str, limit: int) -> list[ReconciliationRun]: ...


class ReconciliationUnitOfWork(UnitOfWork, Protocol):
    @property
    def findings(self) -> FindingStore: ...

    @property
    def reconciliation(self) -> ReconciliationReads: ...


@dataclass(frozen=True)
class LocalMovement:
    batch_id: UUID
    quantity: Decimal
    version: int
    notes: str
    idempotency_key: str
    identity_token: str = field(repr=False)
    """The approving person's identity token (as the gateway sent it; a credential: no repr)."""
    extra: Mapping[str, Any] = field(default_factory=dict)


class InventoryRefusedError(Exception):
    """Inventory answered with a business refusal (its error code and message)."""

    def __init__(self, code: str, message: str, status: int) -> None:
        self.code, self.message, self.status = code, message, status
        super().__init__(f"{code}: {message}")


class InventoryUnavailableError(Exception):
    """Inventory did not answer (or answered 5xx): nothing is known to have changed."""


class InventoryMovements(Protocol):
    async def record(self, movement: LocalMovement) -> Mapping[str, Any]:
        """Record the adjustment; answers inventory's reply (the batch after it).

        Raises:
            InventoryRefusedError: inventory refused it (stale version, permission ...).
            InventoryUnavailableError: inventory did not answer."""
        ...
