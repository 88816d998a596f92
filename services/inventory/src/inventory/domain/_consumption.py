"""Drawing stock into another batch made from it (private; see ``Batch``)."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from shared.contracts.inventory_enums import BatchStatus, Bucket, MovementType

from inventory.domain._batch_core import BatchCore, OperationResult
from inventory.domain.errors import InsufficientAvailableError
from inventory.domain.events import StockConsumed
from inventory.domain.movements import Reference
from inventory.domain.quantities import QuantityInput, to_positive_quantity

CONSUMABLE_STATUSES: Final = frozenset(
    {BatchStatus.LIVE, BatchStatus.PHOTOGRAPHY_COMPLETE, BatchStatus.ON_HOLD}
)
"""Statuses whose stock may go into another batch. ON_HOLD stops selling, not processing; a
batch awaiting intake has not been received, a quarantined one may not be used."""

INTO_BATCH: Final = "BATCH"
"""The reference type of a CONSUMPTION movement: the batch the stock went into."""
INTO_PLANT_BATCH: Final = "PLANT_BATCH"
"""... or the plant batch planted from it (seeds or clones of a package)."""


class ConsumptionOperations(BatchCore):
    """Stock leaving a batch because another batch is made from it: consume."""

    def consume(
        self,
        *,
        quantity: QuantityInput,
        into_batch_id: str,
        actor: str,
        occurred_at: datetime,
        notes: str | None = None,
        into_type: str = INTO_BATCH,
    ) -> OperationResult:
        """Draw ``quantity`` of available on-hand stock (neither reserved nor held) into
        batch ``into_batch_id``: CONSUMPTION movements referencing it (``BATCH <id>``, or
        ``PLANT_BATCH <id>`` with ``into_type`` INTO_PLANT_BATCH), from
        the primary location first, then from the locations holding the most.

        Raises:
            InvalidQuantityError: Not a positive quantity.
            OperationNotAllowedError: Not LIVE, PHOTOGRAPHY_COMPLETE or ON_HOLD.
            InsufficientAvailableError: More than the unreserved, unheld on-hand stock.
        """
        draft = self._begin(actor, occurred_at)
        amount = to_positive_quantity(quantity)
        self._require_status(CONSUMABLE_STATUSES, "draw stock into another batch")
        free = draft.buckets.unearmarked_on_hand
        if amount > free:
            raise InsufficientAvailableError(
                source="available stock (neither reserved nor on hold)",
                requested=amount,
                available=free,
            )
        reference = Reference(type=into_type, id=into_batch_id)
        left = amount
        for location_id in self._draw_order():
            if left == 0:
                break
            taken = min(left, draft.locations.quantity(location_id))
            if taken > 0:
                draft.post(
                    bucket=Bucket.ON_HAND,
                    change=-taken,
                    movement_type=MovementType.CONSUMPTION,
                    location_id=location_id,
                    notes=notes,
                    reference=reference,
                )
                left -= taken
        draft.emit(StockConsumed(**draft.common(0), quantity=amount, into_batch_id=into_batch_id))
        return self._commit(draft)

    def _draw_order(self) -> list[str]:
        primary = self._state.primary_location_id
        others = sorted(
            (loc for loc in self._state.locations if loc != primary),
            key=lambda loc: (-self._state.locations.quantity(loc), loc),
        )
        return [primary, *others]
