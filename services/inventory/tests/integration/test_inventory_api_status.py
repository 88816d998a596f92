"""Status changes with quarantine sync, batch updates with optimistic locking, soft delete."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest


def status_path(batch: dict[str, Any]) -> str:
    return f"/v1/batches/{batch['id']}/status"


async def test_quarantine_moves_on_hand_to_quarantine_and_release_moves_it_back(world: Any) -> None:
    batch = await world.live()
    await world.reserve(batch, "10", "7")
    quarantined = await world.admin.ok(
        "POST", status_path(batch), json={"status": "QUARANTINED", "reason": "mold"}
    )
    b = quarantined["batch"]
    assert (
        b["batchStatus"],
        b["onHandQty"],
        b["quarantineQty"],
        b["reservedQty"],
        b["availableQty"],
        b["physicalQty"],
    ) == ("QUARANTINED", "0.0000", "100.0000", "0.0000", "0.0000", "100.0000")
    kinds = [
        (m["bucket"], m["movementType"], m["quantityChange"]) for m in quarantined["movements"]
    ]
    assert kinds == [
        ("RESERVED", "RELEASE_RESERVATION", "-10.0000"),
        ("ON_HAND", "QUARANTINE", "-100.0000"),
        ("QUARANTINE", "QUARANTINE", "100.0000"),
    ]
    released = await world.admin.ok(
        "POST", status_path(batch), json={"status": "LIVE", "reason": "lab passed"}
    )
    b = released["batch"]
    assert (b["batchStatus"], b["onHandQty"], b["quarantineQty"]) == ("LIVE", "100.0000", "0.0000")
    assert [m["movementType"] for m in released["movements"]] == ["RELEASE_FROM_QUARANTINE"] * 2


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ([], "SOLD_OUT"),
        ([], "PHOTOGRAPHY_COMPLETE"),
        (["LIVE", "QUARANTINED"], "ON_HOLD"),
        (["LIVE", "PHOTOGRAPHY_COMPLETE"], "CLOSED"),
        (["LIVE", "ON_HOLD"], "PHOTOGRAPHY_COMPLETE"),
    ],
)
async def test_transitions_outside_the_machine_are_refused(
    world: Any, db: asyncpg.Connection, path: list[str], target: str
) -> None:
    batch = await world.intake()
    for step in path:
        await world.admin.ok("POST", status_path(batch), json={"status": step, "reason": "setup"})
    current = await world.batch(batch["id"])
    response = await world.admin.call(
        "POST", status_path(batch), json={"status": target, "reason": "x"}
    )
    assert response.status_code == 422
    assert response.json()["error"] == {
        "code": "INVALID_STATUS_TRANSITION",
        "message": f"Cannot transition from {current['batchStatus']} to {target}",
        "details": {"current": current["batchStatus"], "new": target},
    }
    assert (await world.batch(batch["id"]))["version"] == current["version"]


async def test_sold_out_needs_an_empty_batch(world: Any) -> None:
    batch = await world.live()
    response = await world.admin.call(
        "POST", status_path(batch), json={"status": "SOLD_OUT", "reason": "gone"}
    )
    assert (response.status_code, response.json()["error"]["code"]) == (422, "BATCH_NOT_EMPTY")
    await world.sell(batch, "100", "9")
    sold = await world.admin.ok(
        "POST", status_path(batch), json={"status": "SOLD_OUT", "reason": "gone"}
    )
    assert sold["batch"]["batchStatus"] == "SOLD_OUT"


async def test_closing_a_quarantined_batch_disposes_of_its_stock(world: Any) -> None:
    batch = await world.live()
    await world.admin.ok(
        "POST", status_path(batch), json={"status": "QUARANTINED", "reason": "mold"}
    )
    closed = await world.admin.ok(
        "POST",
        status_path(batch),
        json={"status": "CLOSED", "reason": "destroyed", "disposalReason": "QUALITY_ISSUE"},
    )
    assert closed["batch"]["physicalQty"] == "0.0000"
    (disposal,) = closed["movements"]
    assert (disposal["movementType"], disposal["bucket"], disposal["adjustmentReason"]) == (
        "DISPOSAL",
        "QUARANTINE",
        "QUALITY_ISSUE",
    )


async def test_cancelling_an_intake_reverses_it(world: Any) -> None:
    batch = await world.intake()
    closed = await world.admin.ok(
        "POST", status_path(batch), json={"status": "CLOSED", "reason": "never arrived"}
    )
    assert [m["movementType"] for m in closed["movements"]] == ["CORRECTION"]
    assert closed["batch"]["onHandQty"] == "0.0000"


async def test_a_status_change_needs_a_reason(world: Any) -> None:
    batch = await world.intake()
    response = await world.admin.call("POST", status_path(batch), json={"status": "LIVE"})
    assert response.json()["error"] == {
        "code": "REASON_REQUIRED",
        "message": "Reason is required",
        "details": {},
    }
    assert response.status_code == 422


async def test_a_stale_version_is_a_conflict(world: Any) -> None:
    batch = await world.live()
    response = await world.admin.call(
        "POST",
        status_path(batch),
        json={"status": "ON_HOLD", "reason": "x", "version": batch["version"] - 1},
    )
    assert response.status_code == 409
    assert response.json()["error"]["details"] == {
        "expected_version": batch["version"] - 1,
        "actual_version": batch["version"],
    }


async def test_update_changes_descriptive_fields_with_optimistic_locking(
    world: Any, db: asyncpg.Connection
) -> None:
    batch = await world.live()
    updated = await world.admin.ok(
        "PATCH",
        f"/v1/batches/{batch['id']}",
        json={
            "version": batch["version"],
            "ticket": "4.5",
            "notes": "premium",
            "grade": "AA",
            "reason": "repricing",
            "metadata": {"harvest": "2026-02"},
        },
    )
    b = updated["batch"]
    assert (b["ticket"], b["notes"], b["grade"], b["metadata"], b["version"]) == (
        "4.5000",
        "premium",
        "AA",
        {"harvest": "2026-02"},
        batch["version"] + 1,
    )
    assert updated["movements"] == []
    stale = await world.admin.call(
        "PATCH",
        f"/v1/batches/{batch['id']}",
        json={"version": batch["version"], "ticket": "5", "reason": "again"},
    )
    assert (stale.status_code, stale.json()["error"]["code"]) == (409, "OPTIMISTIC_LOCK_CONFLICT")
    assert (await world.batch(batch["id"]))["ticket"] == "4.5000"
    audit = await db.fetchval("SELECT changes FROM audit_log WHERE action = 'UPDATE_BATCH'")
    assert '"ticket": {"after": "4.5000", "before": null}' in audit


async def test_update_switches_costing_to_a_range_and_validates_it(world: Any) -> None:
    batch = await world.live()
    path = f"/v1/batches/{batch['id']}"
    bad = await world.admin.call(
        "PATCH", path, json={"cogsMode": "RANGE", "unitCogsMin": "3", "reason": "x"}
    )
    assert (bad.status_code, bad.json()["error"]["code"]) == (422, "VALIDATION_ERROR")
    good = await world.admin.ok(
        "PATCH",
        path,
        json={"cogsMode": "RANGE", "unitCogsMin": "2", "unitCogsMax": "3", "reason": "x"},
    )
    assert (good["batch"]["cogsMode"], good["batch"]["unitCogs"], good["batch"]["unitCogsMin"]) == (
        "RANGE",
        None,
        "2.0000",
    )


async def test_update_needs_a_reason_and_cannot_touch_a_closed_batch(world: Any) -> None:
    batch = await world.intake()
    response = await world.admin.call("PATCH", f"/v1/batches/{batch['id']}", json={"notes": "x"})
    assert response.json()["error"]["code"] == "REASON_REQUIRED"
    await world.admin.ok("POST", status_path(batch), json={"status": "CLOSED", "reason": "cancel"})
    closed = await world.admin.call(
        "PATCH", f"/v1/batches/{batch['id']}", json={"notes": "x", "reason": "y"}
    )
    assert (closed.status_code, closed.json()["error"]["code"]) == (422, "BATCH_CLOSED")


async def test_soft_delete_needs_an_empty_batch_and_keeps_the_row(
    world: Any, db: asyncpg.Connection
) -> None:
    batch = await world.live()
    path = f"/v1/batches/{batch['id']}"
    refused = await world.admin.call("DELETE", path, params={"reason": "dup"})
    assert (refused.status_code, refused.json()["error"]["code"]) == (422, "BATCH_NOT_EMPTY")
    await world.admin.ok("POST", f"{path}/disposals", json={"quantity": "100", "reason": "EXPIRED"})
    deleted = await world.admin.ok("DELETE", path, params={"reason": "dup"})
    assert deleted["batch"]["batchStatus"] == "CLOSED"
    assert deleted["batch"]["deletedAt"] is not None
    assert await db.fetchval("SELECT count(*) FROM batch") == 1
    again = await world.admin.call("DELETE", path, params={"reason": "dup"})
    assert again.json()["error"]["code"] == "BATCH_CLOSED"
