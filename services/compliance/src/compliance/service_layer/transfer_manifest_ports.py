"""The port to the stored outgoing transfer manifests (``UnitOfWork.transfer_manifests`` on
PostgreSQL: ``adapters.postgres.transfer_manifests``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from compliance.domain.transfer_manifests import ManifestState, PackageOutcome
from compliance.service_layer.ports import SettledSales

__all__ = ["ManifestRow", "TransferManifestRepository"]


@dataclass(frozen=True, kw_only=True)
class ManifestRow:
    transfer_id: UUID
    site_id: UUID
    license_number: str
    template_name: str
    state: ManifestState
    plan: dict[str, Any]
    """The ``inventory.transfer.created`` snapshot (JSON), which the template is made from."""
    sent: bool = False
    cancel_requested: bool = False
    metrc_template_id: int | None = None
    metrc_transfer_id: int | None = None
    manifest_number: str | None = None
    attempts: int = 0
    last_error: str | None = None
    created_at: datetime
    updated_at: datetime
    followed_at: datetime | None = None
    """When the manifest was last looked for in Metrc (the next look's window starts there)."""
    waiting_since: datetime | None = None
    """When the row's current wait began (its packages not all in Metrc, Metrc not answering its
    rounds, the license's keys unusable); None while each round moves it. ``stalled`` tells
    when a person must be told."""
    outcomes: tuple[PackageOutcome, ...] | None = None
    """Each package's outcome, once SETTLED."""

    @property
    def shipped_batches(self) -> dict[str, UUID]:
        """The transfer's batch per package tag (from its ``created`` snapshot)."""
        return {line["package_tag"]: UUID(str(line["batch_id"])) for line in self.plan["lines"]}


class TransferManifestRepository(SettledSales, Protocol):
    async def add(self, row: ManifestRow) -> None:
        """Insert, unless the transfer has its row already (a redelivered event)."""

    async def mark(
        self, transfer_id: UUID, *, sent: bool = False, cancel: bool = False, at: datetime
    ) -> None: ...

    async def licenses_with_work(self) -> list[str]: ...
    async def claim_open(
        self, license_number: str, now: datetime, *, until: datetime
    ) -> list[ManifestRow]:
        """The open rows (PENDING, and CREATED ones sent or to be cancelled) no other round holds (or whose claim ran out), claimed until
        ``until``; ``save`` releases a row's claim."""

    async def get(self, transfer_id: UUID) -> ManifestRow | None: ...
    async def save(self, row: ManifestRow, *, claimed_until: datetime | None = None) -> bool:
        """Write the row's state and release its claim; with ``claimed_until`` only while the
        row still holds that claim (False: another round took it over after it ran out)."""

    async def settled(
        self,
        row: ManifestRow,
        outcomes: Sequence[PackageOutcome],
        at: datetime,
        *,
        claimed_until: datetime | None = None,
    ) -> bool:
        """Save the row SETTLED with ``outcomes`` and stage
        ``compliance.transfer_manifest.settled``, all only when ``save`` applies."""
