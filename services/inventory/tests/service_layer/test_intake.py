"""Intake in the service layer, over the in-memory unit of work: reference rows found or created,
the batch, its INTAKE movement, audit row and ``created`` event in one unit of work."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from inventory.domain import BatchStatus, ValidationError
from inventory.domain.intake import METRC_UNITS_OF_MEASURE as UNITS
from inventory.service_layer import commands as c
from inventory.service_layer.errors import DuplicateError, NotFoundError, SiteAccessDeniedError
from inventory.service_layer.intake import intake
from shared.database import in_transaction
from shared.events import EventEnvelope, decode
from shared.events import inventory as ev


async def run(world: Any, cmd: c.Intake, caller: Any = None) -> Any:
    return await in_transaction(
        world.db.unit_of_work, lambda uow: intake(uow, caller or world.admin, cmd, units=UNITS)
    )


async def test_an_intake_writes_the_batch_its_movement_audit_row_and_created_event(
    world: Any,
) -> None:
    outcome = await run(world, world.intake())
    state = outcome.record.state
    assert state.status is BatchStatus.AWAITING_INTAKE
    assert state.buckets.on_hand == Decimal("100")
    assert state.version == 1
    tables = world.db.tables
    assert list(tables.batches) == [state.batch_id]
    ((movement_id, movement),) = tables.movements
    assert outcome.movement_ids == (movement_id,)
    assert (movement.type.value, movement.change, movement.actor) == (
        "INTAKE",
        Decimal(100),
        "admin",
    )
    assert tables.audits[0].action == "INTAKE"
    (message,) = tables.outbox
    envelope = EventEnvelope.from_bytes(message.envelope)
    payload = decode(envelope)
    assert isinstance(payload, ev.BatchCreatedV1)
    assert (envelope.aggregate_id, envelope.correlation_id) == (state.batch_id, "req-42")
    assert envelope.actor is not None
    assert envelope.actor.display_name == "Ada"
    assert world.db.commits == 1


async def test_reference_rows_are_found_by_name_or_created_once(world: Any) -> None:
    await run(world, world.intake())
    await run(world, world.intake(code="B-0002", brand=c.BrandChoice(name="valley GOLD")))
    tables = world.db.tables
    assert (len(tables.vendors), len(tables.brands), len(tables.products), len(tables.lots)) == (
        1,
        1,
        1,
        1,
    )
    assert len(tables.batches) == 2


async def test_a_taken_batch_code_is_a_duplicate_and_nothing_is_written(world: Any) -> None:
    await run(world, world.intake())
    before = len(world.db.tables.movements)
    with pytest.raises(DuplicateError):
        await run(world, world.intake(quantity=Decimal("5")))
    assert len(world.db.tables.movements) == before
    assert len(world.db.tables.outbox) == 1


async def test_a_site_the_caller_is_not_granted_is_refused_before_anything_is_written(
    world: Any,
) -> None:
    with pytest.raises(SiteAccessDeniedError):
        await run(world, world.intake(), caller=world.stranger)
    assert world.db.tables.vendors == {}
    assert world.db.tables.batches == {}


async def test_a_location_of_another_site_is_not_found(world: Any) -> None:
    elsewhere = replace(world.intake(), site_id=world.site_id)
    world.db.tables.locations[world.location_b]["site_id"] = "another-site"
    with pytest.raises(NotFoundError):
        await run(world, replace(elsewhere, location=c.LocationChoice(id=world.location_b)))


async def test_flower_needs_a_strain_and_a_failed_intake_leaves_no_reference_rows(
    world: Any,
) -> None:
    product = c.ProductChoice(name="Mystery", category="Flower", unit_of_measure="Grams")
    with pytest.raises(ValidationError):
        await run(world, world.intake(product=product))
    assert world.db.tables.vendors == {}  # rolled back with the unit of work


async def test_a_unit_the_state_does_not_know_is_refused_with_the_closest_one_named(
    world: Any,
) -> None:
    product = c.ProductChoice(
        name="Blue Dream 3.5g", category="Flower", strain="Blue Dream", unit_of_measure="Gram"
    )
    with pytest.raises(ValidationError) as refused:
        await run(world, world.intake(product=product))
    assert "did you mean Grams?" in str(refused.value)
    assert world.db.tables.products == {}
