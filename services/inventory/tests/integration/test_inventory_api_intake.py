"""Intake over HTTP: vendor, brand, product, lot, location, batch and INTAKE movement together."""

from __future__ import annotations

from typing import Any

import asyncpg


async def test_intake_creates_everything_in_one_go(world: Any, db: asyncpg.Connection) -> None:
    result = await world.admin.ok("POST", "/v1/batches/intake", 201, json=world.intake_body())
    batch = result["batch"]
    assert batch["batchStatus"] == "AWAITING_INTAKE"
    assert (batch["onHandQty"], batch["availableQty"], batch["physicalQty"]) == (
        "100.0000",
        "100.0000",
        "100.0000",
    )
    assert batch["version"] == 1
    assert (batch["vendorName"], batch["brandName"], batch["productName"]) == (
        "Green Valley Farms",
        "Valley Gold",
        "Blue Dream 3.5g",
    )
    (movement,) = result["movements"]
    assert movement["movementType"] == "INTAKE"
    assert (movement["quantityBefore"], movement["quantityChange"], movement["quantityAfter"]) == (
        "0.0000",
        "100.0000",
        "100.0000",
    )
    assert movement["performedBy"] == "admin"
    assert await db.fetchval("SELECT count(*) FROM vendor") == 1
    assert await db.fetchval("SELECT count(*) FROM lot") == 1
    event = await db.fetchrow("SELECT topic, message_key, payload FROM outbox")
    assert event["topic"] == "inventory.batch.events"
    assert event["message_key"] == batch["id"]
