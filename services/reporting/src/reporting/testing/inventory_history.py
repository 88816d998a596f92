"""Random but consistent inventory histories, as the real event models of
``shared.events.inventory``, for property tests.

Batches are :class:`~reporting.testing.simulated_batch.SimulatedBatch`: operated on like the
inventory service would, publishing the events it would.

:func:`histories` is a hypothesis strategy of whole histories; :func:`deliveries` turns them
into what a consumer sees: batches interleaved (each batch's events in order, as a partition
keyed by batch id keeps them), with redeliveries of earlier messages, in transaction-sized
chunks.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Final
from uuid import UUID, uuid5

from hypothesis import strategies as st
from pydantic import BaseModel
from shared.events import EventEnvelope
from shared.events import inventory as ev
from shared.events.registry import type_of

from reporting.service_layer.commands import ConsumedInventoryEvent, Position
from reporting.testing.simulated_batch import NAMESPACE, NOW, PRODUCTS, SITES, SimulatedBatch

__all__ = [
    "NOW",
    "PRODUCTS",
    "SITES",
    "TOPIC",
    "Delivery",
    "SimulatedBatch",
    "consumed",
    "deliveries",
    "envelope",
    "histories",
    "in_order",
    "interleaved",
    "new_batch",
    "random_batch",
]

TOPIC: Final = "inventory.batch.events"
PARTITIONS: Final = 3


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
    lambda b, share, n, c: b.consume(share),
    lambda b, share, n, c: b.put_on_hold(share),
    lambda b, share, n, c: b.release_hold(share),
    lambda b, share, n, c: b.mark_defective(share),
    lambda b, share, n, c: b.quarantine_part(share),
    lambda b, share, n, c: b.release_quarantine_part(share),
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
        batch_id=uuid5(NAMESPACE, f"batch-{n}-{draw(st.integers(0, 10**9))}"),
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
        batch_id=uuid5(
            NAMESPACE, f"batch-{site}-{product}-{received.isoformat()}-{quantity}-{ticket}"
        ),
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
        batch_id=uuid5(NAMESPACE, f"batch-{n}-{rng.getrandbits(64)}"),
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
        event_id=uuid5(NAMESPACE, f"{batch.batch_id}-{batch.version}-{id(payload)}"),
        event_type=registered.name,
        event_version=registered.version,
        aggregate_id=str(batch.batch_id),
        aggregate_version=batch.version,
        payload=payload.model_dump(mode="json"),
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


def envelope(event: BaseModel) -> EventEnvelope:
    """An inventory event in the envelope inventory's relay publishes it in (a new event id)."""
    assert isinstance(event, ev.BatchEventBase)
    registered = type_of(event)
    return EventEnvelope(
        event_type=registered.name,
        event_version=registered.version,
        occurred_at=event.occurred_at,
        producer="inventory",
        aggregate_id=str(event.batch.batch_id),
        aggregate_version=event.batch.version,
        site_id=str(event.batch.site.id),
        payload=event.model_dump(mode="json"),
    )
