"""Ledger replay: a batch's balances from its movements, as of any instant.

Because the ledger is bucket-complete and append-only, folding a batch's movements in
ledger order (``batch_version``, then ``sequence``) gives its bucket balances and its
quantity per location. Replaying only the movements up to an instant gives the balances
as of that instant: the batch keeps ``occurred_at`` non-decreasing, so they are a prefix.

:func:`replay` checks the ledger while folding (one batch, strict order, each movement's
``before`` equal to the running balance, no location going negative) and raises
:class:`~inventory.domain.errors.LedgerInconsistencyError` at the first break, so a
reconciliation job can tell a broken ledger from a drifted balance.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from shared.contracts.inventory_enums import Bucket

from inventory.domain import _checks
from inventory.domain.buckets import Buckets
from inventory.domain.errors import LedgerInconsistencyError
from inventory.domain.movements import Movement
from inventory.domain.quantities import ZERO, QuantityMap
from inventory.domain.state import BatchState


@dataclass(frozen=True)
class LedgerBalances:
    """Balances rebuilt from movements.

    Attributes:
        buckets: Balance of every bucket.
        locations: Location id -> physical quantity there.
        version: The batch version of the last movement applied (0 if none).
    """

    buckets: Buckets
    locations: QuantityMap[str]
    version: int


def replay(movements: Iterable[Movement], *, as_of: datetime | None = None) -> LedgerBalances:
    """Fold one batch's movements, in ledger order, into balances.

    Args:
        movements: All movements of one batch, in ledger order.
        as_of: Only movements with ``occurred_at <= as_of`` count (aware UTC); None for all.
            The order of the whole list is still checked.

    Raises:
        LedgerInconsistencyError: Movements of several batches, out of order, with a
            ``before`` that does not match the running balance, with time going backwards,
            or taking a location below zero.
        ValidationError: ``as_of`` is not aware UTC.
    """
    if as_of is not None:
        as_of = _checks.aware_utc(as_of, field="as_of")
    balances = dict.fromkeys(Bucket, ZERO)
    located = QuantityMap[str]()
    version = 0
    previous: Movement | None = None
    for movement in movements:
        _check_order(previous, movement)
        previous = movement
        if as_of is not None and movement.occurred_at > as_of:
            continue
        if movement.before != balances[movement.bucket]:
            raise LedgerInconsistencyError(
                f"movement {movement.batch_version}.{movement.sequence} on {movement.bucket} "
                f"starts at {movement.before}, the running balance is "
                f"{balances[movement.bucket]}"
            )
        balances[movement.bucket] = movement.after
        if movement.location_id is not None:
            held = located.quantity(movement.location_id)
            if held + movement.change < 0:
                raise LedgerInconsistencyError(
                    f"movement {movement.batch_version}.{movement.sequence} takes "
                    f"{-movement.change} from {movement.location_id}, which holds {held}"
                )
            located = located.with_change(movement.location_id, movement.change)
        version = movement.batch_version
    return LedgerBalances(
        buckets=Buckets(
            on_hand=balances[Bucket.ON_HAND],
            reserved=balances[Bucket.RESERVED],
            quarantine=balances[Bucket.QUARANTINE],
            hold=balances[Bucket.HOLD],
            defective=balances[Bucket.DEFECTIVE],
        ),
        locations=located,
        version=version,
    )


def _check_order(previous: Movement | None, movement: Movement) -> None:
    key = f"{movement.batch_version}.{movement.sequence}"
    if previous is None:
        if movement.sequence != 0:
            raise LedgerInconsistencyError(f"movement {key} is not the start of an operation")
        return
    if movement.batch_id != previous.batch_id:
        raise LedgerInconsistencyError(
            f"movements of batches {previous.batch_id} and {movement.batch_id} are mixed"
        )
    same_operation = movement.batch_version == previous.batch_version
    if (same_operation and movement.sequence != previous.sequence + 1) or (
        not same_operation
        and (movement.batch_version < previous.batch_version or movement.sequence != 0)
    ):
        raise LedgerInconsistencyError(
            f"movement {key} is out of order after {previous.batch_version}.{previous.sequence}"
        )
    if movement.occurred_at < previous.occurred_at:
        raise LedgerInconsistencyError(f"movement {key} goes back in time")


def verify_balances(state: BatchState, movements: Iterable[Movement]) -> None:
    """Check that a batch's stored balances are exactly what its ledger says.

    Raises:
        LedgerInconsistencyError: The ledger is broken, or its balances (buckets or
            locations) differ from ``state``'s.
    """
    rebuilt = replay(movements)
    if rebuilt.buckets != state.buckets:
        raise LedgerInconsistencyError(
            f"batch {state.batch_id}: ledger says {rebuilt.buckets}, stored {state.buckets}"
        )
    if rebuilt.locations != state.locations:
        raise LedgerInconsistencyError(
            f"batch {state.batch_id}: ledger locations {dict(rebuilt.locations)}, "
            f"stored {dict(state.locations)}"
        )
