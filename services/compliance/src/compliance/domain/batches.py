"""What compliance knows about a batch, and what happened to it, in compliance's own words.

These are not inventory's event models: the consumer maps each inventory event to a
:class:`BatchChange` (the batch after the change, and the ledger rows the change wrote), so the
domain does not move when inventory's contract grows.

A batch's *source* decides how its Metrc package comes to be:

* :class:`ReceivedByTransfer`: the package arrived and already exists in Metrc under the batch's
  tag; compliance links it (checking item, quantity and unit) and never creates a second one.
* :class:`FromBatches`: made from other batches; the package is created with ``Ingredients``
  drawn from their packages. Inventory records each draw on the source batch as a
  ``CONSUMPTION`` movement referencing the new batch; Metrc draws the same quantity when it
  creates the package, so that movement is not pushed as an adjustment.
* :class:`OpeningBalance`: created without a source, where the facility may.
* :class:`FromHarvest`: created from a harvest by the cultivation flow (not by an intake); the
  package is created from the harvest's weight (``POST /harvests/v2/packages``), at the place
  of the harvest's ``inventory.harvest.packaged`` in the harvest's order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Final
from uuid import UUID

__all__ = [
    "CONSUMPTION",
    "INTAKE",
    "PHYSICAL_BUCKETS",
    "SALE",
    "BatchChange",
    "BatchFacts",
    "FromBatches",
    "FromHarvest",
    "Ingredient",
    "LedgerEntry",
    "OpeningBalance",
    "PackageSource",
    "ReceivedByTransfer",
    "StockAt",
]

PHYSICAL_BUCKETS: Final = frozenset({"ON_HAND", "QUARANTINE", "DEFECTIVE"})
"""Buckets that hold stock; physical quantity = their sum, and that is what Metrc must show."""
INTAKE: Final = "INTAKE"
SALE: Final = "SALE"
CONSUMPTION: Final = "CONSUMPTION"


@dataclass(frozen=True)
class OpeningBalance:
    pass


@dataclass(frozen=True)
class ReceivedByTransfer:
    manifest_number: str | None = None


@dataclass(frozen=True)
class Ingredient:
    """``quantity`` of source batch ``batch_id``, in the source batch's unit."""

    batch_id: UUID
    quantity: Decimal


@dataclass(frozen=True)
class FromBatches:
    ingredients: tuple[Ingredient, ...]


@dataclass(frozen=True)
class FromHarvest:
    """Made from harvest ``harvest_id`` (inventory's id; Metrc's is looked up by the name)."""

    harvest_id: str
    harvest_name: str | None = None

    @property
    def harvest_uuid(self) -> UUID:
        return UUID(self.harvest_id)


PackageSource = OpeningBalance | ReceivedByTransfer | FromBatches | FromHarvest


@dataclass(frozen=True)
class StockAt:
    location_id: str
    location_label: str
    quantity: Decimal


@dataclass(frozen=True, kw_only=True)
class BatchFacts:
    """The batch after a change, as far as Metrc is concerned."""

    batch_id: UUID
    site_id: UUID
    code: str
    product_id: str
    product_name: str
    unit: str
    status: str
    physical: Decimal
    locations: tuple[StockAt, ...]
    version: int
    package_tag: str | None = None
    source: PackageSource | None = None
    deleted: bool = False

    def main_location(self, current: str | None = None) -> str | None:
        """Where Metrc should say the package is: the location holding the most of the batch.

        A Metrc package has one location while a batch may be spread over several; the package
        follows the bulk of the stock. Ties keep ``current`` (no needless moves), then the
        lowest location id decides, so the answer never depends on the order of ``locations``.
        """
        stocked = [s for s in self.locations if s.quantity > 0]
        if not stocked:
            return None
        most = max(s.quantity for s in stocked)
        leaders = sorted(s.location_id for s in stocked if s.quantity == most)
        return current if current in leaders else leaders[0]


@dataclass(frozen=True, kw_only=True)
class LedgerEntry:
    """One ledger row the change wrote; ``(batch_version, sequence)`` orders and identifies it."""

    batch_version: int
    sequence: int
    bucket: str
    type: str
    change: Decimal
    reason: str | None = None
    notes: str | None = None
    reference_type: str | None = None
    reference_id: str | None = None

    @property
    def position(self) -> tuple[int, int]:
        return (self.batch_version, self.sequence)

    @property
    def is_physical(self) -> bool:
        return self.bucket in PHYSICAL_BUCKETS

    @property
    def cause(self) -> str:
        """The reason if the row has one, else its movement type (see ``CHANGE_CAUSES``)."""
        return self.reason or self.type


@dataclass(frozen=True, kw_only=True)
class BatchChange:
    """What happened to a batch: created (its first event) or changed, with the rows written.

    Attributes:
        batch: the batch after the change.
        entries: the ledger rows this change wrote (empty for a change of details).
        created: True for the batch's intake.
        occurred_at: when it happened (aware UTC); Metrc gets its facility-local date.
        actor: who did it.
        event_id: the inventory event this came from (the submissions' causation).
        notes: the operator's notes, carried into the Metrc adjustment's note.
    """

    batch: BatchFacts
    entries: tuple[LedgerEntry, ...]
    created: bool
    occurred_at: datetime
    actor: str
    event_id: UUID | None = None
    notes: str | None = None
