"""The Batch aggregate: every change to a batch's quantities or status goes through it.

Each operation takes keyword-only arguments, always including ``actor`` (who, never
blank) and ``occurred_at`` (aware UTC, not earlier than the batch's last change), and:

1. validates everything, raising a :class:`~inventory.domain.errors.DomainError` and
   leaving the batch untouched when anything is wrong;
2. otherwise changes the buckets, locations, reservations and status, bumps ``version``
   by exactly one, and returns an :class:`OperationResult`: the movements to append to
   the ledger and the domain events to publish.

Order of checks, so that errors are predictable: closed/deleted batch (BATCH_CLOSED; a status
change out of CLOSED is the spec's INVALID_STATUS_TRANSITION instead); actor and time; the operation's own input (quantity, reason ...); whether the status
permits it (OPERATION_NOT_ALLOWED / INVALID_STATUS_TRANSITION); then quantities.

Invariants that hold after every operation (see :mod:`inventory.domain.state`): no bucket
is negative; ``reserved + hold <= on_hand``; locations add up to the physical quantity;
reservations add up to reserved; a QUARANTINED batch keeps its stock in quarantine, and part
of a LIVE batch's stock may be there too (partial quarantine); SOLD_OUT and CLOSED batches are
empty.

Optimistic locking is the caller's job, with :meth:`Batch.check_version` before an
operation; the repository then writes ``WHERE version = <loaded version>``.
"""

from __future__ import annotations

from datetime import datetime

from shared.contracts.inventory_enums import BatchStatus, Bucket, MovementType

from inventory.domain import _checks
from inventory.domain._batch_core import OperationResult
from inventory.domain._consumption import ConsumptionOperations
from inventory.domain._draft import Draft
from inventory.domain._lifecycle import LifecycleOperations
from inventory.domain._quarantine import QuarantineOperations
from inventory.domain._revision import RevisionOperations
from inventory.domain._sales import SalesOperations
from inventory.domain._stock_changes import StockOperations
from inventory.domain.buckets import Buckets
from inventory.domain.events import BatchReceived
from inventory.domain.intake import IntakeRequest, normalize_intake
from inventory.domain.quantities import QuantityMap, to_quantity
from inventory.domain.state import BatchState

__all__ = ["Batch", "OperationResult"]


class Batch(
    LifecycleOperations,
    QuarantineOperations,
    SalesOperations,
    StockOperations,
    ConsumptionOperations,
    RevisionOperations,
):
    """A discrete, trackable lot of product and its quantity buckets.

    Build one with :meth:`intake` (a new batch) or ``Batch(state)`` (reconstitute a stored
    one; the state's invariants are checked). Read it through the properties; change it
    only through the operations:

    * lifecycle: :meth:`change_status`, :meth:`delete`, :meth:`revise` (descriptive details);
    * earmarks and sales: :meth:`reserve`, :meth:`release_reservation`, :meth:`sell`,
      :meth:`receive_return`, :meth:`send_sample`, :meth:`hold`, :meth:`release_hold`;
    * stock changes: :meth:`adjust`, :meth:`dispose`, :meth:`mark_defective`,
      :meth:`transfer`;
    * another batch made from this one: :meth:`consume`;
    * partial quarantine: :meth:`quarantine_part`, :meth:`release_part`.
    """

    @classmethod
    def intake(
        cls, *, batch_id: str, request: IntakeRequest, actor: str, occurred_at: datetime
    ) -> tuple[Batch, OperationResult]:
        """Receive a new batch: status AWAITING_INTAKE, version 1, one INTAKE movement of
        the whole quantity into on-hand at the intake location (its primary location).

        Raises:
            ValidationError: Blank id or actor, a non-UTC time, or any intake rule broken
                (all listed at once; see :func:`~inventory.domain.intake.normalize_intake`).
        """
        batch_id = _checks.required_text(batch_id, field="batch_id")
        actor = _checks.required_text(actor, field="actor")
        occurred_at = _checks.aware_utc(occurred_at)
        request = normalize_intake(request)
        quantity = to_quantity(request.quantity)
        draft = Draft(
            batch_id=batch_id,
            version=1,
            buckets=Buckets(),
            locations=QuantityMap(),
            reservations=QuantityMap(),
            actor=actor,
            occurred_at=occurred_at,
        )
        draft.post(
            bucket=Bucket.ON_HAND,
            change=quantity,
            movement_type=MovementType.INTAKE,
            location_id=request.location_id,
            notes=request.notes,
            reference=request.reference,
        )
        draft.emit(
            BatchReceived(
                **draft.common(0),
                details=request.details,
                quantity=quantity,
                location_id=request.location_id,
                reference=request.reference,
            )
        )
        state = BatchState(
            batch_id=batch_id,
            details=request.details,
            status=BatchStatus.AWAITING_INTAKE,
            buckets=draft.buckets,
            locations=draft.locations,
            primary_location_id=request.location_id,
            reservations=draft.reservations,
            version=1,
            created_at=occurred_at,
            updated_at=occurred_at,
        )
        return cls(state), OperationResult(tuple(draft.movements), tuple(draft.events))
