"""Partial quarantine through the inventory API: POST /v1/batches/{id}/quarantine and
/quarantine/release move a quantity between on-hand and quarantine, with a reason, optimistic
locking, Idempotency-Key, ledger rows and events through the outbox."""

from __future__ import annotations

from typing import Any

import asyncpg
from shared.events import EventEnvelope, decode
from shared.events import inventory as ev


def path(batch: dict[str, Any], action: str) -> str:
    return f"/v1/batches/{batch['id']}/{action}"


async def error(world: Any, batch: dict[str, Any], action: str, body: Any) -> tuple[int, str]:
    response = await world.admin.call("POST", path(batch, action), json=body)
    return response.status_code, response.json()["error"]["code"]


async def test_quarantining_part_lowers_on_hand_and_available_and_keeps_the_batch_live(
    world: Any,
) -> None:
    batch = await world.live()
    result = await world.admin.ok(
        "POST",
        path(batch, "quarantine"),
        json={"quantity": "12.5", "reason": "failed potency check", "version": batch["version"]},
    )
    after = result["batch"]
    assert (after["onHandQty"], after["quarantineQty"], after["availableQty"]) == (
        "87.5000",
        "12.5000",
        "87.5000",
    )
    assert after["status"] == "LIVE"
    assert [(m["bucket"], m["movementType"], m["quantityChange"]) for m in result["movements"]] == [
        ("ON_HAND", "QUARANTINE", "-12.5000"),
        ("QUARANTINE", "QUARANTINE", "12.5000"),
    ]
    released = await world.admin.ok(
        "POST", path(batch, "quarantine/release"), json={"quantity": "10", "reason": "retest ok"}
    )
    assert (released["batch"]["onHandQty"], released["batch"]["quarantineQty"]) == (
        "97.5000",
        "2.5000",
    )
    assert {m["movementType"] for m in released["movements"]} == {"RELEASE_FROM_QUARANTINE"}


async def test_each_refusal_has_its_stable_code_and_changes_nothing(world: Any) -> None:
    batch = await world.live()
    assert await error(world, batch, "quarantine", {"quantity": "1"}) == (422, "REASON_REQUIRED")
    assert await error(world, batch, "quarantine", {"quantity": "100.0001", "reason": "x"}) == (
        422,
        "INSUFFICIENT_AVAILABLE",
    )
    assert await error(world, batch, "quarantine/release", {"quantity": "1", "reason": "x"}) == (
        422,
        "INSUFFICIENT_AVAILABLE",
    )
    assert await error(world, batch, "quarantine", {"quantity": 1, "reason": "x"}) == (
        422,
        "VALIDATION_ERROR",
    )
    assert await error(
        world, batch, "quarantine", {"quantity": "1", "reason": "x", "version": 1}
    ) == (409, "OPTIMISTIC_LOCK_CONFLICT")
    awaiting = await world.intake()
    assert await error(world, awaiting, "quarantine", {"quantity": "1", "reason": "x"}) == (
        422,
        "OPERATION_NOT_ALLOWED",
    )
    unchanged = await world.batch(batch["id"])
    assert (unchanged["version"], unchanged["quarantineQty"]) == (batch["version"], "0.0000")


async def test_a_replayed_quarantine_is_applied_once(world: Any, db: asyncpg.Connection) -> None:
    batch = await world.live()
    headers = {"Idempotency-Key": "q-1"}
    body = {"quantity": "3", "reason": "failed check"}
    first = await world.admin.call("POST", path(batch, "quarantine"), json=body, headers=headers)
    second = await world.admin.call("POST", path(batch, "quarantine"), json=body, headers=headers)
    assert first.json() == second.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert (await world.batch(batch["id"]))["quarantineQty"] == "3.0000"


async def test_both_moves_are_events_in_the_outbox_with_their_pairs(
    world: Any, db: asyncpg.Connection
) -> None:
    batch = await world.live()
    await world.admin.ok("POST", path(batch, "quarantine"), json={"quantity": "4", "reason": "a"})
    await world.admin.ok(
        "POST", path(batch, "quarantine/release"), json={"quantity": "4", "reason": "b"}
    )
    rows = await db.fetch("SELECT payload::text AS payload FROM outbox ORDER BY id")
    envelopes = [EventEnvelope.model_validate_json(r["payload"]) for r in rows][-2:]
    assert [e.event_type for e in envelopes] == [
        "inventory.batch.quarantined_part",
        "inventory.batch.quarantine_part_released",
    ]
    quarantined, released = (decode(e) for e in envelopes)
    assert isinstance(quarantined, ev.BatchQuarantinedPartV1)
    assert (str(quarantined.quantity), quarantined.reason) == ("4.0000", "a")
    assert quarantined.batch.balances.quarantine == quarantined.batch.balances.physical - 96
    assert isinstance(released, ev.BatchQuarantinePartReleasedV1)
    assert released.batch.balances.available == released.batch.balances.on_hand
