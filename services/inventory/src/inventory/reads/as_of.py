"""Inventory as of any past instant, from the ledger: per batch (replayed by the domain, which
also checks the ledger), and per site (per-bucket last balances and per-location sums in SQL)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from shared.contracts import inventory as api

from inventory.domain import (
    AdjustmentReason,
    Bucket,
    Buckets,
    Movement,
    MovementType,
    Reference,
    replay,
)
from inventory.reads.batches import visible_row
from inventory.reads.keyset import cursor_uuid, keyset_page
from inventory.reads.reference import visible_site
from inventory.service_layer.caller import Caller
from inventory.service_layer.ports import UnitOfWork

__all__ = ["batch_as_of", "site_as_of"]


def _domain_movement(row: Any) -> Movement:
    reference = (
        Reference(row["reference_type"], row["reference_id"])
        if row["reference_type"] and row["reference_id"]
        else None
    )
    return Movement(
        batch_id=str(row["batch_id"]),
        batch_version=row["batch_version"],
        sequence=row["sequence"],
        bucket=Bucket(row["bucket"]),
        type=MovementType(row["movement_type"]),
        change=row["quantity_change"],
        before=row["quantity_before"],
        after=row["quantity_after"],
        location_id=None if row["location_id"] is None else str(row["location_id"]),
        reason=AdjustmentReason(row["adjustment_reason"]) if row["adjustment_reason"] else None,
        notes=row["notes"],
        reference=reference,
        actor=row["performed_by"],
        occurred_at=row["occurred_at"],
    )


def _as_of_model(
    batch_id: UUID,
    code: str,
    at: datetime,
    version: int,
    buckets: Buckets,
    located: dict[str, Decimal],
) -> api.BatchAsOf:
    return api.BatchAsOf(
        batch_id=batch_id,
        code=code,
        at=at,
        version=version,
        on_hand_qty=buckets.on_hand,
        reserved_qty=buckets.reserved,
        quarantine_qty=buckets.quarantine,
        hold_qty=buckets.hold,
        defective_qty=buckets.defective,
        available_qty=buckets.available,
        physical_qty=buckets.physical,
        locations=[
            api.LocationQuantity(location_id=UUID(location), qty=qty)
            for location, qty in sorted(located.items())
        ],
    )


async def batch_as_of(
    uow: UnitOfWork, caller: Caller, batch_id: UUID, at: datetime
) -> api.BatchAsOf:
    """Replayed by the domain from the ledger prefix up to ``at`` (which also checks it)."""
    row = await visible_row(uow, caller, batch_id)
    ledger = [_domain_movement(r) for r in await uow.queries.ledger_until(batch_id, at)]
    balances = replay(ledger)
    return _as_of_model(
        batch_id, row["code"], at, balances.version, balances.buckets, dict(balances.locations)
    )


async def site_as_of(
    uow: UnitOfWork, caller: Caller, site_id: UUID, at: datetime, *, cursor: str | None, limit: int
) -> api.InventoryAsOf:
    """Per batch of the site, from per-bucket last balances and per-location sums in SQL (one
    query each for the whole page, rather than a replay per batch)."""
    await visible_site(uow, caller, site_id)
    queries = uow.queries
    page = await keyset_page(
        cursor or None,
        limit,
        key=(cursor_uuid,),
        fetch=lambda after, n: queries.site_batches_at(site_id, at, after_id=after, limit=n),
        last=lambda r: [str(r["id"])],
    )
    ids = [r["id"] for r in page.items]
    balances: dict[UUID, dict[str, Decimal]] = {i: {} for i in ids}
    versions: dict[UUID, int] = dict.fromkeys(ids, 0)
    for r in await queries.balances_at(ids, at):
        balances[r["batch_id"]][r["bucket"]] = r["quantity_after"]
        versions[r["batch_id"]] = max(versions[r["batch_id"]], r["batch_version"])
    located: dict[UUID, dict[str, Decimal]] = {i: {} for i in ids}
    for r in await queries.located_at(ids, at):
        located[r["batch_id"]][str(r["location_id"])] = r["qty"]
    items = []
    for r in page.items:
        b = balances[r["id"]]
        zero = Decimal("0.0000")
        buckets = Buckets(
            on_hand=b.get("ON_HAND", zero),
            reserved=b.get("RESERVED", zero),
            quarantine=b.get("QUARANTINE", zero),
            hold=b.get("HOLD", zero),
            defective=b.get("DEFECTIVE", zero),
        )
        items.append(
            _as_of_model(r["id"], r["code"], at, versions[r["id"]], buckets, located[r["id"]])
        )
    return api.InventoryAsOf(
        site_id=site_id,
        at=at,
        items=items,
        next_cursor=page.next_cursor,
        has_more=page.has_more,
    )
