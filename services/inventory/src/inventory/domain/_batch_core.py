"""State, read side and operation plumbing of the Batch aggregate (private).

Public callers use :class:`inventory.domain.batch.Batch`; this module holds what every
operation shares: the read-only properties, :meth:`BatchCore._begin` (checks common to
all operations, opens a draft) and :meth:`BatchCore._commit` (checks the invariants of
the new state, then swaps it in and bumps the version).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from shared.contracts.inventory_enums import BatchStatus, Bucket

from inventory.domain import _checks
from inventory.domain._draft import Draft
from inventory.domain.buckets import Buckets, spec_field
from inventory.domain.errors import (
    BatchClosedError,
    BatchNotEmptyError,
    InsufficientAvailableError,
    OperationNotAllowedError,
    OptimisticLockConflictError,
    ValidationError,
)
from inventory.domain.events import BatchEvent
from inventory.domain.intake import BatchDetails
from inventory.domain.movements import Movement, Reference
from inventory.domain.quantities import ZERO, QuantityMap
from inventory.domain.state import BatchState, ensure_invariants
from inventory.domain.status import SELLABLE_STATUSES, can_transition


@dataclass(frozen=True)
class OperationResult:
    """What a successful operation produced.

    Attributes:
        movements: Ledger rows to append, in order (``sequence`` 0, 1, ...).
        events: Domain events to publish, in order; together they carry exactly
            ``movements``.
    """

    movements: tuple[Movement, ...]
    events: tuple[BatchEvent, ...]


class BatchCore:
    """State, read side and operation plumbing of the Batch aggregate.

    The operations live in mixins by concern (sales and earmarks, stock changes,
    lifecycle) that :class:`inventory.domain.batch.Batch` combines; each one opens a
    :class:`Draft` with :meth:`_begin`, posts movements to it, and swaps the finished
    state in with :meth:`_commit`.
    """

    def __init__(self, state: BatchState) -> None:
        """Reconstitute a batch from stored state.

        Raises:
            InvariantViolationError: The state is inconsistent (corrupt data).
        """
        ensure_invariants(state)
        self._state = state

    def __repr__(self) -> str:
        return f"<Batch {self.id} v{self.version} {self.status} {self.buckets}>"

    # ------------------------------------------------------------------ reading

    @property
    def state(self) -> BatchState:
        """The complete current state (immutable), e.g. for the repository to store."""
        return self._state

    @property
    def id(self) -> str:
        """The batch id."""
        return self._state.batch_id

    @property
    def version(self) -> int:
        """Optimistic-lock version: 1 after intake, +1 per successful operation."""
        return self._state.version

    @property
    def status(self) -> BatchStatus:
        """The lifecycle status."""
        return self._state.status

    @property
    def details(self) -> BatchDetails:
        """What the batch is (product, vendor, costing ...)."""
        return self._state.details

    @property
    def buckets(self) -> Buckets:
        """The bucket balances."""
        return self._state.buckets

    @property
    def locations(self) -> QuantityMap[str]:
        """Location id -> physical quantity of the batch there."""
        return self._state.locations

    @property
    def primary_location_id(self) -> str:
        """The location used when an operation names none."""
        return self._state.primary_location_id

    @property
    def reservations(self) -> QuantityMap[Reference]:
        """Reference -> quantity reserved for it."""
        return self._state.reservations

    @property
    def available(self) -> Decimal:
        """The spec's ``max(0, on_hand - reserved - quarantine - hold)``."""
        return self._state.buckets.available

    @property
    def physical(self) -> Decimal:
        """on_hand + quarantine + defective: what Metrc must show for the package."""
        return self._state.buckets.physical

    @property
    def is_sellable(self) -> bool:
        """True when the status lets stock be reserved, sold or sampled."""
        return self._state.status in SELLABLE_STATUSES

    @property
    def sellable_quantity(self) -> Decimal:
        """What could be reserved or sold right now: ``available`` in a sellable status,
        zero otherwise (an ON_HOLD batch may have available stock it cannot sell)."""
        return self.available if self.is_sellable else ZERO

    @property
    def created_at(self) -> datetime:
        """When the batch was received."""
        return self._state.created_at

    @property
    def updated_at(self) -> datetime:
        """When the last operation happened."""
        return self._state.updated_at

    @property
    def deleted_at(self) -> datetime | None:
        """When the batch was soft-deleted, or None."""
        return self._state.deleted_at

    @property
    def is_deleted(self) -> bool:
        """True once soft-deleted."""
        return self._state.deleted_at is not None

    def can_transition_to(self, status: BatchStatus) -> bool:
        """True when the status machine has an edge to ``status`` (guards such as "SOLD_OUT
        only when empty" are not evaluated)."""
        return can_transition(self._state.status, status)

    def check_version(self, expected_version: int) -> None:
        """Optimistic-lock check: the client's version must be the current one.

        Raises:
            OptimisticLockConflictError: "Batch was modified by another user".
        """
        if expected_version != self._state.version:
            raise OptimisticLockConflictError(
                expected_version=expected_version, actual_version=self._state.version
            )

    def _begin(self, actor: str, occurred_at: datetime, *, allow_closed: bool = False) -> Draft:
        state = self._state
        if state.deleted_at is not None or (
            state.status is BatchStatus.CLOSED and not allow_closed
        ):
            raise BatchClosedError(batch_id=state.batch_id, deleted=state.deleted_at is not None)
        actor = _checks.required_text(actor, field="actor")
        occurred_at = _checks.aware_utc(occurred_at)
        # Keeping time monotonic per batch makes "balance as of T" a prefix of the ledger.
        if occurred_at < state.updated_at:
            raise ValidationError.single(
                "occurred_at",
                f"must not be earlier than the batch's last change {state.updated_at}",
            )
        return Draft(
            batch_id=state.batch_id,
            version=state.version + 1,
            buckets=state.buckets,
            locations=state.locations,
            reservations=state.reservations,
            actor=actor,
            occurred_at=occurred_at,
        )

    def _commit(
        self,
        draft: Draft,
        *,
        status: BatchStatus | None = None,
        deleted_at: datetime | None = None,
        details: BatchDetails | None = None,
    ) -> OperationResult:
        new_state = replace(
            self._state,
            details=details or self._state.details,
            status=status or self._state.status,
            buckets=draft.buckets,
            locations=draft.locations,
            reservations=draft.reservations,
            version=draft.version,
            updated_at=draft.occurred_at,
            deleted_at=deleted_at or self._state.deleted_at,
        )
        # Reaching a broken state here would be a domain bug; raising before the swap keeps
        # the batch as it was rather than persisting the damage.
        ensure_invariants(new_state)
        self._state = new_state
        return OperationResult(tuple(draft.movements), tuple(draft.events))

    def _location(self, location_id: str | None) -> str:
        if location_id is None:
            return self._state.primary_location_id
        return _checks.required_text(location_id, field="location_id")

    def _require_status(self, allowed: Collection[BatchStatus], operation: str) -> None:
        if self._state.status not in allowed:
            raise OperationNotAllowedError(operation=operation, status=self._state.status)

    def _require_available(self, amount: Decimal) -> None:
        available = self._state.buckets.available
        if amount > available:
            raise InsufficientAvailableError(
                source="available stock", requested=amount, available=available
            )

    def _require_removable(self, bucket: Bucket, amount: Decimal) -> None:
        buckets = self._state.buckets
        if bucket is Bucket.ON_HAND:
            removable = buckets.unearmarked_on_hand
            source = "unreserved on-hand stock (release reservations or holds first)"
        else:
            removable, source = buckets.get(bucket), spec_field(bucket)
        if amount > removable:
            raise InsufficientAvailableError(source=source, requested=amount, available=removable)

    def _require_empty(self, action: str) -> None:
        b = self._state.buckets
        if b.physical or b.reserved or b.hold:
            raise BatchNotEmptyError(
                batch_id=self.id,
                action=action,
                physical=b.physical,
                reserved=b.reserved,
                hold=b.hold,
            )
