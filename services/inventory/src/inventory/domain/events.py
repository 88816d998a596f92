"""Domain events: what happened to a batch, as internal frozen values.

These are *domain* events. The service layer maps them onto the versioned integration
events in ``shared.events`` (never put these on the wire directly: renaming a field here
must not break a consumer).

Every event carries the batch id, the version the operation produced, when and by whom,
and exactly the movements it explains. The movements of all events of one operation,
taken together, are exactly the movements that operation returned. One operation may emit
several events: a change to QUARANTINED, for instance, emits ReservationReleased for each
reservation it drops, HoldReleased, then BatchStatusChanged (with the QUARANTINE pair).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TypedDict

from shared.contracts.inventory_enums import AdjustmentReason, BatchStatus, Bucket, MovementType

from inventory.domain.intake import BatchDetails
from inventory.domain.movements import Movement, Reference


class EventCommon(TypedDict):
    """The fields every batch event has (lets an event be built with ``**common``)."""

    batch_id: str
    version: int
    occurred_at: datetime
    actor: str
    movements: tuple[Movement, ...]


@dataclass(frozen=True, kw_only=True)
class BatchEvent:
    """Base of all batch events.

    Attributes:
        batch_id: The batch.
        version: The batch version after the operation that emitted the event.
        occurred_at: When (aware UTC).
        actor: Who.
        movements: The ledger rows this event explains (may be empty).
    """

    batch_id: str
    version: int
    occurred_at: datetime
    actor: str
    movements: tuple[Movement, ...]


@dataclass(frozen=True, kw_only=True)
class BatchReceived(BatchEvent):
    """A new batch was taken in (status AWAITING_INTAKE, one INTAKE movement)."""

    details: BatchDetails
    quantity: Decimal
    location_id: str
    reference: Reference | None


@dataclass(frozen=True, kw_only=True)
class StockAdjusted(BatchEvent):
    """A physical bucket was corrected by hand (one ADJUSTMENT movement)."""

    bucket: Bucket
    adjustment: Decimal
    reason: AdjustmentReason
    notes: str | None
    location_id: str


@dataclass(frozen=True, kw_only=True)
class BatchStatusChanged(BatchEvent):
    """The status changed; carries the status-sync movements (QUARANTINE or
    RELEASE_FROM_QUARANTINE pairs, CORRECTIONs of a cancelled intake)."""

    from_status: BatchStatus
    to_status: BatchStatus
    reason: str


@dataclass(frozen=True, kw_only=True)
class StockReserved(BatchEvent):
    """Stock was earmarked for ``reference`` (one RESERVE movement)."""

    reference: Reference
    quantity: Decimal


@dataclass(frozen=True, kw_only=True)
class ReservationReleased(BatchEvent):
    """A reservation shrank or went away without a sale (one RELEASE_RESERVATION movement).

    ``remaining`` is what is still reserved for the reference; zero means the reservation
    is gone (for example because the batch was quarantined: the order must re-allocate).
    """

    reference: Reference
    quantity: Decimal
    remaining: Decimal


@dataclass(frozen=True, kw_only=True)
class StockSold(BatchEvent):
    """Stock was sold: a SALE on on-hand, plus a SALE on reserved for the part that
    came out of the reference's reservation."""

    reference: Reference
    quantity: Decimal
    from_reservation: Decimal
    location_id: str


@dataclass(frozen=True, kw_only=True)
class StockReturned(BatchEvent):
    """A customer returned stock (one RETURN or REFUND_RETURN movement).

    ``bucket`` is ON_HAND, or QUARANTINE when the batch is quarantined."""

    movement_type: MovementType
    bucket: Bucket
    quantity: Decimal
    location_id: str
    reference: Reference | None


@dataclass(frozen=True, kw_only=True)
class SampleSent(BatchEvent):
    """Stock left as a sample (one SAMPLE movement on on-hand)."""

    quantity: Decimal
    location_id: str
    reference: Reference | None


@dataclass(frozen=True, kw_only=True)
class StockDisposed(BatchEvent):
    """Stock was destroyed or written off (one DISPOSAL movement)."""

    bucket: Bucket
    quantity: Decimal
    reason: AdjustmentReason
    location_id: str


@dataclass(frozen=True, kw_only=True)
class StockHeld(BatchEvent):
    """On-hand stock was put on hold (one HOLD movement)."""

    quantity: Decimal


@dataclass(frozen=True, kw_only=True)
class HoldReleased(BatchEvent):
    """Stock came off hold (one RELEASE_HOLD movement)."""

    quantity: Decimal


@dataclass(frozen=True, kw_only=True)
class StockQuarantined(BatchEvent):
    """Part of a LIVE batch's on-hand moved into quarantine (a QUARANTINE pair); the batch
    stays LIVE. The whole-batch quarantine is a status change, not this event."""

    quantity: Decimal
    reason: str


@dataclass(frozen=True, kw_only=True)
class QuarantineReleased(BatchEvent):
    """Part of the quarantined stock moved back to on-hand (a RELEASE_FROM_QUARANTINE pair)
    without a status change."""

    quantity: Decimal
    reason: str


@dataclass(frozen=True, kw_only=True)
class StockMarkedDefective(BatchEvent):
    """Stock moved into the defective bucket (a DEFECTIVE pair) from ``source_bucket``."""

    source_bucket: Bucket
    quantity: Decimal
    reason: AdjustmentReason


@dataclass(frozen=True, kw_only=True)
class StockConsumed(BatchEvent):
    """Stock was drawn into another batch made from this one (CONSUMPTION movements on
    on-hand, one per location drawn from)."""

    quantity: Decimal
    into_batch_id: str


@dataclass(frozen=True, kw_only=True)
class StockTransferred(BatchEvent):
    """Stock moved between locations (a TRANSFER pair; debits equal credits)."""

    bucket: Bucket
    quantity: Decimal
    from_location_id: str
    to_location_id: str


@dataclass(frozen=True, kw_only=True)
class BatchDeleted(BatchEvent):
    """The batch was soft-deleted (it is CLOSED and empty; no movements)."""

    reason: str


@dataclass(frozen=True, kw_only=True)
class BatchRevised(BatchEvent):
    """The batch's descriptive details were revised (no movements): ``before`` and ``after``
    are the details on either side; the version moved on like any other change."""

    before: BatchDetails
    after: BatchDetails
    reason: str
