"""adjustQty over HTTP: every rule and error code of the spec, and bad input changing nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg
import pytest


def adjust_path(batch: dict[str, Any]) -> str:
    return f"/v1/batches/{batch['id']}/adjustments"


async def ledger(db: asyncpg.Connection) -> list[Any]:
    return [
        tuple(r)
        for r in await db.fetch("SELECT id, bucket, quantity_after FROM movement ORDER BY id")
    ]


async def test_an_adjustment_changes_on_hand_and_writes_one_movement_and_audit_row(
    world: Any, db: asyncpg.Connection
) -> None:
    batch = await world.live()
    result = await world.admin.ok(
        "POST",
        adjust_path(batch),
        json={
            "field": "onHandQty",
            "adjustment": "-2.5",
            "reason": "COUNT_DISCREPANCY",
            "notes": "cycle count",
            "version": batch["version"],
        },
    )
    after = result["batch"]
    assert (after["onHandQty"], after["availableQty"], after["version"]) == (
        "97.5000",
        "97.5000",
        batch["version"] + 1,
    )
    (movement,) = result["movements"]
    assert movement["movementType"] == "ADJUSTMENT"
    assert movement["adjustmentReason"] == "COUNT_DISCREPANCY"
    assert (movement["quantityBefore"], movement["quantityChange"], movement["quantityAfter"]) == (
        "100.0000",
        "-2.5000",
        "97.5000",
    )
    assert movement["locationId"] == world.location_a
    audit = await db.fetchrow(
        "SELECT action, performed_by, reason, changes FROM audit_log ORDER BY id DESC LIMIT 1"
    )
    assert (audit["action"], audit["performed_by"], audit["reason"]) == (
        "ADJUST_QTY",
        "admin",
        "COUNT_DISCREPANCY",
    )
    assert '"onHandQty": {"after": "97.5000", "before": "100.0000"}' in audit["changes"]
    assert await db.fetchval(
        "SELECT qty FROM batch_location WHERE batch_id = $1", UUID(batch["id"])
    ) == Decimal("97.5")


async def test_an_adjustment_can_add_stock_at_another_location(world: Any) -> None:
    batch = await world.live()
    result = await world.admin.ok(
        "POST",
        adjust_path(batch),
        json={"adjustment": "5", "reason": "REWEIGH", "locationId": world.location_b},
    )
    detail = await world.admin.ok("GET", f"/v1/batches/{batch['id']}/detail")
    assert {loc["locationId"]: loc["qty"] for loc in detail["locations"]} == {
        world.location_a: "100.0000",
        world.location_b: "5.0000",
    }
    assert result["batch"]["physicalQty"] == "105.0000"


@pytest.mark.parametrize(
    ("body", "status", "code", "message"),
    [
        (
            {"adjustment": "-100.0001", "reason": "LOST"},
            422,
            "NEGATIVE_INVENTORY",
            "Adjustment would result in negative inventory. Current onHandQty: 100.0000, adjustment: -100.0001",
        ),
        (
            {"adjustment": "1000000.0001", "reason": "REWEIGH"},
            422,
            "ADJUSTMENT_TOO_LARGE",
            "Adjustment too large",
        ),
        (
            {"adjustment": "-1000001", "reason": "LOST"},
            422,
            "ADJUSTMENT_TOO_LARGE",
            "Adjustment too large",
        ),
        ({"adjustment": "1"}, 422, "REASON_REQUIRED", "Reason is required"),
        ({"adjustment": "1", "reason": ""}, 422, "REASON_REQUIRED", "Reason is required"),
        (
            {"adjustment": "1", "reason": "OTHER"},
            422,
            "NOTES_REQUIRED",
            "Notes are required when the reason is OTHER",
        ),
        ({"adjustment": "0", "reason": "LOST"}, 422, "INVALID_QUANTITY", None),
        (
            {"adjustment": "1", "reason": "LOST", "version": 1},
            409,
            "OPTIMISTIC_LOCK_CONFLICT",
            "Batch was modified by another user",
        ),
        (
            {"adjustment": "1", "reason": "LOST", "field": "reservedQty"},
            422,
            "VALIDATION_ERROR",
            None,
        ),
        (
            {"adjustment": "1", "reason": "LOST", "field": "quarantineQty"},
            422,
            "OPERATION_NOT_ALLOWED",
            None,
        ),
        ({"adjustment": "1.00001", "reason": "LOST"}, 422, "VALIDATION_ERROR", None),
        ({"adjustment": "1", "reason": "MISPLACED"}, 422, "VALIDATION_ERROR", None),
    ],
)
async def test_a_refused_adjustment_answers_the_spec_error_and_changes_nothing(
    world: Any,
    db: asyncpg.Connection,
    body: dict[str, Any],
    status: int,
    code: str,
    message: str | None,
) -> None:
    batch = await world.live()
    before_ledger, before_outbox = (
        await ledger(db),
        await db.fetchval("SELECT count(*) FROM outbox"),
    )
    response = await world.admin.call("POST", adjust_path(batch), json=body)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    if message is not None:
        assert error["message"] == message
    assert await world.batch(batch["id"]) == {**batch, "ageDays": batch["ageDays"]}
    assert await ledger(db) == before_ledger
    assert await db.fetchval("SELECT count(*) FROM outbox") == before_outbox


async def test_an_unknown_batch_is_not_found(world: Any) -> None:
    missing = "00000000-0000-4000-8000-000000000001"
    response = await world.admin.call(
        "POST", f"/v1/batches/{missing}/adjustments", json={"adjustment": "1", "reason": "LOST"}
    )
    assert response.status_code == 404
    assert response.json() == {
        "error": {
            "code": "BATCH_NOT_FOUND",
            "message": f"Batch {missing} not found",
            "details": {"batch_id": missing},
        }
    }


async def test_adjusting_below_reserved_stock_is_refused(world: Any) -> None:
    batch = await world.live()
    await world.reserve(batch, "95", "1")
    response = await world.admin.call(
        "POST", adjust_path(batch), json={"adjustment": "-10", "reason": "LOST"}
    )
    assert (response.status_code, response.json()["error"]["code"]) == (
        422,
        "INSUFFICIENT_AVAILABLE",
    )


async def test_a_replayed_adjustment_is_applied_once(world: Any, db: asyncpg.Connection) -> None:
    batch = await world.live()
    headers = {"Idempotency-Key": "adj-1"}
    body = {"adjustment": "-1", "reason": "DAMAGED"}
    first = await world.admin.call("POST", adjust_path(batch), json=body, headers=headers)
    second = await world.admin.call("POST", adjust_path(batch), json=body, headers=headers)
    assert first.json() == second.json()
    assert (await world.batch(batch["id"]))["onHandQty"] == "99.0000"
    assert (
        await db.fetchval("SELECT count(*) FROM movement WHERE movement_type = 'ADJUSTMENT'") == 1
    )


async def test_a_replayed_conflict_stays_a_conflict(world: Any) -> None:
    batch = await world.live()
    headers = {"Idempotency-Key": "adj-stale"}
    body = {"adjustment": "-1", "reason": "DAMAGED", "version": 1}
    first = await world.admin.call("POST", adjust_path(batch), json=body, headers=headers)
    second = await world.admin.call("POST", adjust_path(batch), json=body, headers=headers)
    assert first.status_code == second.status_code == 409
    assert second.headers["Idempotent-Replayed"] == "true"


async def test_an_empty_idempotency_key_is_refused(world: Any) -> None:
    batch = await world.live()
    response = await world.admin.call(
        "POST",
        adjust_path(batch),
        json={"adjustment": "1", "reason": "LOST"},
        headers={"Idempotency-Key": " "},
    )
    assert response.status_code == 422
