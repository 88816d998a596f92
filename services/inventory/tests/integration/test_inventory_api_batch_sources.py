"""A batch made from other batches (intake with a ``BATCHES`` package source): in the intake's
one transaction the quantities leave the source batches as CONSUMPTION movements naming the new
batch, the new batch records each source's tag, quantity and unit, and the events carry it all;
a refused intake changes nothing anywhere."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import asyncpg

TAG_A = "1A4FF0100000022000000101"
TAG_B = "1A4FF0100000022000000102"
TAG_NEW = "1A4FF0100000022000000103"


async def sources(world: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    a = await world.live(package={"tag": TAG_A, "source": {"kind": "OPENING_BALANCE"}})
    b = await world.live(package={"tag": TAG_B, "source": {"kind": "OPENING_BALANCE"}})
    return a, b


def made_from(world: Any, *ingredients: tuple[str, str], tag: str | None = TAG_NEW) -> Any:
    package: dict[str, Any] = {
        "source": {
            "kind": "BATCHES",
            "ingredients": [{"batchId": b, "quantity": q} for b, q in ingredients],
        }
    }
    if tag is not None:
        package["tag"] = tag
    return world.intake_body(package=package, quantity="45.0000")


async def outbox(db: asyncpg.Connection) -> list[dict[str, Any]]:
    rows = await db.fetch("SELECT payload FROM outbox ORDER BY id")
    return [json.loads(r["payload"]) for r in rows]


async def counts(db: asyncpg.Connection) -> tuple[int, int, int, int]:
    row = await db.fetchrow(
        "SELECT (SELECT count(*) FROM batch) AS b, (SELECT count(*) FROM movement) AS m,"
        " (SELECT count(*) FROM audit_log) AS a, (SELECT count(*) FROM outbox) AS o"
    )
    assert row is not None
    return row["b"], row["m"], row["a"], row["o"]


async def test_a_batch_made_from_two_batches_draws_each_quantity_from_its_source(
    world: Any, db: asyncpg.Connection
) -> None:
    a, b = await sources(world)
    before = len(await outbox(db))
    result = await world.admin.ok(
        "POST", "/v1/batches/intake", 201, json=made_from(world, (a["id"], "30"), (b["id"], "15.5"))
    )
    new = result["batch"]
    assert (new["onHandQty"], new["status"]) == ("45.0000", "AWAITING_INTAKE")
    after_a, after_b = await world.batch(a["id"]), await world.batch(b["id"])
    assert (after_a["onHandQty"], after_a["version"]) == ("70.0000", a["version"] + 1)
    assert (after_b["onHandQty"], after_b["version"]) == ("84.5000", b["version"] + 1)

    ledger = await world.admin.ok("GET", f"/v1/batches/{a['id']}/movements")
    consumption = ledger["items"][0]
    assert (consumption["movementType"], consumption["bucket"], consumption["quantityChange"]) == (
        "CONSUMPTION",
        "ON_HAND",
        "-30.0000",
    )
    assert (consumption["referenceType"], consumption["referenceId"]) == ("BATCH", new["id"])

    stored = json.loads(
        await db.fetchval("SELECT package_source FROM batch WHERE id = $1", new["id"])
    )
    assert stored["ingredients"] == [
        {"batch_id": a["id"], "package_tag": TAG_A, "quantity": "30.0000", "unit": "Grams"},
        {"batch_id": b["id"], "package_tag": TAG_B, "quantity": "15.5000", "unit": "Grams"},
    ]
    audits = await db.fetch(
        "SELECT entity_id AS batch_id, reason FROM audit_log WHERE action = 'CONSUMPTION' ORDER BY id"
    )
    assert [(str(r["batch_id"]), r["reason"]) for r in audits] == [
        (a["id"], f"drawn into batch {new['code']}"),
        (b["id"], f"drawn into batch {new['code']}"),
    ]

    events = (await outbox(db))[before:]
    kinds = sorted((e["event_type"], e["aggregate_id"]) for e in events)
    assert kinds == sorted(
        [
            ("inventory.batch.consumed", a["id"]),
            ("inventory.batch.consumed", b["id"]),
            ("inventory.batch.created", new["id"]),
        ]
    )
    created = next(e for e in events if e["event_type"] == "inventory.batch.created")
    source = created["payload"]["batch"]["package_source"]
    assert source["kind"] == "BATCHES"
    assert [(i["package_tag"], i["quantity"]) for i in source["ingredients"]] == [
        (TAG_A, "30.0000"),
        (TAG_B, "15.5000"),
    ]
    consumed = next(
        e for e in events if e["event_type"] == "inventory.batch.consumed"
        and e["aggregate_id"] == a["id"]
    )  # fmt: skip
    assert (consumed["payload"]["quantity"], consumed["payload"]["into_batch_id"]) == (
        "30.0000",
        new["id"],
    )
    assert consumed["payload"]["batch"]["balances"]["physical"] == "70.0000"
    assert [m["type"] for m in consumed["payload"]["movements"]] == ["CONSUMPTION"]


async def refusal(world: Any, body: dict[str, Any], status: int = 422) -> dict[str, Any]:
    response = await world.admin.call("POST", "/v1/batches/intake", json=body)
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    return error


async def test_more_than_a_source_has_available_is_refused_and_nothing_is_drawn(
    world: Any, db: asyncpg.Connection
) -> None:
    a, b = await sources(world)
    await world.reserve(b, "90", "SO-1")
    before = await counts(db)
    error = await refusal(world, made_from(world, (a["id"], "30"), (b["id"], "10.0001")))
    assert error["code"] == "INSUFFICIENT_AVAILABLE"
    assert error["details"]["field"] == "package.source.ingredients.1"
    assert error["details"]["available"] == "10.0000"
    assert error["message"].startswith(f"Source batch {b['code']}: Insufficient")
    assert await counts(db) == before
    assert (await world.batch(a["id"]))["onHandQty"] == "100.0000"


async def test_a_quarantined_or_unreceived_source_is_refused_with_its_status(
    world: Any, db: asyncpg.Connection
) -> None:
    a, _ = await sources(world)
    awaiting = await world.intake()
    before = await counts(db)
    error = await refusal(world, made_from(world, (a["id"], "1"), (awaiting["id"], "1")))
    assert error["code"] == "OPERATION_NOT_ALLOWED"
    assert error["details"]["status"] == "AWAITING_INTAKE"
    assert error["details"]["field"] == "package.source.ingredients.1"
    assert await counts(db) == before


async def test_a_source_of_another_site_is_refused(
    world: Any, other_world: Any, db: asyncpg.Connection
) -> None:
    elsewhere = await other_world.live()
    before = await counts(db)
    error = await refusal(world, made_from(world, (elsewhere["id"], "1")))
    assert error["code"] == "VALIDATION_ERROR"
    [problem] = error["details"]["problems"]
    assert problem["field"] == "package.source.ingredients.0.batchId"
    assert "another site" in problem["problem"]
    assert await counts(db) == before


async def test_an_unknown_or_invisible_source_is_not_found(
    world: Any, other_world: Any, make_user: Any, db: asyncpg.Connection
) -> None:
    hidden = await other_world.live()
    local = await make_user("clerk", sites=(world.site_id,))
    before = await counts(db)
    for batch_id in ("0f8b8a52-5a43-4d8e-8a57-2f7b2b1f0c11", hidden["id"]):
        response = await local.call(
            "POST", "/v1/batches/intake", json=made_from(world, (batch_id, "1"))
        )
        assert response.status_code == 404, response.text
        error = response.json()["error"]
        assert error["code"] == "BATCH_NOT_FOUND"
        assert error["details"]["field"] == "package.source.ingredients.0.batchId"
    assert await counts(db) == before


async def test_naming_a_source_twice_or_none_is_a_validation_error(
    world: Any, db: asyncpg.Connection
) -> None:
    a, _ = await sources(world)
    before = await counts(db)
    twice = await refusal(world, made_from(world, (a["id"], "1"), (a["id"], "2")))
    assert twice["code"] == "VALIDATION_ERROR"
    assert await counts(db) == before


async def test_a_replayed_intake_draws_once(world: Any, db: asyncpg.Connection) -> None:
    a, _ = await sources(world)
    body = made_from(world, (a["id"], "30"))
    headers = {"Idempotency-Key": "made-from-a-1"}
    first = await world.admin.ok("POST", "/v1/batches/intake", 201, json=body, headers=headers)
    again = await world.admin.call("POST", "/v1/batches/intake", json=body, headers=headers)
    assert again.status_code == 201
    assert again.json()["batch"]["id"] == first["batch"]["id"]
    assert (await world.batch(a["id"]))["onHandQty"] == "70.0000"


async def test_two_batches_made_at_once_from_one_source_never_draw_more_than_it_holds(
    world: Any, db: asyncpg.Connection
) -> None:
    a, _ = await sources(world)
    bodies = [made_from(world, (a["id"], "60"), tag=None) for _ in range(2)]
    responses = await asyncio.gather(
        *(world.admin.call("POST", "/v1/batches/intake", json=body) for body in bodies)
    )
    assert sorted(r.status_code for r in responses) == [201, 422]
    refused = next(r for r in responses if r.status_code == 422).json()["error"]
    assert refused["code"] == "INSUFFICIENT_AVAILABLE"
    assert (await world.batch(a["id"]))["onHandQty"] == "40.0000"


async def test_reads_show_the_package_tag_and_source_of_every_batch(world: Any) -> None:
    a, b = await sources(world)
    result = await world.admin.ok(
        "POST", "/v1/batches/intake", 201, json=made_from(world, (a["id"], "30"), (b["id"], "15.5"))
    )
    new = result["batch"]
    expected_source = {
        "kind": "BATCHES",
        "manifestNumber": None,
        "ingredients": [
            {"batchId": a["id"], "packageTag": TAG_A, "quantity": "30.0000", "unit": "Grams"},
            {"batchId": b["id"], "packageTag": TAG_B, "quantity": "15.5000", "unit": "Grams"},
        ],
        "harvestId": None,
    }
    assert (new["packageTag"], new["packageSource"]) == (TAG_NEW, expected_source)
    got = await world.batch(new["id"])
    assert (got["packageTag"], got["packageSource"]) == (TAG_NEW, expected_source)
    detail = await world.admin.ok("GET", f"/v1/batches/{new['id']}/detail")
    assert detail["batch"]["packageSource"] == expected_source
    source_a = await world.batch(a["id"])
    assert (source_a["packageTag"], source_a["packageSource"]) == (
        TAG_A,
        {"kind": "OPENING_BALANCE", "manifestNumber": None, "ingredients": None, "harvestId": None},
    )
    listed = await world.admin.ok("GET", "/v1/batches/enhanced", params={"siteId": world.site_id})
    tags = {item["id"]: item["packageTag"] for item in listed["items"]}
    assert tags == {a["id"]: TAG_A, b["id"]: TAG_B, new["id"]: TAG_NEW}
    page = await world.admin.ok("GET", "/v1/batches")
    assert {i["id"]: i["packageSource"] for i in page["items"]}[new["id"]] == expected_source
    plain = await world.intake()
    assert ((await world.batch(plain["id"]))["packageTag"], plain["packageSource"]) == (None, None)
