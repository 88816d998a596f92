"""Intake over HTTP: vendor, brand, product, lot, location, batch and INTAKE movement together."""

from __future__ import annotations

from typing import Any

import asyncpg


async def test_intake_creates_everything_in_one_go(world: Any, db: asyncpg.Connection) -> None:
    result = await world.admin.ok("POST", "/v1/batches/intake", 201, json=world.intake_body())
    batch = result["batch"]
    assert batch["status"] == "AWAITING_INTAKE"
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


async def test_intake_reuses_reference_rows_by_id_and_by_name(
    world: Any, db: asyncpg.Connection
) -> None:
    first = await world.intake()
    vendors = (await world.admin.ok("GET", "/v1/vendors"))["items"]
    products = (await world.admin.ok("GET", "/v1/products"))["items"]
    second = await world.intake(
        vendor={"id": first["vendorId"]},
        brand={"name": "valley gold"},  # found case-insensitively
        product={"id": products[0]["id"]},
        lot={"code": "GV-2026-03"},
        location={"zone": "Vault", "rack": "R1"},  # the same place as location A
    )
    assert second["vendorId"] == first["vendorId"] == vendors[0]["id"]
    assert second["brandId"] == first["brandId"]
    assert second["productId"] == first["productId"]
    assert second["lotId"] == first["lotId"]
    assert second["primaryLocationId"] == world.location_a
    assert await db.fetchval("SELECT count(*) FROM brand") == 1


async def test_intake_defaults_sku_to_the_product_sku_and_generates_a_code(world: Any) -> None:
    body = world.intake_body(
        product={"name": "OG 1g", "category": "Vape", "unitOfMeasure": "Each", "sku": "OG-1"}
    )
    del body["code"]
    batch = (await world.admin.ok("POST", "/v1/batches/intake", 201, json=body))["batch"]
    assert batch["sku"] == "OG-1"
    assert batch["code"].startswith("B-")
    assert batch["strain"] is None


async def test_flower_needs_a_strain(world: Any, db: asyncpg.Connection) -> None:
    body = world.intake_body(
        product={"name": "Mystery", "category": "Flower", "unitOfMeasure": "Grams"}
    )
    response = await world.admin.call("POST", "/v1/batches/intake", json=body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert {
        "field": "product.strain",
        "in": "body",
        "problem": "is required for Flower",
    } in error["details"]["problems"]
    assert await db.fetchval("SELECT count(*) FROM vendor") == 0  # nothing half-created


async def test_range_costing_needs_min_below_max(world: Any, db: asyncpg.Connection) -> None:
    body = world.intake_body(
        cogsMode="RANGE", unitCogs=None, unitCogsMin="3.0000", unitCogsMax="3.0000"
    )
    response = await world.admin.call("POST", "/v1/batches/intake", json=body)
    assert response.status_code == 422
    assert response.json()["error"]["details"]["problems"] == [
        {"field": "unitCogsMax", "in": "body", "problem": "must be greater than unit_cogs_min"}
    ]
    assert await db.fetchval("SELECT count(*) FROM batch") == 0
    ok = world.intake_body(
        cogsMode="RANGE", unitCogs=None, unitCogsMin="2.0000", unitCogsMax="3.0000"
    )
    batch = (await world.admin.ok("POST", "/v1/batches/intake", 201, json=ok))["batch"]
    assert (batch["cogsMode"], batch["unitCogsMin"], batch["unitCogsMax"]) == (
        "RANGE",
        "2.0000",
        "3.0000",
    )


async def test_quantity_must_be_positive(world: Any, db: asyncpg.Connection) -> None:
    response = await world.admin.call(
        "POST", "/v1/batches/intake", json=world.intake_body(quantity="0")
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"]["problems"][0]["field"] == "quantity"
    assert await db.fetchval("SELECT count(*) FROM movement") == 0


async def test_quantities_as_json_numbers_are_refused(world: Any) -> None:
    response = await world.admin.call(
        "POST", "/v1/batches/intake", json=world.intake_body(quantity=10.5)
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert "decimal string" in error["message"]


async def test_a_duplicate_batch_code_is_a_conflict(world: Any, db: asyncpg.Connection) -> None:
    await world.intake(code="B-DUP")
    response = await world.admin.call(
        "POST", "/v1/batches/intake", json=world.intake_body(code="B-DUP")
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "DUPLICATE"
    assert await db.fetchval("SELECT count(*) FROM batch") == 1


async def test_intake_into_an_unknown_site_or_location(world: Any) -> None:
    unknown = "00000000-0000-4000-8000-000000000000"
    response = await world.admin.call(
        "POST", "/v1/batches/intake", json=world.intake_body(siteId=unknown)
    )
    assert (response.status_code, response.json()["error"]["code"]) == (404, "NOT_FOUND")
    response = await world.admin.call(
        "POST", "/v1/batches/intake", json=world.intake_body(location={"id": unknown})
    )
    assert (response.status_code, response.json()["error"]["code"]) == (404, "NOT_FOUND")


async def test_a_location_of_another_site_is_not_found(world: Any, other_world: Any) -> None:
    response = await world.admin.call(
        "POST",
        "/v1/batches/intake",
        json=world.intake_body(location={"id": other_world.location_a}),
    )
    assert response.status_code == 404


async def test_a_reference_needs_an_id_or_fields_not_both(world: Any) -> None:
    body = world.intake_body(vendor={"id": "00000000-0000-4000-8000-000000000000", "name": "X"})
    assert (await world.admin.call("POST", "/v1/batches/intake", json=body)).status_code == 422
    body = world.intake_body(vendor={})
    assert (await world.admin.call("POST", "/v1/batches/intake", json=body)).status_code == 422


async def test_intake_with_an_idempotency_key_happens_once(
    world: Any, db: asyncpg.Connection
) -> None:
    body = world.intake_body()
    headers = {"Idempotency-Key": "intake-1"}
    first = await world.admin.call("POST", "/v1/batches/intake", json=body, headers=headers)
    again = await world.admin.call("POST", "/v1/batches/intake", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert (first.headers["Idempotent-Replayed"], again.headers["Idempotent-Replayed"]) == (
        "false",
        "true",
    )
    assert await db.fetchval("SELECT count(*) FROM batch") == 1
    assert await db.fetchval("SELECT count(*) FROM outbox") == 1
    changed = world.intake_body(code="B-OTHER")
    reused = await world.admin.call("POST", "/v1/batches/intake", json=changed, headers=headers)
    assert reused.status_code == 422
    assert reused.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert await db.fetchval("SELECT count(*) FROM batch") == 1


async def test_a_refused_request_with_a_key_replays_the_same_refusal(
    world: Any, db: asyncpg.Connection
) -> None:
    headers = {"Idempotency-Key": "bad-intake"}
    body = world.intake_body(quantity="-1")
    first = await world.admin.call("POST", "/v1/batches/intake", json=body, headers=headers)
    again = await world.admin.call("POST", "/v1/batches/intake", json=body, headers=headers)
    assert first.status_code == again.status_code == 422
    assert first.json() == again.json()
    assert await db.fetchval("SELECT count(*) FROM vendor") == 0


async def test_keys_are_per_caller(world: Any, make_user: Any, db: asyncpg.Connection) -> None:
    other = await make_user("someone-else")
    headers = {"Idempotency-Key": "same-key"}
    await world.admin.ok(
        "POST", "/v1/batches/intake", 201, json=world.intake_body(), headers=headers
    )
    await other.ok("POST", "/v1/batches/intake", 201, json=world.intake_body(), headers=headers)
    assert await db.fetchval("SELECT count(*) FROM batch") == 2
