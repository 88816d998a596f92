"""The port through which the incoming transfer handlers (and the read side) reach incoming
transfers: ``UnitOfWork.incoming``. The adapter is ``inventory.adapters.incoming_store``."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID

from shared.contracts.transfer_enums import IncomingTransferStatus

from inventory.domain.transfers.incoming import IncomingTransferState

__all__ = ["IncomingTransferRepository"]


class IncomingTransferRepository(Protocol):
    async def site_for_license(self, license_number: str) -> UUID | None:
        """The site holding the license (a license is one site's)."""

    async def by_delivery(
        self, license_number: str, delivery_id: int
    ) -> IncomingTransferState | None:
        """The transfer of a Metrc delivery, locked; its site resolved (the one holding the
        license) when it was recorded without one."""

    async def lock(self, transfer_id: UUID) -> IncomingTransferState | None: ...
    async def get(self, transfer_id: UUID) -> IncomingTransferState | None: ...
    async def insert(self, state: IncomingTransferState) -> None: ...
    async def save(self, before_version: int, state: IncomingTransferState) -> None: ...
    async def page(
        self,
        site_id: UUID,
        status: IncomingTransferStatus | None,
        *,
        after: tuple[datetime, UUID] | None,
        limit: int,
    ) -> list[IncomingTransferState]:
        """Transfers of a site, newest first (``after``: the last one's created_at and id),
        with those of its license recorded before the site existed."""
