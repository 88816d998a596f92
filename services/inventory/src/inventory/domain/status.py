"""The batch status machine, exactly as the spec draws it, and what each status permits.

::

    AWAITING_INTAKE      -> LIVE | CLOSED (cancelled)
    LIVE                 -> PHOTOGRAPHY_COMPLETE | ON_HOLD | QUARANTINED | SOLD_OUT | CLOSED
    PHOTOGRAPHY_COMPLETE -> LIVE | ON_HOLD | QUARANTINED
    ON_HOLD              -> LIVE | QUARANTINED | CLOSED
    QUARANTINED          -> LIVE (release) | CLOSED (disposal)
    SOLD_OUT             -> CLOSED (archive)
    CLOSED               -> (terminal)

A transition to the same status is not an edge and is refused like any other.
The guards and side effects of each edge (SOLD_OUT only when empty, quarantine sync,
disposal on close) live on :class:`inventory.domain.batch.Batch`; this module is only
the graph and the per-status permissions.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from shared.contracts.inventory_enums import BatchStatus

from inventory.domain.errors import InvalidStatusTransitionError

ALLOWED_TRANSITIONS: Final[Mapping[BatchStatus, frozenset[BatchStatus]]] = MappingProxyType(
    {
        BatchStatus.AWAITING_INTAKE: frozenset({BatchStatus.LIVE, BatchStatus.CLOSED}),
        BatchStatus.LIVE: frozenset(
            {
                BatchStatus.PHOTOGRAPHY_COMPLETE,
                BatchStatus.ON_HOLD,
                BatchStatus.QUARANTINED,
                BatchStatus.SOLD_OUT,
                BatchStatus.CLOSED,
            }
        ),
        BatchStatus.PHOTOGRAPHY_COMPLETE: frozenset(
            {BatchStatus.LIVE, BatchStatus.ON_HOLD, BatchStatus.QUARANTINED}
        ),
        BatchStatus.ON_HOLD: frozenset(
            {BatchStatus.LIVE, BatchStatus.QUARANTINED, BatchStatus.CLOSED}
        ),
        BatchStatus.QUARANTINED: frozenset({BatchStatus.LIVE, BatchStatus.CLOSED}),
        BatchStatus.SOLD_OUT: frozenset({BatchStatus.CLOSED}),
        BatchStatus.CLOSED: frozenset(),
    }
)
"""The spec's transition graph: status -> statuses it may move to."""

SELLABLE_STATUSES: Final = frozenset({BatchStatus.LIVE, BatchStatus.PHOTOGRAPHY_COMPLETE})
"""Statuses in which stock may be reserved, sold or sent out as samples.

PHOTOGRAPHY_COMPLETE is a LIVE batch whose photos are done, so it sells like LIVE.
ON_HOLD stops selling; AWAITING_INTAKE has not been received yet."""

STOCKED_STATUSES: Final = frozenset(
    {
        BatchStatus.AWAITING_INTAKE,
        BatchStatus.LIVE,
        BatchStatus.PHOTOGRAPHY_COMPLETE,
        BatchStatus.ON_HOLD,
    }
)
"""Statuses in which stock sits in on-hand (not quarantined, not sold out, not closed):
on-hand may be adjusted, held or marked defective."""

EMPTY_STATUSES: Final = frozenset({BatchStatus.SOLD_OUT, BatchStatus.CLOSED})
"""Statuses in which the batch holds no physical stock at all."""


def allowed_transitions(status: BatchStatus) -> frozenset[BatchStatus]:
    """The statuses ``status`` may move to (empty for CLOSED)."""
    return ALLOWED_TRANSITIONS[status]


def can_transition(current: BatchStatus, new: BatchStatus) -> bool:
    """True when the status machine has an edge from ``current`` to ``new``."""
    return new in ALLOWED_TRANSITIONS[current]


def ensure_transition(current: BatchStatus, new: BatchStatus) -> None:
    """Raise unless the status machine has an edge from ``current`` to ``new``.

    Raises:
        InvalidStatusTransitionError: "Cannot transition from {current} to {new}".
    """
    if not can_transition(current, new):
        raise InvalidStatusTransitionError(current=current.value, new=new.value)
