"""The link between a batch and its Metrc package, and what Metrc will show once every planned
write is applied.

Every batch compliance has heard of has one :class:`PackageLink`, whatever its site:

* ``NOT_TRACKED``: its site pushes nothing (``problem`` says why);
* ``UNLINKED``: its site pushes, but no package is planned (it predates the integration, or its
  source does not allow one); it waits for a manual push (``problem`` says why);
* ``PENDING``: the package's create (or link) is planned and not yet accepted;
* ``LINKED``: the package exists in Metrc (``metrc_package_id`` when Metrc returned one).

``planned`` is the package as Metrc will have it after every planned write (quantity, finished,
location; a package gone on a transfer manifest counts as finished: it left active inventory): the planner decides the next writes against it, never against a guess of Metrc's
current state, so a backlog of pushes is planned exactly as if each had already landed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from compliance.domain.batches import BatchFacts, PackageSource
from compliance.domain.problems import Problem

__all__ = ["LinkState", "PackageLink", "PlannedPackage"]


class LinkState(StrEnum):
    NOT_TRACKED = "NOT_TRACKED"
    UNLINKED = "UNLINKED"
    PENDING = "PENDING"
    LINKED = "LINKED"


@dataclass(frozen=True, kw_only=True)
class PlannedPackage:
    quantity: Decimal
    finished: bool
    location_id: str | None


@dataclass(frozen=True, kw_only=True)
class PackageLink:
    """Attributes:
    batch: the batch as of the last change compliance recorded.
    applied_through: the ledger position ``(batch_version, sequence)`` of the last row
        planned, so a row is never planned twice even if an event is delivered twice.
    """

    batch_id: UUID
    site_id: UUID
    license_number: str | None
    state: LinkState
    batch: BatchFacts
    applied_through: tuple[int, int]
    updated_at: datetime
    tag: str | None = None
    source: PackageSource | None = None
    planned: PlannedPackage | None = None
    metrc_package_id: int | None = None
    problem: Problem | None = None

    @property
    def is_tracked(self) -> bool:
        return self.state in (LinkState.PENDING, LinkState.LINKED)

    def linked(self, now: datetime, *, metrc_package_id: int | None) -> PackageLink:
        return replace(
            self,
            state=LinkState.LINKED,
            metrc_package_id=metrc_package_id or self.metrc_package_id,
            problem=None,
            updated_at=now,
        )

    def with_tag(self, tag: str, now: datetime) -> PackageLink:
        return replace(self, tag=tag, updated_at=now)
