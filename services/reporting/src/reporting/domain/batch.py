"""What the read models know of a batch: the facts an inventory event carries, the ledger rows
it wrote, and the batch view (snapshot) the projection keeps.

The inventory events (``shared.events.inventory``) are mapped onto these values by the service
layer; the domain never sees a pydantic model. The enumerations repeat the inventory contract's
values (a unit test keeps them equal).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Final
from uuid import UUID

from reporting.domain.errors import InconsistentEventError
from reporting.domain.money import ZERO, add, midpoint, sub

__all__ = [
    "PHYSICAL_BUCKETS",
    "SELLABLE_STATUSES",
    "Balances",
    "BatchChange",
    "BatchFacts",
    "BatchStatus",
    "BatchView",
    "Bucket",
    "CogsMode",
    "Costs",
    "Movement",
    "Sales",
]


class BatchStatus(StrEnum):
    AWAITING_INTAKE = "AWAITING_INTAKE"
    LIVE = "LIVE"
    PHOTOGRAPHY_COMPLETE = "PHOTOGRAPHY_COMPLETE"
    ON_HOLD = "ON_HOLD"
    QUARANTINED = "QUARANTINED"
    SOLD_OUT = "SOLD_OUT"
    CLOSED = "CLOSED"


SELLABLE_STATUSES: Final = frozenset({BatchStatus.LIVE, BatchStatus.PHOTOGRAPHY_COMPLETE})
"""The statuses in which inventory lets a batch be sold: the dashboard's and aging's stock."""


class Bucket(StrEnum):
    ON_HAND = "ON_HAND"
    RESERVED = "RESERVED"
    QUARANTINE = "QUARANTINE"
    HOLD = "HOLD"
    DEFECTIVE = "DEFECTIVE"


PHYSICAL_BUCKETS: Final = frozenset({Bucket.ON_HAND, Bucket.QUARANTINE, Bucket.DEFECTIVE})
"""Buckets that hold stock; RESERVED and HOLD are earmarks within on-hand."""


class CogsMode(StrEnum):
    FIXED = "FIXED"
    RANGE = "RANGE"


@dataclass(slots=True)
class Costs:
    """Unit cost (FIXED, or RANGE between min and max) and the asking price (``ticket``)."""

    mode: CogsMode
    unit_cogs: Decimal | None
    unit_cogs_min: Decimal | None
    unit_cogs_max: Decimal | None
    ticket: Decimal | None

    def __post_init__(self) -> None:
        if self.mode is CogsMode.FIXED and self.unit_cogs is None:
            raise InconsistentEventError("FIXED costs without unit_cogs")
        if self.mode is CogsMode.RANGE and (
            self.unit_cogs_min is None or self.unit_cogs_max is None
        ):
            raise InconsistentEventError("RANGE costs without unit_cogs_min and unit_cogs_max")

    @property
    def unit_cost(self) -> Decimal:
        """What one unit is worth: the FIXED cost, or the RANGE midpoint (as inventory values it)."""
        if self.mode is CogsMode.FIXED:
            assert self.unit_cogs is not None  # checked on construction
            return self.unit_cogs
        assert self.unit_cogs_min is not None
        assert self.unit_cogs_max is not None
        return midpoint(self.unit_cogs_min, self.unit_cogs_max)


@dataclass(slots=True)
class Balances:
    on_hand: Decimal
    reserved: Decimal
    quarantine: Decimal
    hold: Decimal
    defective: Decimal

    @property
    def physical(self) -> Decimal:
        return add(add(self.on_hand, self.quarantine), self.defective)

    @property
    def available(self) -> Decimal:
        # As the inventory computes it: quarantine is a bucket outside on-hand (a LIVE batch may
        # hold part of its stock there), so only the earmarks within on-hand are taken off.
        free = sub(sub(self.on_hand, self.reserved), self.hold)
        return max(free, ZERO)


@dataclass(slots=True)
class BatchFacts:
    """The batch as an event carries it: as it is after the change."""

    batch_id: UUID
    site_id: UUID
    license_number: str
    code: str
    sku: str
    product_id: UUID
    product_name: str
    category: str
    subcategory: str | None
    status: BatchStatus
    balances: Balances
    costs: Costs
    version: int
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None


@dataclass(slots=True)
class Movement:
    """One ledger row an event wrote; ``(batch_id, batch_version, sequence)`` is unique.

    ``type`` is an open set (inventory may add movement types within an event version)."""

    batch_id: UUID
    batch_version: int
    sequence: int
    event_type: str
    bucket: Bucket
    type: str
    change: Decimal
    before: Decimal
    after: Decimal
    reason: str | None
    notes: str | None
    reference_type: str | None
    reference_id: str | None
    location_id: UUID | None
    location_label: str | None
    actor: str
    occurred_at: datetime


@dataclass(slots=True)
class BatchChange:
    """One inventory event, as the projection needs it: the batch after the change and the
    ledger rows the change wrote (in sequence order)."""

    event_type: str
    batch: BatchFacts
    movements: tuple[Movement, ...]
    occurred_at: datetime

    def __post_init__(self) -> None:
        version = self.batch.version
        previous = -1
        for movement in self.movements:
            if movement.batch_id != self.batch.batch_id or movement.batch_version != version:
                raise InconsistentEventError(
                    f"a movement of batch {movement.batch_id} version {movement.batch_version}"
                    f" in an event of batch {self.batch.batch_id} version {version}"
                )
            if movement.sequence <= previous:
                raise InconsistentEventError("movements out of sequence order")
            previous = movement.sequence


@dataclass(slots=True)
class Sales:
    """What a batch has sold, cumulatively, valued when each movement happened.

    ``units_sold`` counts SALE movements out of physical buckets, ``units_returned`` RETURN and
    REFUND_RETURN movements into them. ``revenue`` is sales minus refunds at the batch's ticket
    at the time; ``cogs`` is sold minus returned units at the unit cost at the time.
    ``unpriced_units``: units sold or refunded while the batch had no ticket, whose money is
    therefore missing from ``revenue``."""

    units_sold: Decimal = ZERO
    units_returned: Decimal = ZERO
    revenue: Decimal = ZERO
    cogs: Decimal = ZERO
    unpriced_units: Decimal = ZERO

    @property
    def net_units(self) -> Decimal:
        return sub(self.units_sold, self.units_returned)


@dataclass(slots=True)
class BatchView:
    """The batch snapshot read model: the latest facts, the batch's sales, and how far into
    the batch's history the projection has come.

    ``version`` is the facts' version. One inventory operation may emit several events with
    the same version (each with its own ledger rows), so ``next_sequence`` says how many of
    that version's movements have been applied: an event is new when its version is higher,
    or equal with movements from ``next_sequence`` on."""

    facts: BatchFacts
    sales: Sales
    next_sequence: int
    last_event_at: datetime

    @property
    def batch_id(self) -> UUID:
        return self.facts.batch_id

    @property
    def version(self) -> int:
        return self.facts.version
