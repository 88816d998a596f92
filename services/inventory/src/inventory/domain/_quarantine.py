"""Partial quarantine: part of a LIVE batch's stock into the quarantine bucket and back
(private; see ``Batch``).

Quarantine is a bucket of its own (DESIGN.md section 2): moving stock into it moves it out of
on-hand, and back. The whole-batch path is the status change to QUARANTINED (all on-hand
moves) and back to LIVE (all quarantine moves back), exactly as the spec draws it; these two
operations move a stated quantity and leave the status alone, so an operator can set aside
the part of a lot that failed a check while the rest keeps selling.
"""

from __future__ import annotations

from datetime import datetime

from shared.contracts.inventory_enums import BatchStatus, Bucket, MovementType

from inventory.domain import _checks
from inventory.domain._batch_core import BatchCore, OperationResult
from inventory.domain.buckets import spec_field
from inventory.domain.errors import InsufficientAvailableError
from inventory.domain.events import QuarantineReleased, StockQuarantined
from inventory.domain.quantities import QuantityInput, to_positive_quantity

PARTIAL_QUARANTINE_STATUSES = frozenset({BatchStatus.LIVE})
"""Where part of the on-hand may go into quarantine: a LIVE batch (a QUARANTINED one has all
of it there already; the others are not selling, or hold nothing)."""

PARTIAL_RELEASE_STATUSES = frozenset(
    {BatchStatus.LIVE, BatchStatus.PHOTOGRAPHY_COMPLETE, BatchStatus.ON_HOLD}
)
"""Where part of the quarantine may go back: wherever partly quarantined stock can be (a LIVE
batch keeps it through photography and holds). A QUARANTINED batch is released as a whole,
through its status."""


class QuarantineOperations(BatchCore):
    """quarantine_part, release_part: a quantity between on-hand and quarantine."""

    def quarantine_part(
        self, *, quantity: QuantityInput, reason: str, actor: str, occurred_at: datetime
    ) -> OperationResult:
        """Move ``quantity`` of on-hand into quarantine: a QUARANTINE pair (ON_HAND -x,
        QUARANTINE +x) naming no location (the stock does not move). Only what is neither
        reserved nor held may go, so available drops by exactly ``quantity``.

        Raises:
            ReasonRequiredError: Blank reason.
            InvalidQuantityError: Not a positive quantity.
            OperationNotAllowedError: The batch is not LIVE.
            InsufficientAvailableError: More than the unreserved, unheld on-hand.
        """
        draft = self._begin(actor, occurred_at)
        reason = _checks.reason_text(reason)
        amount = to_positive_quantity(quantity)
        self._require_status(PARTIAL_QUARANTINE_STATUSES, "quarantine part of the batch")
        self._require_removable(Bucket.ON_HAND, amount)
        for bucket, change in ((Bucket.ON_HAND, -amount), (Bucket.QUARANTINE, amount)):
            draft.post(
                bucket=bucket, change=change, movement_type=MovementType.QUARANTINE, notes=reason
            )
        draft.emit(StockQuarantined(**draft.common(0), quantity=amount, reason=reason))
        return self._commit(draft)

    def release_part(
        self, *, quantity: QuantityInput, reason: str, actor: str, occurred_at: datetime
    ) -> OperationResult:
        """Move ``quantity`` of quarantine back to on-hand: a RELEASE_FROM_QUARANTINE pair
        (QUARANTINE -x, ON_HAND +x), naming no location.

        Raises:
            ReasonRequiredError: Blank reason.
            InvalidQuantityError: Not a positive quantity.
            OperationNotAllowedError: QUARANTINED (release it through its status) or a
                status that holds no partly quarantined stock.
            InsufficientAvailableError: More than is in quarantine.
        """
        draft = self._begin(actor, occurred_at)
        reason = _checks.reason_text(reason)
        amount = to_positive_quantity(quantity)
        self._require_status(PARTIAL_RELEASE_STATUSES, "release part of the quarantine")
        quarantined = draft.buckets.quarantine
        if amount > quarantined:
            raise InsufficientAvailableError(
                source=spec_field(Bucket.QUARANTINE), requested=amount, available=quarantined
            )
        for bucket, change in ((Bucket.QUARANTINE, -amount), (Bucket.ON_HAND, amount)):
            draft.post(
                bucket=bucket,
                change=change,
                movement_type=MovementType.RELEASE_FROM_QUARANTINE,
                notes=reason,
            )
        draft.emit(QuarantineReleased(**draft.common(0), quantity=amount, reason=reason))
        return self._commit(draft)
