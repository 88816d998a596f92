"""Random but consistent inventory histories, as the real event models of
``shared.events.inventory``, for property tests.

A :class:`SimulatedBatch` keeps a batch's buckets, status, reservations and costs the way the
inventory service does (buckets never negative, earmarks within on-hand, the spec's status
machine, quarantine moving all of on-hand) and turns each operation into the events inventory
would publish: the batch after the operation, exactly the ledger rows it wrote, and several
events with one version where inventory emits several (quarantining releases reservations and
the hold first; closing a quarantined batch disposes of its stock; deleting closes first).

:func:`histories` is a hypothesis strategy of whole histories; :func:`deliveries` turns them
into what a consumer sees: batches interleaved (each batch's events in order, as a partition
keyed by batch id keeps them), with redeliveries of earlier messages, in transaction-sized
chunks.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any, Final
from uuid import UUID, uuid5

from hypothesis import strategies as st
from pydantic import BaseModel
from shared.events import inventory as ev
from shared.events.registry import type_of

from reporting.service_layer.commands import ConsumedInventoryEvent, Position

__all__ = [
    "NOW",
    "PRODUCTS",
    "SITES",
    "TOPIC",
    "Delivery",
    "SimulatedBatch",
    "consumed",
    "deliveries",
    "histories",
    "in_order",
    "interleaved",
    "new_batch",
    "random_batch",
]

NOW: Final = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
"""The instant the property tests measure ages at."""
TOPIC: Final = "inventory.batch.events"
PARTITIONS: Final = 3
Q: Final = Decimal("0.0001")
_NS: Final = UUID("3b241101-e2bb-4255-8caf-4136c566a962")

SITES: Final = [
    {"id": str(uuid5(_NS, f"site-{n}")), "name": f"Site {n}", "license_number": f"OR-{n:06d}",
     "state": "OR"}
    for n in range(2)
]  # fmt: skip
PRODUCTS: Final = [
    {"id": str(uuid5(_NS, f"product-{n}")), "name": f"=Product {n}" if n == 3 else f"Product {n}",
     "category": category, "subcategory": subcategory, "strain": None,
     "brand_id": str(uuid5(_NS, "brand")), "brand_name": "Brand", "sku": f"SKU-{n}"}
    for n, (category, subcategory) in enumerate(
        [("Flower", "Indoor"), ("Flower", None), ("Vape", "Cart"), ("Edible", None)]
    )
]  # fmt: skip


def _location(site: dict[str, str], n: int) -> dict[str, Any]:
    return {
        "id": str(uuid5(_NS, f"{site['id']}-loc-{n}")),
        "site_id": site["id"],
        "zone": "Z",
        "rack": f"R{n}",
        "shelf": None,
        "bin": None,
        "label": f"Z/R{n}",
    }


def _text(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _portion(limit: Decimal, share: int) -> Decimal:
    """``share`` ten-thousandths of ``limit``, rounded down to 4 places."""
    return (limit * share / 10_000).quantize(Q, rounding=ROUND_DOWN)


@dataclass
class SimulatedBatch:
    """One batch, operated on like the inventory service would; ``events`` is what it
    published, in order."""

    batch_id: UUID
    site: dict[str, str]
    product: dict[str, Any]
    created_at: datetime
    costs: dict[str, str | None]
    status: str = "AWAITING_INTAKE"
    on_hand: Decimal = Decimal(0)
    reserved: Decimal = Decimal(0)
    quarantine: Decimal = Decimal(0)
    hold: Decimal = Decimal(0)
    defective: Decimal = Decimal(0)
    reservations: dict[str, Decimal] = field(default_factory=dict)
    version: int = 0
    clock: datetime = NOW
    deleted_at: datetime | None = None
    events: list[BaseModel] = field(default_factory=list)
    _moves: list[dict[str, Any]] = field(default_factory=list)
    _pending: list[tuple[type[ev.BatchEventBase], int, dict[str, Any]]] = field(
        default_factory=list
    )

    # ------------------------------------------------------------------ bookkeeping

    @property
    def available(self) -> Decimal:
        return max(self.on_hand - self.reserved - self.quarantine - self.hold, Decimal(0))

    @property
    def physical(self) -> Decimal:
        return self.on_hand + self.quarantine + self.defective

    @property
    def location(self) -> dict[str, Any]:
        return _location(self.site, 0)

    def _begin(self) -> None:
        self.version += 1
        self.clock += timedelta(minutes=7)
        self._moves = []
        self._pending = []

    def _post(self, bucket: str, kind: str, change: Decimal, **extra: Any) -> None:
        attribute = bucket.lower()
        before = getattr(self, attribute)
        after = before + change
        assert after >= 0, f"{bucket} would go negative"
        setattr(self, attribute, after)
        self._moves.append({
            "batch_version": self.version, "sequence": len(self._moves), "bucket": bucket,
            "type": kind, "change": f"{change:.4f}", "before": f"{before:.4f}",
            "after": f"{after:.4f}", "reason": extra.get("reason"), "notes": extra.get("notes"),
            "reference": extra.get("reference"), "location": extra.get("location"),
            "actor": "user-1", "occurred_at": _text(self.clock),
        })  # fmt: skip

    def _emit(self, model: type[ev.BatchEventBase], **fields: Any) -> None:
        """An event of the running operation, explaining the ledger rows since the last one."""
        since = sum(len(p[2].get("_moves", [])) for p in self._pending)
        self._pending.append((model, since, {**fields, "_moves": self._moves[since:]}))

    def _commit(self) -> None:
        batch = self.snapshot()
        for model, _, fields in self._pending:
            moves = fields.pop("_moves")
            payload = {
                "batch": batch,
                "movements": moves,
                "actor": "user-1",
                "occurred_at": _text(self.clock),
                **fields,
            }
            self.events.append(model.model_validate(payload))

    def snapshot(self) -> dict[str, Any]:
        def q(value: Decimal) -> str:
            return f"{value:.4f}"

        return {
            "batch_id": str(self.batch_id), "code": f"B-{str(self.batch_id)[:8]}",
            "sku": self.product["sku"], "site": self.site, "product": self.product,
            "vendor": {"id": str(uuid5(_NS, "vendor")), "name": "Vendor", "license_number": None},
            "lot": {"id": str(uuid5(_NS, "lot")), "code": "LOT-1"}, "unit_of_measure": "Grams",
            "status": self.status, "grade": None, "is_sample": False,
            "balances": {
                "on_hand": q(self.on_hand), "reserved": q(self.reserved),
                "quarantine": q(self.quarantine), "hold": q(self.hold),
                "defective": q(self.defective), "available": q(self.available),
                "physical": q(self.physical),
            },
            "locations": [{"location": self.location, "qty": q(self.physical)}]
            if self.physical
            else [],
            "costs": {**self.costs, "payment_terms": "NET_30"}, "version": self.version,
            "created_at": _text(self.created_at), "updated_at": _text(self.clock),
            "deleted_at": None if self.deleted_at is None else _text(self.deleted_at),
        }  # fmt: skip

    # ------------------------------------------------------------------ operations
    # Each returns whether it happened (an operation the batch's state forbids is skipped).

    def intake(self, quantity: Decimal) -> bool:
        self._begin()
        self.clock = max(self.clock, self.created_at)
        self._post("ON_HAND", "INTAKE", quantity, location=self.location)
        self._emit(ev.BatchCreatedV1, quantity=f"{quantity:.4f}", location=self.location,
                   reference=None, notes=None)  # fmt: skip
        self._commit()
        return True

    def _status(self, to: str, reason: str = "by hand") -> None:
        self._emit(ev.BatchStatusChangedV1, from_status=self.status, to_status=to, reason=reason)
        self.status = to

    def change_status(self, to: str) -> bool:
        allowed = {
            "AWAITING_INTAKE": {"LIVE"},
            "LIVE": {"PHOTOGRAPHY_COMPLETE", "ON_HOLD", "QUARANTINED", "SOLD_OUT", "CLOSED"},
            "PHOTOGRAPHY_COMPLETE": {"LIVE", "ON_HOLD", "QUARANTINED"},
            "ON_HOLD": {"LIVE", "QUARANTINED", "CLOSED"},
            "QUARANTINED": {"LIVE", "CLOSED"},
            "SOLD_OUT": {"CLOSED"},
        }
        if self.deleted_at is not None or to not in allowed.get(self.status, set()):
            return False
        empty = not (self.physical or self.reserved or self.hold)
        if (to == "SOLD_OUT" or (to == "CLOSED" and self.status != "QUARANTINED")) and not empty:
            return False
        self._begin()
        if to == "QUARANTINED":
            for reference, amount in sorted(self.reservations.items()):
                ref = {"type": "ORDER", "id": reference}
                self._post("RESERVED", "RELEASE_RESERVATION", -amount, reference=ref)
                self._emit(ev.BatchReservationReleasedV1, reference=ref,
                           quantity=f"{amount:.4f}", remaining="0.0000")  # fmt: skip
            self.reservations.clear()
            if self.hold:
                amount = self.hold
                self._post("HOLD", "RELEASE_HOLD", -amount)
                self._emit(ev.BatchHoldReleasedV1, quantity=f"{amount:.4f}")
            if self.on_hand:
                amount = self.on_hand
                self._post("ON_HAND", "QUARANTINE", -amount)
                self._post("QUARANTINE", "QUARANTINE", amount)
        elif self.status == "QUARANTINED" and to == "LIVE" and self.quarantine:
            amount = self.quarantine
            self._post("QUARANTINE", "RELEASE_FROM_QUARANTINE", -amount)
            self._post("ON_HAND", "RELEASE_FROM_QUARANTINE", amount)
        elif self.status == "QUARANTINED" and to == "CLOSED":
            for bucket in ("QUARANTINE", "DEFECTIVE"):
                amount = getattr(self, bucket.lower())
                if amount:
                    self._post(bucket, "DISPOSAL", -amount, reason="QUALITY_ISSUE",
                               location=self.location)  # fmt: skip
                    self._emit(ev.BatchDisposedV1, bucket=bucket, quantity=f"{amount:.4f}",
                               reason="QUALITY_ISSUE", location=self.location)  # fmt: skip
        self._status(to)
        self._commit()
        return True

    def delete(self) -> bool:
        if self.deleted_at is not None or self.physical or self.reserved or self.hold:
            return False
        if self.status not in ("CLOSED", "LIVE", "ON_HOLD", "SOLD_OUT", "QUARANTINED"):
            return False
        self._begin()
        if self.status != "CLOSED":
            self._status("CLOSED", "duplicate")
        self.deleted_at = self.clock
        self._emit(ev.BatchDeletedV1, reason="duplicate")
        self._commit()
        return True

    def _sellable(self) -> bool:
        return self.deleted_at is None and self.status in ("LIVE", "PHOTOGRAPHY_COMPLETE")

    def adjust(self, share: int, up: bool) -> bool:
        if self.deleted_at is not None or self.status in ("CLOSED", "SOLD_OUT", "QUARANTINED"):
            return False
        amount = _portion(Decimal(50) if up else self.available, share)
        if not amount:
            return False
        self._begin()
        change = amount if up else -amount
        self._post("ON_HAND", "ADJUSTMENT", change, reason="COUNT_DISCREPANCY",
                   location=self.location)  # fmt: skip
        self._emit(ev.BatchAdjustedV1, bucket="ON_HAND", adjustment=f"{change:.4f}",
                   reason="COUNT_DISCREPANCY", notes=None, location=self.location)  # fmt: skip
        self._commit()
        return True

    def reserve(self, share: int, order: int) -> bool:
        amount = _portion(self.available, share)
        if not self._sellable() or not amount:
            return False
        self._begin()
        reference = f"SO-{order}"
        ref = {"type": "ORDER", "id": reference}
        self.reservations[reference] = self.reservations.get(reference, Decimal(0)) + amount
        self._post("RESERVED", "RESERVE", amount, reference=ref)
        self._emit(ev.BatchReservedV1, reference=ref, quantity=f"{amount:.4f}")
        self._commit()
        return True

    def release_reservation(self, share: int) -> bool:
        if not self.reservations or self.deleted_at is not None:
            return False
        reference, held = sorted(self.reservations.items())[0]
        amount = _portion(held, share) or held
        self._begin()
        ref = {"type": "ORDER", "id": reference}
        self.reservations[reference] = held - amount
        if not self.reservations[reference]:
            del self.reservations[reference]
        self._post("RESERVED", "RELEASE_RESERVATION", -amount, reference=ref)
        self._emit(ev.BatchReservationReleasedV1, reference=ref, quantity=f"{amount:.4f}",
                   remaining=f"{held - amount:.4f}")  # fmt: skip
        self._commit()
        return True

    def sell(self, share: int, from_reservation: bool) -> bool:
        if not self._sellable():
            return False
        reference, held = (
            sorted(self.reservations.items())[0]
            if from_reservation and self.reservations
            else ("SO-walk-in", Decimal(0))
        )
        amount = _portion(held + self.available, share)
        if not amount:
            return False
        consumed = min(amount, held)
        ref = {"type": "ORDER", "id": reference}
        self._begin()
        if consumed:
            self.reservations[reference] = held - consumed
            if not self.reservations[reference]:
                del self.reservations[reference]
            self._post("RESERVED", "SALE", -consumed, reference=ref)
        self._post("ON_HAND", "SALE", -amount, reference=ref, location=self.location)
        self._emit(ev.BatchSoldV1, reference=ref, quantity=f"{amount:.4f}",
                   from_reservation=f"{consumed:.4f}", location=self.location)  # fmt: skip
        self._commit()
        return True

    def receive_return(self, share: int, refund: bool) -> bool:
        if self.deleted_at is not None or self.status in ("AWAITING_INTAKE", "SOLD_OUT", "CLOSED"):
            return False
        amount = _portion(Decimal(20), share)
        if not amount:
            return False
        bucket = "QUARANTINE" if self.status == "QUARANTINED" else "ON_HAND"
        self._begin()
        kind = "REFUND_RETURN" if refund else "RETURN"
        self._post(bucket, kind, amount, location=self.location)
        self._emit(ev.BatchReturnedV1, refund=refund, bucket=bucket, quantity=f"{amount:.4f}",
                   location=self.location, reference=None)  # fmt: skip
        self._commit()
        return True

    def _out_of_available(
        self, share: int, kind: str, model: type[ev.BatchEventBase], **fields: Any
    ) -> bool:
        amount = _portion(self.available, share)
        if not self._sellable() or not amount:
            return False
        self._begin()
        extra = {"reason": fields.get("reason"), "location": self.location}
        self._post("ON_HAND", kind, -amount, **extra)
        self._emit(model, quantity=f"{amount:.4f}", location=self.location, **fields)
        self._commit()
        return True

    def sample(self, share: int) -> bool:
        return self._out_of_available(share, "SAMPLE", ev.BatchSampleSentV1, reference=None)

    def dispose(self, share: int) -> bool:
        return self._out_of_available(
            share, "DISPOSAL", ev.BatchDisposedV1, bucket="ON_HAND", reason="DAMAGED"
        )

    def put_on_hold(self, share: int) -> bool:
        amount = _portion(self.available, share)
        if not self._sellable() or not amount:
            return False
        self._begin()
        self._post("HOLD", "HOLD", amount)
        self._emit(ev.BatchHeldV1, quantity=f"{amount:.4f}")
        self._commit()
        return True

    def release_hold(self, share: int) -> bool:
        amount = _portion(self.hold, share) or self.hold
        if self.deleted_at is not None or not amount:
            return False
        self._begin()
        self._post("HOLD", "RELEASE_HOLD", -amount)
        self._emit(ev.BatchHoldReleasedV1, quantity=f"{amount:.4f}")
        self._commit()
        return True

    def mark_defective(self, share: int) -> bool:
        amount = _portion(self.available, share)
        if not self._sellable() or not amount:
            return False
        self._begin()
        self._post("ON_HAND", "DEFECTIVE", -amount, reason="DAMAGED")
        self._post("DEFECTIVE", "DEFECTIVE", amount, reason="DAMAGED")
        self._emit(ev.BatchMarkedDefectiveV1, source_bucket="ON_HAND", quantity=f"{amount:.4f}",
                   reason="DAMAGED")  # fmt: skip
        self._commit()
        return True

    def transfer(self, share: int) -> bool:
        amount = _portion(self.available, share)
        if not self._sellable() or not amount:
            return False
        other = _location(self.site, 1)
        self._begin()
        self._post("ON_HAND", "TRANSFER", -amount, location=self.location)
        self._post("ON_HAND", "TRANSFER", amount, location=other)
        self._emit(ev.BatchTransferredV1, bucket="ON_HAND", quantity=f"{amount:.4f}",
                   from_location=self.location, to_location=other)  # fmt: skip
        self._commit()
        return True

    def clear_out(self) -> bool:
        """Release every earmark and dispose of all stock, one operation each (then the batch
        can be closed and deleted)."""
        if not self._sellable():
            return False
        while self.reservations:
            self.release_reservation(10_000)
        if self.hold:
            self.release_hold(10_000)
        for bucket in ("ON_HAND", "DEFECTIVE"):
            amount = getattr(self, bucket.lower())
            if amount:
                self._begin()
                self._post(bucket, "DISPOSAL", -amount, reason="EXPIRED", location=self.location)
                self._emit(ev.BatchDisposedV1, bucket=bucket, quantity=f"{amount:.4f}",
                           reason="EXPIRED", location=self.location)  # fmt: skip
                self._commit()
        return True

    def reprice(self, share: int, costs: dict[str, str | None]) -> bool:
        """Change the ticket (none when ``share`` is 0) and the costs (BatchUpdatedV1)."""
        if self.deleted_at is not None:
            return False
        self._begin()
        ticket = None if share == 0 else f"{Decimal(share) / 1000:.4f}"
        before = self.costs.get("ticket")
        self.costs = {**costs, "ticket": ticket}
        self._emit(ev.BatchUpdatedV1, changes={"ticket": {"before": before, "after": ticket}},
                   reason="repricing")  # fmt: skip
        self._commit()
        return True


def _fixed(cost: int) -> dict[str, str | None]:
    return {"cogs_mode": "FIXED", "unit_cogs": f"{Decimal(cost) / 1000:.4f}",
            "unit_cogs_min": None, "unit_cogs_max": None}  # fmt: skip


def _range(low_width: tuple[int, int]) -> dict[str, str | None]:
    low, width = low_width
    return {"cogs_mode": "RANGE", "unit_cogs": None,
            "unit_cogs_min": f"{Decimal(low) / 10_000:.4f}",
            "unit_cogs_max": f"{Decimal(low + width) / 10_000:.4f}"}  # fmt: skip


_COSTS: Final = st.one_of(
    st.integers(0, 99_999).map(_fixed),
    st.tuples(st.integers(0, 50_000), st.integers(1, 99_999)).map(_range),
)
_STATUSES: Final = ("LIVE", "PHOTOGRAPHY_COMPLETE", "ON_HOLD", "QUARANTINED", "SOLD_OUT", "CLOSED")
_Operation = Callable[[SimulatedBatch, int, int, dict[str, str | None]], bool]
_OPERATIONS: Final[tuple[_Operation, ...]] = (
    lambda b, share, n, c: b.change_status("LIVE"),
    lambda b, share, n, c: b.change_status(_STATUSES[n % len(_STATUSES)]),
    lambda b, share, n, c: b.adjust(share, up=n % 2 == 0),
    lambda b, share, n, c: b.reserve(share, n % 3),
    lambda b, share, n, c: b.release_reservation(share),
    lambda b, share, n, c: b.sell(share, from_reservation=n % 2 == 0),
    lambda b, share, n, c: b.sell(share, from_reservation=True),
    lambda b, share, n, c: b.receive_return(share, refund=n % 2 == 0),
    lambda b, share, n, c: b.sample(share),
    lambda b, share, n, c: b.dispose(share),
    lambda b, share, n, c: b.put_on_hold(share),
    lambda b, share, n, c: b.release_hold(share),
    lambda b, share, n, c: b.mark_defective(share),
    lambda b, share, n, c: b.transfer(share),
    lambda b, share, n, c: b.reprice(share % 20_000, c),
    lambda b, share, n, c: b.delete(),
    lambda b, share, n, c: b.clear_out() and b.delete(),
)


@st.composite
def _batch(draw: st.DrawFn, n: int) -> SimulatedBatch:
    # Receipts from a day in the future (clock skew) to 100 days back, to the second: every
    # bracket, and batches on the days that straddle a bracket's boundary.
    age = timedelta(seconds=draw(st.integers(-86_400, 100 * 86_400)))
    batch = SimulatedBatch(
        batch_id=uuid5(_NS, f"batch-{n}-{draw(st.integers(0, 10**9))}"),
        site=SITES[draw(st.integers(0, len(SITES) - 1))],
        product=PRODUCTS[draw(st.integers(0, len(PRODUCTS) - 1))],
        created_at=NOW - age,
        costs={**draw(_COSTS), "ticket": draw(st.sampled_from([None, "4.0000", "12.3456"]))},
    )
    batch.clock = batch.created_at - timedelta(minutes=7)
    batch.intake(Decimal(draw(st.integers(1, 10**7))) / 1000)
    if draw(st.integers(0, 4)):  # most batches go LIVE at once (more to do with them)
        batch.change_status("LIVE")
    steps = draw(
        st.lists(
            st.tuples(
                st.integers(0, len(_OPERATIONS) - 1),
                st.integers(0, 10_000),
                st.integers(0, 100),
                _COSTS,
            ),
            max_size=25,
        )
    )
    for op, share, n_, costs in steps:
        _OPERATIONS[op](batch, share, n_, costs)
    return batch


def new_batch(
    *,
    quantity: Decimal | int = 100,
    site: int = 0,
    product: int = 0,
    received: datetime = NOW,
    unit_cogs: str | None = "2.5000",
    cost_range: tuple[str, str] | None = None,
    ticket: str | None = "4.0000",
    live: bool = True,
) -> SimulatedBatch:
    """A batch taken in (and made LIVE) with the given figures, for example-based tests."""
    costs = (
        _fixed(0) | {"unit_cogs": unit_cogs}
        if cost_range is None
        else {"cogs_mode": "RANGE", "unit_cogs": None, "unit_cogs_min": cost_range[0],
              "unit_cogs_max": cost_range[1]}
    )  # fmt: skip
    batch = SimulatedBatch(
        batch_id=uuid5(_NS, f"batch-{site}-{product}-{received.isoformat()}-{quantity}-{ticket}"),
        site=SITES[site],
        product=PRODUCTS[product],
        created_at=received,
        costs={**costs, "ticket": ticket},
    )
    batch.clock = received - timedelta(minutes=7)
    batch.intake(Decimal(quantity))
    if live:
        batch.change_status("LIVE")
    return batch


def random_batch(rng: random.Random, n: int, *, steps: int = 25) -> SimulatedBatch:
    """A batch with a random history drawn with ``rng`` (for benchmarks: no hypothesis)."""
    batch = SimulatedBatch(
        batch_id=uuid5(_NS, f"batch-{n}-{rng.getrandbits(64)}"),
        site=rng.choice(SITES),
        product=rng.choice(PRODUCTS),
        created_at=NOW - timedelta(seconds=rng.randint(-86_400, 100 * 86_400)),
        costs={**_fixed(rng.randint(0, 99_999)), "ticket": rng.choice([None, "4.0000"])},
    )
    batch.clock = batch.created_at - timedelta(minutes=7)
    batch.intake(Decimal(rng.randint(1, 10**7)) / 1000)
    batch.change_status("LIVE")
    for _ in range(rng.randint(0, steps)):
        operation = rng.choice(_OPERATIONS)
        operation(
            batch, rng.randint(0, 10_000), rng.randint(0, 100), _fixed(rng.randint(0, 99_999))
        )
    return batch


def interleaved(
    rng: random.Random, batches: Sequence[SimulatedBatch]
) -> list[ConsumedInventoryEvent]:
    """The batches' events delivered once each, batches interleaved at random (each batch's in
    order), each at its offset."""
    queues = [list(b.events) for b in batches if b.events]
    offsets = [0] * PARTITIONS
    out = []
    while queues:
        index = rng.randrange(len(queues))
        event = queues[index].pop(0)
        if not queues[index]:
            queues[index] = queues[-1]
            queues.pop()
        assert isinstance(event, ev.BatchEventBase)
        partition = _partition(event.batch.batch_id)
        out.append(consumed(Delivery(Position(TOPIC, partition, offsets[partition]), event)))
        offsets[partition] += 1
    return out


def histories(max_batches: int = 8) -> st.SearchStrategy[list[SimulatedBatch]]:
    """Lists of batches, each with its whole history in ``events``."""
    return st.integers(1, max_batches).flatmap(
        lambda count: st.tuples(*(_batch(n) for n in range(count))).map(list)
    )


@dataclass(frozen=True, slots=True)
class Delivery:
    """One message as a consumer receives it."""

    position: Position
    event: BaseModel


def consumed(delivery: Delivery) -> ConsumedInventoryEvent:
    """What the consumer hands the projection for a delivered message."""
    payload = delivery.event
    assert isinstance(payload, ev.BatchEventBase)
    registered = type_of(payload)
    batch = payload.batch
    return ConsumedInventoryEvent(
        position=delivery.position,
        event_id=uuid5(_NS, f"{batch.batch_id}-{batch.version}-{id(payload)}"),
        event_type=registered.name,
        aggregate_id=str(batch.batch_id),
        aggregate_version=batch.version,
        payload=payload,
    )


def _partition(batch_id: UUID) -> int:
    return batch_id.int % PARTITIONS


def in_order(batches: Sequence[SimulatedBatch]) -> list[ConsumedInventoryEvent]:
    """The batches' events delivered once each, batch after batch, each at its offset."""
    offsets = [0] * PARTITIONS
    out = []
    for batch in batches:
        partition = _partition(batch.batch_id)
        for event in batch.events:
            out.append(consumed(Delivery(Position(TOPIC, partition, offsets[partition]), event)))
            offsets[partition] += 1
    return out


