"""Status changes with their quantity sync, and soft deletion (private; see ``Batch``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from shared.contracts.inventory_enums import AdjustmentReason, BatchStatus, Bucket, MovementType

from inventory.domain import _checks
from inventory.domain._batch_core import BatchCore, OperationResult
from inventory.domain._draft import Draft
from inventory.domain._sales import release_reservation_in
from inventory.domain.events import (
    BatchDeleted,
    BatchStatusChanged,
    HoldReleased,
    StockDisposed,
)
from inventory.domain.movements import Movement
from inventory.domain.status import ensure_transition


class LifecycleOperations(BatchCore):
    """Operations that move the batch through its lifecycle: change_status, delete."""

    def change_status(
        self,
        *,
        new_status: BatchStatus,
        reason: str,
        actor: str,
        occurred_at: datetime,
        disposal_reason: AdjustmentReason = AdjustmentReason.QUALITY_ISSUE,
    ) -> OperationResult:
        """Move the batch along the status machine, with the quantity sync each edge needs.

        * to QUARANTINED: reservations are released (RELEASE_RESERVATION, one
          ReservationReleased event each, so orders re-allocate), the hold is released
          (RELEASE_HOLD), and all on-hand moves to quarantine (a QUARANTINE pair);
        * QUARANTINED to LIVE: all quarantine moves back to on-hand
          (a RELEASE_FROM_QUARANTINE pair);
        * QUARANTINED to CLOSED: what remains (quarantine and defective) is disposed of
          with DISPOSAL movements carrying ``disposal_reason``, per location, each with
          its StockDisposed event;
        * AWAITING_INTAKE to CLOSED (intake cancelled): the stock that was never really
          received is reversed with CORRECTION movements, per location;
        * LIVE or ON_HOLD to CLOSED, and LIVE to SOLD_OUT: only when the batch is empty;
          closing does not silently write stock off, dispose of it first.

        Args:
            new_status: Where to go.
            reason: Why (free text, required); becomes the notes of the sync movements.
            actor: Who.
            occurred_at: When (aware UTC).
            disposal_reason: The adjustment reason of the DISPOSAL movements written when
                a QUARANTINED batch is closed; ignored on every other edge.

        Raises:
            ReasonRequiredError: Blank reason.
            InvalidStatusTransitionError: No such edge ("Cannot transition from X to Y"),
                any change out of CLOSED included (checked first).
            BatchNotEmptyError: SOLD_OUT, or CLOSED from LIVE/ON_HOLD, with stock left.
        """
        current = self._state.status
        if current is BatchStatus.CLOSED:
            # Terminal, deleted or not: the spec's answer to leaving it is the invalid
            # transition ("Cannot transition from CLOSED to LIVE"), not BATCH_CLOSED.
            ensure_transition(current, new_status)
        draft = self._begin(actor, occurred_at)
        reason = _checks.reason_text(reason)
        ensure_transition(current, new_status)
        if new_status is BatchStatus.SOLD_OUT or (
            new_status is BatchStatus.CLOSED
            and current not in (BatchStatus.QUARANTINED, BatchStatus.AWAITING_INTAKE)
        ):
            self._require_empty("close" if new_status is BatchStatus.CLOSED else "sell out")
        since = draft.mark()
        if new_status is BatchStatus.QUARANTINED:
            _release_earmarks(draft, notes=reason)
            since = draft.mark()
            _move_all(draft, Bucket.ON_HAND, Bucket.QUARANTINE, MovementType.QUARANTINE, reason)
        elif current is BatchStatus.QUARANTINED and new_status is BatchStatus.LIVE:
            _move_all(
                draft,
                Bucket.QUARANTINE,
                Bucket.ON_HAND,
                MovementType.RELEASE_FROM_QUARANTINE,
                reason,
            )
        elif current is BatchStatus.QUARANTINED and new_status is BatchStatus.CLOSED:
            _dispose_everything(draft, reason=disposal_reason, notes=reason)
            since = draft.mark()
        elif current is BatchStatus.AWAITING_INTAKE and new_status is BatchStatus.CLOSED:
            # Nothing can be reserved or held before the batch goes LIVE, so only stock
            # is left to reverse.
            _drain(draft, (Bucket.ON_HAND, Bucket.DEFECTIVE), MovementType.CORRECTION, reason)
        draft.emit(
            BatchStatusChanged(
                **draft.common(since), from_status=current, to_status=new_status, reason=reason
            )
        )
        return self._commit(draft, status=new_status)

    def delete(self, *, reason: str, actor: str, occurred_at: datetime) -> OperationResult:
        """Soft-delete the batch: only when it is empty (no physical stock, nothing
        reserved or held). A batch that is not CLOSED yet goes to CLOSED through the status
        machine first (so a PHOTOGRAPHY_COMPLETE batch, which has no edge to CLOSED, must go
        back to LIVE before it can be deleted). Records ``deleted_at``; writes no movements.

        Raises:
            BatchClosedError: Already deleted.
            ReasonRequiredError: Blank reason.
            BatchNotEmptyError: Stock, reservations or holds remain (INV-011, tightened).
            InvalidStatusTransitionError: The status has no edge to CLOSED.
        """
        draft = self._begin(actor, occurred_at, allow_closed=True)
        reason = _checks.reason_text(reason)
        self._require_empty("delete")
        current = self._state.status
        if current is not BatchStatus.CLOSED:
            ensure_transition(current, BatchStatus.CLOSED)
            draft.emit(
                BatchStatusChanged(
                    **draft.common(0),
                    from_status=current,
                    to_status=BatchStatus.CLOSED,
                    reason=reason,
                )
            )
        draft.emit(BatchDeleted(**draft.common(0), reason=reason))
        return self._commit(draft, status=BatchStatus.CLOSED, deleted_at=draft.occurred_at)


def _release_earmarks(draft: Draft, *, notes: str) -> None:
    """Release every reservation and the whole hold (before stock leaves on-hand)."""
    for reference, amount in list(draft.reservations.items()):
        release_reservation_in(draft, reference, amount, notes)
    hold = draft.buckets.hold
    if hold:
        since = draft.mark()
        draft.post(
            bucket=Bucket.HOLD, change=-hold, movement_type=MovementType.RELEASE_HOLD, notes=notes
        )
        draft.emit(HoldReleased(**draft.common(since), quantity=hold))


def _move_all(
    draft: Draft, source: Bucket, target: Bucket, movement_type: MovementType, notes: str
) -> None:
    """Shift the whole of ``source`` into ``target`` as a pair; the stock stays put."""
    amount = draft.buckets.get(source)
    if amount:
        draft.post(bucket=source, change=-amount, movement_type=movement_type, notes=notes)
        draft.post(bucket=target, change=amount, movement_type=movement_type, notes=notes)


def _drain(
    draft: Draft,
    buckets: Iterable[Bucket],
    movement_type: MovementType,
    notes: str,
    reason: AdjustmentReason | None = None,
) -> list[tuple[Movement, str]]:
    """Empty ``buckets`` completely, location by location (sorted, for determinism).

    Locations hold the physical quantity without saying which bucket it is in, so any
    split works as long as each location gives no more than it holds; emptying every
    physical bucket empties every location.
    """
    posted = []
    for bucket in buckets:
        for location in sorted(draft.locations):
            take = min(draft.buckets.get(bucket), draft.locations.quantity(location))
            if take:
                movement = draft.post(
                    bucket=bucket,
                    change=-take,
                    movement_type=movement_type,
                    location_id=location,
                    reason=reason,
                    notes=notes,
                )
                posted.append((movement, location))
    return posted


def _dispose_everything(draft: Draft, *, reason: AdjustmentReason, notes: str) -> None:
    """Dispose of all physical stock; one StockDisposed event per DISPOSAL movement."""
    # On-hand is already empty: a QUARANTINED batch keeps its stock in quarantine.
    buckets = (Bucket.QUARANTINE, Bucket.DEFECTIVE)
    for movement, location in _drain(draft, buckets, MovementType.DISPOSAL, notes, reason):
        draft.emit(
            StockDisposed(
                batch_id=draft.batch_id,
                version=draft.version,
                occurred_at=draft.occurred_at,
                actor=draft.actor,
                movements=(movement,),
                bucket=movement.bucket,
                quantity=-movement.change,
                reason=reason,
                location_id=location,
            )
        )
