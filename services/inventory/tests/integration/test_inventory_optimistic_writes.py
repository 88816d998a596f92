"""The hot path's optimistic write: when another writer changes the batch between the read and
the conditional write, nothing of the first attempt is written and the write is redone under
the row lock, so both writes count exactly once."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg
import pytest
from inventory.adapters.batch_store import BatchStore


async def test_a_write_that_lost_the_race_is_redone_under_the_lock(
    world: Any, db: asyncpg.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = await world.live()
    path = f"/v1/batches/{batch['id']}/adjustments"
    original_read = BatchStore.read
    interfered: list[int] = []

    async def read_then_interfere(self: BatchStore, batch_id: Any) -> Any:
        record = await original_read(self, batch_id)
        if not interfered:
            # Another client adjusts the same batch after this request read it.
            interfered.append(1)
            await world.admin.ok("POST", path, json={"adjustment": "5", "reason": "REWEIGH"})
        return record

    monkeypatch.setattr(BatchStore, "read", read_then_interfere)
    result = await world.admin.ok("POST", path, json={"adjustment": "-3", "reason": "DAMAGED"})
    assert interfered == [1]
    assert result["batch"]["onHandQty"] == "102.0000"  # 100 + 5 - 3: neither write was lost
    assert result["batch"]["version"] == batch["version"] + 2
    assert result["movements"][0]["quantityBefore"] == "105.0000"  # decided on the new state
    changes = [
        r["quantity_change"]
        for r in await db.fetch(
            "SELECT quantity_change FROM movement WHERE batch_id = $1 AND movement_type = 'ADJUSTMENT'"
            " ORDER BY id",
            UUID(batch["id"]),
        )
    ]
    assert changes == [Decimal("5.0000"), Decimal("-3.0000")]
    assert (
        await db.fetchval(
            "SELECT count(*) FROM outbox WHERE payload->>'event_type' = 'inventory.batch.adjusted'"
        )
        == 2
    )


async def test_a_stale_client_version_is_still_a_conflict_on_the_fast_path(world: Any) -> None:
    batch = await world.live()
    path = f"/v1/batches/{batch['id']}/adjustments"
    await world.admin.ok("POST", path, json={"adjustment": "1", "reason": "REWEIGH"})
    stale = await world.admin.call(
        "POST", path, json={"adjustment": "1", "reason": "REWEIGH", "version": batch["version"]}
    )
    assert (stale.status_code, stale.json()["error"]["code"]) == (409, "OPTIMISTIC_LOCK_CONFLICT")