@st.composite
def deliveries(
    draw: st.DrawFn, batches: Sequence[SimulatedBatch]
) -> list[list[ConsumedInventoryEvent]]:
    """The batches' events as a consumer sees them, in chunks (one transaction each):
    interleaved across batches, each batch's events in order, each message at its offset; with
    redeliveries (a run of a partition's earlier messages read again, as after a crash before
    the offsets were committed) and stale copies of single old messages."""
    queues = [list(b.events) for b in batches if b.events]
    log: list[Delivery] = []
    offsets = [0] * PARTITIONS
    while queues:
        queue = queues[draw(st.integers(0, len(queues) - 1))]
        event = queue.pop(0)
        assert isinstance(event, ev.BatchEventBase)
        partition = _partition(event.batch.batch_id)
        log.append(Delivery(Position(TOPIC, partition, offsets[partition]), event))
        offsets[partition] += 1
        queues = [q for q in queues if q]
    stream = list(log)
    for _ in range(draw(st.integers(0, 3))):
        if not log:
            break
        # A replay: from some message on, the same partition's messages again, in order, read
        # after the last of them had been read once (offsets not committed, then a restart).
        start = draw(st.integers(0, len(log) - 1))
        partition = log[start].position.partition
        run = [d for d in log[start:] if d.position.partition == partition]
        run = run[: draw(st.integers(1, len(run)))]
        after = stream.index(run[-1]) + 1
        at = draw(st.integers(after, len(stream)))
        stream[at:at] = run
    for _ in range(draw(st.integers(0, 3))):
        if not log:
            break
        # A stale copy of one message, arriving some time after it.
        stale = log[draw(st.integers(0, len(log) - 1))]
        at = draw(st.integers(stream.index(stale) + 1, len(stream)))
        stream.insert(at, stale)
    chunks: list[list[ConsumedInventoryEvent]] = []
    while stream:
        size = draw(st.integers(1, 12))
        chunks.append([consumed(d) for d in stream[:size]])
        stream = stream[size:]
    return chunks
