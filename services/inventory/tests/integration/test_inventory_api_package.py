"""An intake may say which Metrc package the batch is (tag and source); the batch keeps it and
every event carries it, so compliance never asks inventory."""

from __future__ import annotations

import json
from typing import Any

import asyncpg

TAG = "1A4FF0100000022000000123"


async def snapshots(db: asyncpg.Connection) -> list[dict[str, Any]]:
    rows = await db.fetch("SELECT payload FROM outbox ORDER BY id")
    return [json.loads(r["payload"])["payload"]["batch"] for r in rows]


async def refused(world: Any, package: dict[str, Any]) -> dict[str, Any]:
    body = world.intake_body(package=package)
    response = await world.admin.call("POST", "/v1/batches/intake", json=body)
    assert response.status_code in (409, 422), response.text
    error: dict[str, Any] = response.json()["error"]
    return error


async def test_a_transfer_intake_keeps_its_tag_and_manifest_and_the_event_carries_them(
    world: Any, db: asyncpg.Connection
) -> None:
    package = {"tag": TAG, "source": {"kind": "TRANSFER", "manifestNumber": "0000012345"}}
    await world.admin.ok("POST", "/v1/batches/intake", 201, json=world.intake_body(package=package))
    [snapshot] = await snapshots(db)
    assert snapshot["package_tag"] == TAG
    assert snapshot["package_source"] == {
        "kind": "TRANSFER",
        "manifest_number": "0000012345",
        "ingredients": None,
        "harvest_id": None,
        "harvest_name": None,
    }
    assert await db.fetchval("SELECT package_tag FROM batch") == TAG


async def test_later_events_of_the_batch_still_carry_the_package(
    world: Any, db: asyncpg.Connection
) -> None:
    body = world.intake_body(package={"tag": TAG, "source": {"kind": "OPENING_BALANCE"}})
    batch = (await world.admin.ok("POST", "/v1/batches/intake", 201, json=body))["batch"]
    await world.admin.ok(
        "POST",
        f"/v1/batches/{batch['id']}/adjustments",
        json={"bucket": "ON_HAND", "adjustment": "-1.0000", "reason": "DAMAGED"},
    )
    events = await snapshots(db)
    assert len(events) == 2
    assert all(e["package_tag"] == TAG for e in events)
    assert all(e["package_source"]["kind"] == "OPENING_BALANCE" for e in events)


async def test_an_intake_without_a_package_has_none(world: Any, db: asyncpg.Connection) -> None:
    await world.intake()
    [snapshot] = await snapshots(db)
    assert (snapshot["package_tag"], snapshot["package_source"]) == (None, None)


async def test_a_tag_that_is_not_24_capitals_and_digits_is_refused_and_nothing_is_written(
    world: Any, db: asyncpg.Connection
) -> None:
    for tag in (TAG.lower(), TAG[:-1], TAG + "4", "1A4FF01000000220000001-3"):
        error = await refused(world, {"tag": tag, "source": {"kind": "OPENING_BALANCE"}})
        assert error["code"] == "VALIDATION_ERROR"
        assert [e["field"] for e in error["details"]["problems"]] == ["package.tag"]
    assert await db.fetchval("SELECT count(*) FROM batch") == 0


async def test_a_transfer_needs_the_arrived_packages_tag(world: Any) -> None:
    error = await refused(world, {"source": {"kind": "TRANSFER"}})
    assert {
        "field": "package.tag",
        "in": "body",
        "problem": "is required for a package received by transfer",
    } in error["details"]["problems"]


async def test_one_open_batch_per_tag_in_a_site(world: Any, db: asyncpg.Connection) -> None:
    package = {"tag": TAG, "source": {"kind": "OPENING_BALANCE"}}
    await world.admin.ok("POST", "/v1/batches/intake", 201, json=world.intake_body(package=package))
    second = world.intake_body(package=package)
    response = await world.admin.call("POST", "/v1/batches/intake", json=second)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "DUPLICATE"
    assert response.json()["error"]["details"]["field"] == "package tag"
    assert await db.fetchval("SELECT count(*) FROM batch") == 1


async def test_sources_an_intake_cannot_take_yet_are_refused_with_the_reason(world: Any) -> None:
    harvest = await refused(
        world,
        {"source": {"kind": "HARVEST", "harvestId": "2e3f4a5b-6c7d-4e8f-9a0b-1c2d3e4f5a6b"}},
    )
    assert harvest["details"]["problems"] == [
        {
            "field": "package.source.kind",
            "in": "body",
            "problem": "HARVEST is not accepted by an intake yet",
        }
    ]
