"""Bulk actions, reference data and saved views in the service layer, over the in-memory unit of
work: per-batch results, duplicates refused with their own code, owners' rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest
from inventory.domain import AdjustmentReason, BatchStatus, Bucket
from inventory.domain.intake import METRC_UNITS_OF_MEASURE as UNITS
from inventory.service_layer import batch_commands as ops
from inventory.service_layer import commands as c
from inventory.service_layer import reference, saved_views
from inventory.service_layer.bulk import BulkOutcome, bulk_delete, bulk_update_status
from inventory.service_layer.errors import (
    DuplicateError,
    NotFoundError,
    PermissionDeniedError,
    SiteAccessDeniedError,
)
from inventory.service_layer.intake import intake
from shared.database import in_transaction


async def run(world: Any, work: Any) -> Any:
    return await in_transaction(world.db.unit_of_work, work)


async def batch(world: Any, code: str) -> UUID:
    outcome = await run(
        world, lambda uow: intake(uow, world.admin, world.intake(code=code), units=UNITS)
    )
    return UUID(outcome.record.state.batch_id)


async def test_a_bulk_status_change_answers_per_batch_and_one_refusal_stops_no_other(
    world: Any,
) -> None:
    first, second = await batch(world, "B-1"), await batch(world, "B-2")
    await run(
        world,
        lambda uow: ops.change_status(
            uow, world.admin, c.ChangeStatus(second, BatchStatus.LIVE, "received")
        ),
    )
    missing = uuid4()
    cmd = c.ChangeStatuses((first, second, missing, first), BatchStatus.LIVE, "received")
    items = await run(world, lambda uow: bulk_update_status(uow, world.admin, cmd))
    assert [(i.batch_id, i.outcome, i.code) for i in items] == [
        (first, BulkOutcome.UPDATED, None),
        (second, BulkOutcome.SKIPPED, "ALREADY_IN_STATUS"),
        (missing, BulkOutcome.FAILED, "BATCH_NOT_FOUND"),
    ]
    assert world.db.tables.batches[str(first)].state.status is BatchStatus.LIVE


async def test_a_bulk_delete_deletes_only_empty_batches(world: Any) -> None:
    full, empty = await batch(world, "B-1"), await batch(world, "B-2")
    await run(
        world,
        lambda uow: ops.adjust_quantity(
            uow,
            world.admin,
            c.AdjustQuantity(empty, Bucket.ON_HAND, Decimal(-100), AdjustmentReason.DAMAGED, "x"),
        ),
    )
    items = await run(
        world, lambda uow: bulk_delete(uow, world.admin, c.DeleteBatches((full, empty), "tidy"))
    )
    assert [(i.outcome, i.code) for i in items] == [
        (BulkOutcome.FAILED, "BATCH_NOT_EMPTY"),
        (BulkOutcome.DELETED, None),
    ]
    assert world.db.tables.batches[str(empty)].state.deleted_at is not None
    assert world.db.tables.batches[str(full)].state.deleted_at is None


async def test_only_an_identity_granted_every_site_creates_sites(world: Any) -> None:
    site = c.CreateSite("Salem", "OR-2", "OR")
    with pytest.raises(SiteAccessDeniedError):
        await run(world, lambda uow: reference.create_site(uow, world.stranger, site))
    row = await run(world, lambda uow: reference.create_site(uow, world.admin, site))
    assert row["license_number"] == "OR-2"
    with pytest.raises(DuplicateError):
        await run(world, lambda uow: reference.create_site(uow, world.admin, site))


async def test_a_duplicate_inside_a_unit_of_work_leaves_it_usable(world: Any) -> None:
    async def two_vendors(uow: Any) -> Any:
        await reference.create_vendor(uow, c.CreateVendor("Acme"))
        with pytest.raises(DuplicateError):
            await reference.create_vendor(uow, c.CreateVendor("ACME"))
        return await reference.create_vendor(uow, c.CreateVendor("Other"))

    await run(world, two_vendors)
    assert sorted(v["name"] for v in world.db.tables.vendors.values()) == ["Acme", "Other"]


async def test_a_location_of_a_site_the_caller_cannot_see_is_not_found(world: Any) -> None:
    cmd = c.CreateLocation(world.site_id, "Cage")
    with pytest.raises(NotFoundError):
        await run(world, lambda uow: reference.create_location(uow, world.stranger, cmd))


async def test_only_the_owner_deletes_a_shared_view(world: Any) -> None:
    view = c.SaveView("Low stock", '{"status":["LIVE"]}', is_shared=True)
    view_id = await run(world, lambda uow: saved_views.save_view(uow, world.admin, view))
    with pytest.raises(DuplicateError):
        await run(world, lambda uow: saved_views.save_view(uow, world.admin, view))
    with pytest.raises(PermissionDeniedError):
        await run(
            world, lambda uow: saved_views.delete_view(uow, world.stranger, c.DeleteView(view_id))
        )
    await run(world, lambda uow: saved_views.delete_view(uow, world.admin, c.DeleteView(view_id)))
    assert [a["action"] for a in world.db.tables.view_audits] == ["SAVE_VIEW", "DELETE_VIEW"]
