"""Writes on one batch in the service layer, over the in-memory unit of work: each takes its
command, changes the batch through the domain, and writes state, movements, audit and events
together, or nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from inventory.domain import (
    AdjustmentReason,
    BatchNotFoundError,
    BatchStatus,
    Bucket,
    NegativeInventoryError,
    OptimisticLockConflictError,
    Reference,
)
from inventory.domain.intake import METRC_UNITS_OF_MEASURE as UNITS
from inventory.service_layer import batch_commands as ops
from inventory.service_layer import commands as c
from inventory.service_layer.errors import NotFoundError
from inventory.service_layer.intake import intake
from inventory.service_layer.unit_of_work import run_optimistic
from inventory.service_layer.update import update_batch
from shared.database import in_transaction
from shared.events import EventEnvelope

D = Decimal


async def live_batch(world: Any) -> UUID:
    outcome = await in_transaction(
        world.db.unit_of_work, lambda uow: intake(uow, world.admin, world.intake(), units=UNITS)
    )
    batch_id = UUID(outcome.record.state.batch_id)
    await write(world, ops.change_status, c.ChangeStatus(batch_id, BatchStatus.LIVE, "received"))
    return batch_id


async def write(world: Any, handler: Any, cmd: Any, caller: Any = None) -> Any:
    return await in_transaction(
        world.db.unit_of_work, lambda uow: handler(uow, caller or world.admin, cmd)
    )


def events(world: Any) -> list[str]:
    return [m.event_type for m in world.db.tables.outbox]


async def test_an_adjustment_moves_the_bucket_and_writes_one_movement_and_one_event(
    world: Any,
) -> None:
    batch_id = await live_batch(world)
    outcome = await write(
        world,
        ops.adjust_quantity,
        c.AdjustQuantity(
            batch_id, Bucket.ON_HAND, D("-2.5"), AdjustmentReason.COUNT_DISCREPANCY, "count"
        ),
    )
    assert outcome.record.state.buckets.on_hand == D("97.5")
    assert [m.change for m in outcome.movements] == [D("-2.5")]
    assert events(world)[-1] == "inventory.batch.adjusted"
    envelope = EventEnvelope.from_bytes(world.db.tables.outbox[-1].envelope)
    assert envelope.payload["adjustment"] == "-2.5000"  # quantities keep four places
    assert envelope.correlation_id == "req-42"
    assert world.db.tables.audits[-1].reason == "COUNT_DISCREPANCY"


async def test_a_stale_version_is_refused_and_nothing_is_written(world: Any) -> None:
    batch_id = await live_batch(world)
    written = len(world.db.tables.movements), len(world.db.tables.outbox)
    with pytest.raises(OptimisticLockConflictError):
        await write(
            world,
            ops.adjust_quantity,
            c.AdjustQuantity(
                batch_id, Bucket.ON_HAND, D(1), AdjustmentReason.COUNT_DISCREPANCY, version=1
            ),
        )
    assert (len(world.db.tables.movements), len(world.db.tables.outbox)) == written


async def test_going_negative_is_refused_and_rolled_back(world: Any) -> None:
    batch_id = await live_batch(world)
    with pytest.raises(NegativeInventoryError):
        await write(
            world,
            ops.adjust_quantity,
            c.AdjustQuantity(batch_id, Bucket.ON_HAND, D(-101), AdjustmentReason.DAMAGED, "x"),
        )
    assert world.db.tables.batches[str(batch_id)].state.buckets.on_hand == D(100)


async def test_a_batch_of_a_site_the_caller_cannot_see_does_not_exist_for_it(world: Any) -> None:
    batch_id = await live_batch(world)
    with pytest.raises(BatchNotFoundError):
        await write(world, ops.hold, c.Hold(batch_id, D(1)), caller=world.stranger)


async def test_quarantine_moves_on_hand_into_the_quarantine_bucket(world: Any) -> None:
    batch_id = await live_batch(world)
    outcome = await write(
        world, ops.change_status, c.ChangeStatus(batch_id, BatchStatus.QUARANTINED, "mold")
    )
    buckets = outcome.record.state.buckets
    assert (buckets.on_hand, buckets.quarantine) == (D(0), D(100))
    assert {m.type.value for m in outcome.movements} == {"QUARANTINE"}
    assert events(world)[-1] == "inventory.batch.status_changed"


async def test_a_transfer_needs_a_location_of_the_batchs_site(world: Any) -> None:
    batch_id = await live_batch(world)
    outcome = await write(
        world, ops.transfer, c.Transfer(batch_id, D(30), world.location_a, world.location_b)
    )
    assert dict(outcome.record.state.locations) == {
        str(world.location_a): D(70),
        str(world.location_b): D(30),
    }
    assert str(world.location_b) in outcome.record.places  # events name locations in full
    with pytest.raises(NotFoundError):
        await write(
            world,
            ops.transfer,
            c.Transfer(batch_id, D(1), world.location_a, UUID(int=7)),
        )


async def test_a_sale_consumes_the_orders_reservation_first(world: Any) -> None:
    batch_id = await live_batch(world)
    order = Reference("ORDER", "SO-1")
    await write(world, ops.reserve, c.Reserve(batch_id, D(10), order))
    outcome = await write(world, ops.sell, c.Sell(batch_id, D(4), order))
    buckets = outcome.record.state.buckets
    assert (buckets.on_hand, buckets.reserved) == (D(96), D(6))
    assert events(world)[-2:] == ["inventory.batch.reserved", "inventory.batch.sold"]


async def test_an_update_changes_only_the_fields_it_names(world: Any) -> None:
    batch_id = await live_batch(world)
    outcome = await write(
        world,
        update_batch,
        c.UpdateBatch(batch_id, frozenset({"ticket", "reason"}), reason="reprice", ticket=D(4.5)),
    )
    assert outcome.record.facts.ticket == D("4.5000")
    assert outcome.record.state.details.grade is None
    changes = world.db.tables.audits[-1].changes
    assert changes["ticket"] == {"before": None, "after": "4.5000"}
    assert "notes" not in changes


async def test_a_costing_edit_that_clears_the_batchs_total_cost_shows_it_in_the_audit(
    world: Any,
) -> None:
    outcome = await in_transaction(
        world.db.unit_of_work,
        lambda uow: intake(
            uow, world.admin, world.intake(quantity=D(3), cogs_total=D(1000)), units=UNITS
        ),
    )
    batch_id = UUID(outcome.record.state.batch_id)
    await write(
        world,
        update_batch,
        c.UpdateBatch(
            batch_id, frozenset({"unit_cogs", "reason"}), reason="reprice", unit_cogs=D(4)
        ),
    )
    changes = world.db.tables.audits[-1].changes
    assert changes["cogsTotal"] == {"before": "1000.0000", "after": None}
    assert changes["unitCogs"]["after"] == "4.0000"


async def test_the_optimistic_write_retries_under_the_lock_when_another_writer_got_there(
    world: Any,
) -> None:
    batch_id = await live_batch(world)

    async def another_writer() -> None:
        await write(world, ops.hold, c.Hold(batch_id, D(5)))

    world.db.before_optimistic_read = another_writer
    cmd = c.AdjustQuantity(
        batch_id, Bucket.ON_HAND, D(3), AdjustmentReason.COUNT_DISCREPANCY, "found"
    )
    outcome = await run_optimistic(
        world.db.reader,
        world.db.unit_of_work,
        lambda uow: ops.adjust_quantity(uow, world.admin, cmd),
    )
    state = outcome.record.state
    assert (state.buckets.on_hand, state.buckets.hold) == (D(103), D(5))
    assert state.version == 4  # intake, LIVE, the hold, then this adjustment
    assert events(world)[-2:] == ["inventory.batch.held", "inventory.batch.adjusted"]
