"""The complete, immutable state of one batch, and the invariants every state obeys.

:class:`BatchState` is what the persistence layer stores and loads: the
:class:`~inventory.domain.batch.Batch` aggregate is a thin mutable shell around one.
An operation builds a whole new state and swaps it in only when it succeeded, so a failed
operation can never leave a batch half-changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.contracts.inventory_enums import BatchStatus

from inventory.domain.buckets import Buckets
from inventory.domain.errors import InvariantViolationError
from inventory.domain.intake import BatchDetails
from inventory.domain.movements import Reference
from inventory.domain.quantities import QuantityMap
from inventory.domain.status import EMPTY_STATUSES


@dataclass(frozen=True, kw_only=True)
class BatchState:
    """Everything known about a batch at one version.

    Attributes:
        batch_id: Identity of the batch (opaque text; the service assigns it).
        details: What the batch is (product, vendor, costing ...), fixed at intake.
        status: Lifecycle status.
        buckets: Bucket balances.
        locations: Location id -> physical quantity there; adds up to ``buckets.physical``.
        primary_location_id: Where stock goes, or comes from, when an operation names no
            location (the intake location).
        reservations: Reference -> reserved quantity; adds up to ``buckets.reserved``.
        version: 1 after intake, +1 per successful operation (optimistic locking).
        created_at: When the batch was received (start of its age).
        updated_at: When the last operation happened.
        deleted_at: When it was soft-deleted, or None.
    """

    batch_id: str
    details: BatchDetails
    status: BatchStatus
    buckets: Buckets
    locations: QuantityMap[str]
    primary_location_id: str
    reservations: QuantityMap[Reference]
    version: int
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None


def _is_utc(moment: datetime | None) -> bool:
    return moment is None or moment.utcoffset() == timedelta(0)


def invariant_violations(state: BatchState) -> list[str]:
    """Every invariant ``state`` breaks, as sentences (empty when it is consistent).

    Invariants:
        * version >= 1; timestamps are aware UTC; created <= updated <= deleted.
        * reserved + hold <= on_hand (earmarks are within on-hand).
        * locations add up to the physical quantity; reservations add up to reserved.
        * QUARANTINED keeps all stock in quarantine (on-hand is zero); any other status
          has nothing in quarantine.
        * SOLD_OUT and CLOSED batches hold nothing at all.
        * Only a CLOSED batch can be deleted.
    """
    b = state.buckets
    problems: list[str] = []
    if state.version < 1:
        problems.append(f"version must be >= 1, got {state.version}")
    if not all(_is_utc(t) for t in (state.created_at, state.updated_at, state.deleted_at)):
        problems.append("timestamps must be aware UTC datetimes")
    elif state.updated_at < state.created_at or (
        state.deleted_at is not None and state.deleted_at < state.updated_at
    ):
        problems.append("timestamps must not go backwards")
    if not state.primary_location_id.strip():
        problems.append("primary location must not be blank")
    if not b.earmarks_fit:
        problems.append(f"reserved {b.reserved} + hold {b.hold} exceed on-hand {b.on_hand}")
    if state.locations.total() != b.physical:
        problems.append(f"locations add up to {state.locations.total()}, physical is {b.physical}")
    if state.reservations.total() != b.reserved:
        problems.append(
            f"reservations add up to {state.reservations.total()}, reserved is {b.reserved}"
        )
    if state.status is BatchStatus.QUARANTINED and b.on_hand != 0:
        problems.append("a QUARANTINED batch must keep its stock in quarantine, not on-hand")
    if state.status is not BatchStatus.QUARANTINED and b.quarantine != 0:
        problems.append(f"only a QUARANTINED batch holds quarantine stock, not {state.status}")
    if state.status in EMPTY_STATUSES and (b.physical != 0 or b.reserved != 0 or b.hold != 0):
        problems.append(f"a {state.status} batch must be empty")
    if state.deleted_at is not None and state.status is not BatchStatus.CLOSED:
        problems.append("only a CLOSED batch can be deleted")
    return problems


def ensure_invariants(state: BatchState) -> None:
    """Raise when ``state`` breaks any invariant (see :func:`invariant_violations`).

    Raises:
        InvariantViolationError: Listing every broken invariant.
    """
    problems = invariant_violations(state)
    if problems:
        raise InvariantViolationError(f"batch {state.batch_id}: {'; '.join(problems)}")
