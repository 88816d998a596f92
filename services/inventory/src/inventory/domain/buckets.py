"""The quantity buckets of a batch and the quantities derived from them.

Model (DESIGN.md section 2):

* ``ON_HAND``, ``QUARANTINE`` and ``DEFECTIVE`` are *physical* buckets. They are
  disjoint: moving stock into quarantine or into defective moves it out of on-hand.
  ``physical = on_hand + quarantine + defective`` is what Metrc must show for the package,
  and what the batch's locations add up to.
* ``RESERVED`` and ``HOLD`` are *earmarks within on-hand*: a reservation for an order, or a
  hold, does not move stock anywhere; it only stops it from being available. The domain
  guarantees ``reserved + hold <= on_hand`` after every operation.
* There is no sample bucket: samples leave the building, so sending one is a SAMPLE
  movement that lowers on-hand, not a bucket the stock sits in.

``available`` is the spec's formula taken literally,
``max(0, on_hand - reserved - quarantine - hold)``. Because the batch also guarantees
that quarantine is non-zero only while the batch is QUARANTINED (when on-hand is zero),
the clamp can only ever turn ``-quarantine`` into zero for a quarantined batch, which is
the right answer; it never hides earmarks that exceed on-hand.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Final

from shared.contracts.inventory_enums import Bucket

from inventory.domain.errors import InvariantViolationError
from inventory.domain.quantities import ZERO, is_quantized

PHYSICAL_BUCKETS: Final = frozenset({Bucket.ON_HAND, Bucket.QUARANTINE, Bucket.DEFECTIVE})
EARMARK_BUCKETS: Final = frozenset({Bucket.RESERVED, Bucket.HOLD})


def spec_field(bucket: Bucket) -> str:
    """The spec's column name for the bucket (``onHandQty`` ...), used in its messages."""
    return _SPEC_FIELDS[bucket]


_SPEC_FIELDS: Final = {
    Bucket.ON_HAND: "onHandQty",
    Bucket.RESERVED: "reservedQty",
    Bucket.QUARANTINE: "quarantineQty",
    Bucket.HOLD: "holdQty",
    Bucket.DEFECTIVE: "defectiveQty",
}

_ATTRIBUTES: Final = {
    Bucket.ON_HAND: "on_hand",
    Bucket.RESERVED: "reserved",
    Bucket.QUARANTINE: "quarantine",
    Bucket.HOLD: "hold",
    Bucket.DEFECTIVE: "defective",
}


@dataclass(frozen=True, kw_only=True)
class Buckets:
    """The balances of all buckets of one batch: non-negative, four-place Decimals.

    The value itself only enforces non-negativity (so a ledger replay can build one at any
    point); the earmark rule ``reserved + hold <= on_hand`` is a batch invariant, exposed
    here as :attr:`earmarks_fit`.
    """

    on_hand: Decimal = ZERO
    reserved: Decimal = ZERO
    quarantine: Decimal = ZERO
    hold: Decimal = ZERO
    defective: Decimal = ZERO

    def __post_init__(self) -> None:
        for bucket, attribute in _ATTRIBUTES.items():
            value = getattr(self, attribute)
            if not is_quantized(value) or value < 0:
                raise InvariantViolationError(
                    f"{bucket} must be a non-negative 4-place Decimal, got {value!r}"
                )

    def get(self, bucket: Bucket) -> Decimal:
        """The balance of one bucket."""
        value: Decimal = getattr(self, _ATTRIBUTES[bucket])
        return value

    def with_balance(self, bucket: Bucket, balance: Decimal) -> Buckets:
        """A copy with one bucket set to ``balance``."""
        return replace(self, **{_ATTRIBUTES[bucket]: balance})

    def as_dict(self) -> dict[Bucket, Decimal]:
        """All balances keyed by bucket, in the enum's order."""
        return {bucket: self.get(bucket) for bucket in Bucket}

    @property
    def physical(self) -> Decimal:
        """Stock in the building: on-hand + quarantine + defective."""
        return self.on_hand + self.quarantine + self.defective

    @property
    def unclamped_available(self) -> Decimal:
        """The spec's formula before the clamp: on_hand - reserved - quarantine - hold."""
        return self.on_hand - self.reserved - self.quarantine - self.hold

    @property
    def available(self) -> Decimal:
        """The spec's availability, ``max(0, on_hand - reserved - quarantine - hold)``."""
        return max(ZERO, self.unclamped_available)

    @property
    def unearmarked_on_hand(self) -> Decimal:
        """On-hand stock that is neither reserved nor held: what may leave on-hand freely."""
        return self.on_hand - self.reserved - self.hold

    @property
    def earmarks_fit(self) -> bool:
        """The batch invariant ``reserved + hold <= on_hand``."""
        return self.reserved + self.hold <= self.on_hand
