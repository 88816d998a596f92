"""The port through which the transfer handlers (and the read side) reach outgoing transfers:
``UnitOfWork.transfers``. The adapter is ``inventory.adapters.transfer_store`` (PostgreSQL);
the handlers hold the transfer's row lock (``lock``) while they change it and its batches."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol
from uuid import UUID

from shared.outbox import OutboxMessage

from inventory.domain.transfers import TransferState, TransferStatus

__all__ = ["TransferRepository"]


class TransferRepository(Protocol):
    async def insert(self, state: TransferState, created_by: str) -> None: ...
    async def lock(self, transfer_id: UUID) -> TransferState | None: ...
    async def get(self, transfer_id: UUID) -> TransferState | None: ...
    async def save(self, before_version: int, state: TransferState) -> None:
        """Write the transfer and its lines' states, conditional on ``before_version``."""

    async def record_problem(self, transfer_id: UUID, problem: str, at: datetime) -> bool:
        """Keep why a settlement was refused on the transfer (False: no such transfer)."""

    async def page(
        self,
        site_id: UUID,
        *,
        status: TransferStatus | None = None,
        after: tuple[datetime, UUID] | None,
        limit: int,
    ) -> list[TransferState]:
        """Transfers of a site, newest first (``after``: the last one's created_at and id;
        ``status``: only those in it)."""

    async def write_events(self, events: Sequence[OutboxMessage]) -> None: ...
