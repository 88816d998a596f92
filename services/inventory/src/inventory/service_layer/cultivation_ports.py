"""The port through which the cultivation handlers (and the read side) reach plant batches,
tracked plants and harvests: ``UnitOfWork.cultivation``.

The adapter is ``inventory.adapters.cultivation_store`` (PostgreSQL); the service-layer tests
implement it in memory. Writes stage their ledger rows and outbox events in the unit of work's
transaction; the handlers hold the row lock (``lock_*``) of what they change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from shared.outbox import OutboxMessage

from inventory.domain.cultivation import (
    GrowthPhase,
    HarvestChange,
    HarvestState,
    HarvestStatus,
    Plant,
    PlantBatchChange,
    PlantBatchState,
    PlantState,
)

__all__ = ["CultivationRepository", "PlantFilter", "Written"]

Row = Mapping[str, Any]
"""A ledger row as read (column name to value), as ``ports.Row``."""


@dataclass(frozen=True, slots=True)
class Written:
    """Who wrote a change, as the ledger rows record it."""

    actor_name: str | None
    request_id: str | None


@dataclass(frozen=True, slots=True)
class PlantFilter:
    site_id: UUID
    plant_batch_id: UUID | None = None
    growth_phase: GrowthPhase | None = None
    state: PlantState | None = None


class CultivationRepository(Protocol):
    # plant batches
    async def lock_plant_batch(self, plant_batch_id: UUID) -> PlantBatchState | None: ...
    async def plant_batch(self, plant_batch_id: UUID) -> PlantBatchState | None: ...
    async def insert_plant_batch(self, change: PlantBatchChange, written: Written) -> list[int]:
        """Insert a new plant batch and its ledger rows; DuplicateKeyError
        (``plant_batch_name_key``) when the site has a batch of that name."""

    async def save_plant_batch(
        self, before_version: int, change: PlantBatchChange, written: Written
    ) -> list[int]:
        """Write the state after ``change`` and append its ledger rows (the row is locked)."""

    # tracked plants
    async def insert_plants(self, plants: Sequence[Plant]) -> None:
        """DuplicateKeyError (``plant_tag_key``) when a tag is taken in the site."""

    async def lock_plants(self, site_id: str, tags: Sequence[str]) -> dict[str, Plant]: ...
    async def save_plants(self, plants: Sequence[Plant]) -> None: ...

    # harvests
    async def lock_harvest(self, harvest_id: UUID) -> HarvestState | None: ...
    async def harvest(self, harvest_id: UUID) -> HarvestState | None: ...
    async def insert_harvest(self, change: HarvestChange, written: Written) -> list[int]:
        """DuplicateKeyError (``harvest_name_key``) when the site has a harvest of that name."""

    async def save_harvest(
        self, before_version: int, change: HarvestChange, written: Written
    ) -> list[int]: ...

    async def write_events(self, events: Sequence[OutboxMessage]) -> None:
        """Stage events in the transactional outbox."""

    # reads
    async def plant_batches(
        self, site_id: UUID, *, include_empty: bool, after: tuple[str, UUID] | None, limit: int
    ) -> list[PlantBatchState]: ...
    async def plant_movements(
        self, plant_batch_id: UUID, *, after: int | None, limit: int
    ) -> list[Row]: ...
    async def plants(self, where: PlantFilter, *, after: str | None, limit: int) -> list[Plant]: ...
    async def harvests(
        self,
        site_id: UUID,
        *,
        status: HarvestStatus | None,
        after: tuple[datetime, UUID] | None,
        limit: int,
    ) -> list[HarvestState]: ...
    async def harvest_movements(self, harvest_id: UUID) -> list[Row]: ...
    async def harvest_plants(self, harvest_id: UUID) -> list[Plant]: ...
