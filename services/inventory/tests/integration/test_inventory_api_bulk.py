"""Bulk status change and bulk soft delete: per-batch validation and results."""

from __future__ import annotations

from typing import Any

import asyncpg

MISSING = "00000000-0000-4000-8000-00000000000f"


async def test_bulk_status_validates_each_batch_on_its_own(
    world: Any, db: asyncpg.Connection
) -> None:
    live = await world.live()
    awaiting = await world.intake()
    already = await world.live()
    await world.admin.ok(
        "POST", f"/v1/batches/{already['id']}/status", json={"status": "ON_HOLD", "reason": "x"}
    )
    result = await world.admin.ok(
        "POST",
        "/v1/batches/bulk/status",
        json={
            "batchIds": [live["id"], awaiting["id"], already["id"], MISSING],
            "status": "ON_HOLD",
            "reason": "audit",
        },
    )
    assert (result["success"], result["updated"], result["skipped"]) == (False, 1, 1)
    outcomes = {r["batchId"]: (r["outcome"], r["code"]) for r in result["results"]}
    assert outcomes == {
        live["id"]: ("UPDATED", None),
        awaiting["id"]: ("FAILED", "INVALID_STATUS_TRANSITION"),
        already["id"]: ("SKIPPED", "ALREADY_IN_STATUS"),
        MISSING: ("FAILED", "BATCH_NOT_FOUND"),
    }
    assert {e["batchId"] for e in result["errors"]} == {awaiting["id"], MISSING}
    assert (await world.batch(live["id"]))["status"] == "ON_HOLD"
    assert (await world.batch(awaiting["id"]))["status"] == "AWAITING_INTAKE"
    audit = await db.fetchval("SELECT count(*) FROM audit_log WHERE action = 'BULK_UPDATE_STATUS'")
    assert audit == 1


async def test_bulk_quarantine_syncs_quantities_like_the_single_change(world: Any) -> None:
    batches = [await world.live() for _ in range(3)]
    result = await world.admin.ok(
        "POST",
        "/v1/batches/bulk/status",
        json={
            "batchIds": [b["id"] for b in batches],
            "status": "QUARANTINED",
            "reason": "recall",
        },
    )
    assert (result["success"], result["updated"]) == (True, 3)
    for batch in batches:
        after = await world.batch(batch["id"])
        assert (after["onHandQty"], after["quarantineQty"]) == ("0.0000", "100.0000")


async def test_bulk_delete_only_deletes_empty_batches(world: Any) -> None:
    stocked = await world.live()
    empty = await world.intake()
    await world.admin.ok(
        "POST", f"/v1/batches/{empty['id']}/status", json={"status": "CLOSED", "reason": "cancel"}
    )
    reserved_empty = await world.live()
    await world.admin.ok(
        "POST",
        f"/v1/batches/{reserved_empty['id']}/disposals",
        json={"quantity": "100", "reason": "EXPIRED"},
    )
    result = await world.admin.ok(
        "POST",
        "/v1/batches/bulk/delete",
        json={"batchIds": [stocked["id"], empty["id"], reserved_empty["id"]], "reason": "tidy"},
    )
    outcomes = {r["batchId"]: (r["outcome"], r["code"]) for r in result["results"]}
    assert outcomes == {
        stocked["id"]: ("FAILED", "BATCH_NOT_EMPTY"),
        empty["id"]: ("DELETED", None),
        reserved_empty["id"]: ("DELETED", None),
    }
    assert (result["deleted"], result["success"]) == (2, False)
    again = await world.admin.ok(
        "POST", "/v1/batches/bulk/delete", json={"batchIds": [empty["id"]], "reason": "tidy"}
    )
    assert (again["skipped"], again["results"][0]["code"]) == (1, "ALREADY_DELETED")
    assert (await world.batch(stocked["id"]))["deletedAt"] is None


async def test_a_replayed_bulk_action_is_applied_once(world: Any, db: asyncpg.Connection) -> None:
    batch = await world.live()
    body = {"batchIds": [batch["id"]], "status": "ON_HOLD", "reason": "audit"}
    headers = {"Idempotency-Key": "bulk-1"}
    first = await world.admin.call("POST", "/v1/batches/bulk/status", json=body, headers=headers)
    second = await world.admin.call("POST", "/v1/batches/bulk/status", json=body, headers=headers)
    assert first.json() == second.json()
    assert first.json()["updated"] == 1
    assert (
        await db.fetchval("SELECT count(*) FROM audit_log WHERE action = 'BULK_UPDATE_STATUS'") == 1
    )


async def test_bulk_requests_are_bounded(world: Any) -> None:
    empty = await world.admin.call(
        "POST",
        "/v1/batches/bulk/status",
        json={"batchIds": [], "status": "LIVE", "reason": "x"},
    )
    assert empty.status_code == 422
    many = [MISSING] * 501
    response = await world.admin.call(
        "POST", "/v1/batches/bulk/delete", json={"batchIds": many, "reason": "x"}
    )
    assert response.status_code == 422
