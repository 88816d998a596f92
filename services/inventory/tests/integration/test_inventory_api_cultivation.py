"""Cultivation through the HTTP API on PostgreSQL: plant batches, growth into tracked plants,
harvests and packages from harvests (each a batch), with their ledgers, events, refusals,
idempotent replays and site isolation. The app fixture checks after each test that every plant
batch's count and every harvest's weight add up to its ledger."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from typing import Any

import asyncpg
import pytest
from shared.contracts import inventory as api

DAY = "2026-01-15"
TAG = "1A4FF0100000022000000101"


async def plant(world: Any, **overrides: Any) -> dict[str, Any]:
    body = {
        "siteId": world.site_id,
        "name": "BD-A",
        "type": "Clone",
        "count": 100,
        "strain": "Blue Dream",
        "locationId": world.location_a,
        "plantedDate": DAY,
        **overrides,
    }
    answer: dict[str, Any] = await world.admin.ok("POST", "/v1/plant-batches", 201, json=body)
    return answer


async def flowering(world: Any, count: int = 2) -> dict[str, Any]:
    batch = (await plant(world))["plantBatch"]
    answer: dict[str, Any] = await world.admin.ok(
        "POST",
        f"/v1/plant-batches/{batch['id']}/growth-phase",
        json={"count": count, "startingTag": TAG, "growthPhase": "Flowering",
              "locationId": world.location_b, "actualDate": DAY},
    )  # fmt: skip
    return answer


async def harvest(world: Any, **overrides: Any) -> dict[str, Any]:
    body = {
        "siteId": world.site_id,
        "name": "H-1",
        "dryingLocationId": world.location_b,
        "unitOfWeight": "Grams",
        "harvestDate": DAY,
        "plants": [
            {"tag": TAG, "weight": "600.2500"},
            {"tag": "1A4FF0100000022000000102", "weight": "399.7500"},
        ],
        "wasteWeight": "50",
        **overrides,
    }
    answer: dict[str, Any] = await world.admin.ok("POST", "/v1/harvests", 201, json=body)
    return answer


async def product(world: Any) -> dict[str, Any]:
    brand = await world.admin.ok("POST", "/v1/brands", 201, json={"name": "Own farm"})
    found: dict[str, Any] = await world.admin.ok(
        "POST",
        "/v1/products",
        201,
        json={"name": "Blue Dream bulk", "category": "Flower", "strain": "Blue Dream",
              "unitOfMeasure": "Grams", "brandId": brand["id"]},
    )  # fmt: skip
    return found


async def events(db: asyncpg.Connection) -> list[tuple[str, dict[str, Any]]]:
    rows = await db.fetch("SELECT topic, payload::text AS p FROM outbox ORDER BY id")
    return [(r["topic"], json.loads(r["p"])["event_type"] and json.loads(r["p"])) for r in rows]


class TestPlantBatches:
    async def test_a_plant_batch_is_planted_read_and_listed(
        self, world: Any, db: asyncpg.Connection
    ) -> None:
        answer = await plant(world)
        api.PlantBatchWriteResult.model_validate(answer)
        batch = answer["plantBatch"]
        assert (batch["count"], batch["type"], batch["source"], batch["locationLabel"]) == (
            100, "Clone", "CLONES", "Vault/R1",
        )  # fmt: skip
        assert await world.admin.ok("GET", f"/v1/plant-batches/{batch['id']}") == batch
        page = await world.admin.ok("GET", "/v1/plant-batches", params={"siteId": world.site_id})
        assert [b["id"] for b in page["items"]] == [batch["id"]]
        [(topic, envelope)] = await events(db)
        assert topic == "inventory.cultivation.events"
        assert envelope["event_type"] == "inventory.plant_batch.planted"
        assert envelope["payload"]["plant_batch"]["site"]["license_number"] == "OR-123456"

    async def test_the_guides_validation_rules_answer_422_and_write_nothing(
        self, world: Any, db: asyncpg.Connection
    ) -> None:
        for body in (
            {"count": 0}, {"count": "5"}, {"count": 1.5}, {"count": True}, {"type": "Cutting"},
            {"plantedDate": "2999-01-01"}, {"plantedDate": "01/15/2026"}, {"name": ""},
        ):  # fmt: skip
            response = await world.admin.call(
                "POST",
                "/v1/plant-batches",
                json={"siteId": world.site_id, "name": "X", "type": "Seed", "count": 3,
                      "strain": "S", "locationId": world.location_a, "plantedDate": DAY, **body},
            )  # fmt: skip
            assert response.status_code == 422, (body, response.text)
            assert response.json()["error"]["code"] == "VALIDATION_ERROR"
        assert await db.fetchval("SELECT count(*) FROM plant_batch") == 0
        assert await db.fetchval("SELECT count(*) FROM outbox") == 0

    async def test_a_duplicate_name_in_the_facility_is_409(
        self, world: Any, other_world: Any
    ) -> None:
        await plant(world)
        response = await world.admin.call(
            "POST", "/v1/plant-batches",
            json={"siteId": world.site_id, "name": "BD-A", "type": "Seed", "count": 3,
                  "strain": "S", "locationId": world.location_a, "plantedDate": DAY},
        )  # fmt: skip
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "DUPLICATE"
        await plant(other_world, locationId=other_world.location_a)  # another facility: fine

    async def test_split_adjust_move_destroy_and_the_ledger(
        self, world: Any, db: asyncpg.Connection
    ) -> None:
        pb = (await plant(world))["plantBatch"]["id"]
        split = await world.admin.ok(
            "POST", f"/v1/plant-batches/{pb}/split",
            json={"name": "BD-B", "count": 30, "actualDate": DAY, "version": 1},
        )  # fmt: skip
        assert (split["plantBatch"]["count"], split["newPlantBatch"]["count"]) == (70, 30)
        await world.admin.ok(
            "POST", f"/v1/plant-batches/{pb}/adjustments",
            json={"quantity": -2, "reason": "Dead", "actualDate": DAY},
        )  # fmt: skip
        await world.admin.ok(
            "POST", f"/v1/plant-batches/{pb}/move",
            json={"locationId": world.location_b, "actualDate": DAY},
        )  # fmt: skip
        destroyed = await world.admin.ok(
            "POST", f"/v1/plant-batches/{pb}/destroy",
            json={"count": 8, "wasteMethod": "Grinder", "wasteReason": "Male plants",
                  "wasteWeight": "120.5", "wasteUnit": "Grams", "actualDate": DAY},
        )  # fmt: skip
        assert (destroyed["plantBatch"]["count"], destroyed["plantBatch"]["destroyedCount"]) == (
            60, 8,
        )  # fmt: skip
        ledger = await world.admin.ok("GET", f"/v1/plant-batches/{pb}/movements",
                                      params={"limit": 3})  # fmt: skip
        assert [m["type"] for m in ledger["items"]] == ["PLANTED", "SPLIT_OUT", "ADJUSTMENT"]
        rest = await world.admin.ok("GET", f"/v1/plant-batches/{pb}/movements",
                                    params={"cursor": ledger["nextCursor"]})  # fmt: skip
        assert [m["type"] for m in rest["items"]] == ["MOVE", "DESTROYED"]
        kinds = [e["event_type"] for _, e in await events(db)]
        assert kinds == [
            "inventory.plant_batch.planted", "inventory.plant_batch.split",
            "inventory.plant_batch.count_adjusted", "inventory.plant_batch.moved",
            "inventory.plant_batch.destroyed",
        ]  # fmt: skip

    async def test_refusals_have_their_codes_and_change_nothing(
        self, world: Any, db: asyncpg.Connection
    ) -> None:
        pb = (await plant(world, count=5))["plantBatch"]["id"]
        cases = [
            ("adjustments", {"quantity": -6, "reason": "Dead", "actualDate": DAY}, 422,
             "INSUFFICIENT_PLANTS"),
            ("adjustments", {"quantity": -1, "actualDate": DAY}, 422, "VALIDATION_ERROR"),
            ("adjustments", {"quantity": -1, "reason": "Dead", "actualDate": DAY, "version": 7},
             409, "OPTIMISTIC_LOCK_CONFLICT"),
            ("move", {"locationId": str(world.site_id), "actualDate": DAY}, 404, "NOT_FOUND"),
            ("growth-phase", {"count": 1, "startingTag": "1a4ff0100000022000000101",
                              "growthPhase": "Vegetative", "actualDate": DAY}, 422,
             "VALIDATION_ERROR"),
        ]  # fmt: skip
        for path, body, status, code in cases:
            response = await world.admin.call("POST", f"/v1/plant-batches/{pb}/{path}", json=body)
            assert (response.status_code, response.json()["error"]["code"]) == (status, code)
        assert await db.fetchval("SELECT version FROM plant_batch") == 1
        assert await db.fetchval("SELECT count(*) FROM outbox") == 1

    async def test_a_replayed_write_is_answered_once(
        self, world: Any, db: asyncpg.Connection
    ) -> None:
        pb = (await plant(world))["plantBatch"]["id"]
        body = {"quantity": -1, "reason": "Dead", "actualDate": DAY}
        first = await world.admin.call("POST", f"/v1/plant-batches/{pb}/adjustments", json=body,
                                       headers={"Idempotency-Key": "adj-1"})  # fmt: skip
        again = await world.admin.call("POST", f"/v1/plant-batches/{pb}/adjustments", json=body,
                                       headers={"Idempotency-Key": "adj-1"})  # fmt: skip
        assert again.headers.get("Idempotent-Replayed") == "true"
        assert again.json() == first.json()
        assert await db.fetchval("SELECT count FROM plant_batch") == 99

    async def test_another_sites_caller_sees_nothing(self, world: Any, make_user: Any) -> None:
        pb = (await plant(world))["plantBatch"]["id"]
        stranger = await make_user("eve", sites=("00000000-0000-4000-8000-000000000000",))
        response = await stranger.call("GET", f"/v1/plant-batches/{pb}")
        assert (response.status_code, response.json()["error"]["code"]) == (404, "NOT_FOUND")
        response = await stranger.call(
            "POST", f"/v1/plant-batches/{pb}/adjustments",
            json={"quantity": 1, "reason": "Count", "actualDate": DAY},
        )  # fmt: skip
        assert response.status_code == 404

    async def test_the_ledger_is_append_only(self, world: Any, db: asyncpg.Connection) -> None:
        await plant(world)
        with pytest.raises(asyncpg.RestrictViolationError):
            await db.execute("UPDATE plant_batch_movement SET change = 1")
        with pytest.raises(asyncpg.RestrictViolationError):
            await db.execute("DELETE FROM plant_batch_movement")


class TestGrowthAndHarvests:
    async def test_growth_tags_plants_and_a_taken_tag_is_409(
        self, world: Any, db: asyncpg.Connection
    ) -> None:
        grown = await flowering(world, 3)
        api.PlantsMovedIntoGrowthResult.model_validate(grown)
        assert [p["tag"] for p in grown["plants"]] == [
            TAG, "1A4FF0100000022000000102", "1A4FF0100000022000000103",
        ]  # fmt: skip
        page = await world.admin.ok("GET", "/v1/plants",
                                    params={"siteId": world.site_id, "growthPhase": "Flowering",
                                            "limit": 2})  # fmt: skip
        assert [p["tag"] for p in page["items"]] == [TAG, "1A4FF0100000022000000102"]
        assert page["hasMore"] is True
        pb = grown["plantBatch"]["id"]
        response = await world.admin.call(
            "POST", f"/v1/plant-batches/{pb}/growth-phase",
            json={"count": 2, "startingTag": "1A4FF0100000022000000103",
                  "growthPhase": "Vegetative", "actualDate": DAY},
        )  # fmt: skip
        assert (response.status_code, response.json()["error"]["code"]) == (409, "DUPLICATE")
        assert await db.fetchval("SELECT count(*) FROM plant") == 3
        assert await db.fetchval("SELECT count FROM plant_batch") == 97

    async def test_harvest_then_packages_become_batches_with_exact_weights(
        self, world: Any, db: asyncpg.Connection
    ) -> None:
        await flowering(world)
        h = (await harvest(world))["harvest"]
        assert (h["wetWeight"], h["wasteWeight"], h["currentWeight"]) == (
            "1000.0000", "50.0000", "950.0000",
        )  # fmt: skip
        flower = await product(world)
        packaged = await world.admin.ok(
            "POST", f"/v1/harvests/{h['id']}/packages", 201,
            json={"actualDate": DAY, "version": 1, "packages": [
                {"productId": flower["id"], "weight": "333.3333", "locationId": world.location_a,
                 "packageTag": "1A4FF0100000022000000201"},
                {"productId": flower["id"], "weight": "100", "locationId": world.location_a},
            ]},
        )  # fmt: skip
        api.HarvestPackagesResult.model_validate(packaged)
        assert packaged["harvest"]["currentWeight"] == "516.6667"
        assert [b["onHandQty"] for b in packaged["batches"]] == ["333.3333", "100.0000"]
        source = await db.fetchval(
            "SELECT package_source::text FROM batch WHERE package_tag = $1",
            "1A4FF0100000022000000201",
        )
        assert json.loads(source)["harvest_id"] == h["id"]
        detail = await world.admin.ok("GET", f"/v1/harvests/{h['id']}")
        assert [m["type"] for m in detail["movements"]] == [
            "HARVESTED", "HARVESTED", "WASTE", "PACKAGED", "PACKAGED",
        ]  # fmt: skip
        assert {p["state"] for p in detail["plants"]} == {"HARVESTED"}
        over = await world.admin.call(
            "POST", f"/v1/harvests/{h['id']}/packages",
            json={"actualDate": DAY, "packages": [
                {"productId": flower["id"], "weight": "516.6668", "locationId": world.location_a}
            ]},
        )  # fmt: skip
        assert (over.status_code, over.json()["error"]["code"]) == (422, "HARVEST_WEIGHT_EXCEEDED")
        assert over.json()["error"]["details"]["remaining"] == "516.6667"
        assert await db.fetchval("SELECT count(*) FROM batch") == 2
        kinds = [e["event_type"] for _, e in await events(db)][-3:]
        assert kinds == [
            "inventory.batch.created", "inventory.batch.created", "inventory.harvest.packaged",
        ]  # fmt: skip

    async def test_concurrent_packagings_never_take_more_than_the_harvest_has(
        self, world: Any, db: asyncpg.Connection
    ) -> None:
        await flowering(world)
        h = (await harvest(world))["harvest"]
        flower = await product(world)

        async def package() -> int:
            response = await world.admin.call(
                "POST", f"/v1/harvests/{h['id']}/packages",
                json={"actualDate": DAY, "packages": [
                    {"productId": flower["id"], "weight": "100", "locationId": world.location_a}
                ]},
            )  # fmt: skip
            return response.status_code

        statuses = await asyncio.gather(*(package() for _ in range(12)))
        assert sorted(statuses) == [201] * 9 + [422] * 3
        assert await db.fetchval("SELECT packaged_weight FROM harvest") == Decimal("900")
        assert await db.fetchval("SELECT count(*) FROM batch") == 9

    async def test_the_database_itself_refuses_a_negative_count_or_weight(
        self, world: Any, db: asyncpg.Connection
    ) -> None:
        await flowering(world)
        await harvest(world)
        with pytest.raises(asyncpg.CheckViolationError):
            await db.execute("UPDATE harvest SET packaged_weight = wet_weight")
        with pytest.raises(asyncpg.CheckViolationError):
            await db.execute("UPDATE plant_batch SET count = -1")
        with pytest.raises(asyncpg.CheckViolationError):
            await db.execute("UPDATE plant SET tag = 'lower-case-tag-000000001'")

    async def test_waste_finish_unfinish_and_the_list(self, world: Any) -> None:
        await flowering(world)
        h = (await harvest(world))["harvest"]
        early = await world.admin.call("POST", f"/v1/harvests/{h['id']}/finish",
                                       json={"actualDate": DAY})  # fmt: skip
        assert early.json()["error"]["code"] == "HARVEST_NOT_EMPTY"
        await world.admin.ok("POST", f"/v1/harvests/{h['id']}/waste",
                             json={"wasteType": "Plant Material", "weight": "950",
                                   "actualDate": DAY})  # fmt: skip
        done = await world.admin.ok("POST", f"/v1/harvests/{h['id']}/finish",
                                    json={"actualDate": DAY})  # fmt: skip
        assert done["harvest"]["status"] == "FINISHED"
        back = await world.admin.ok("POST", f"/v1/harvests/{h['id']}/unfinish", json={})
        assert back["harvest"]["status"] == "ACTIVE"
        page = await world.admin.ok("GET", "/v1/harvests", params={"siteId": world.site_id})
        assert [x["id"] for x in page["items"]] == [h["id"]]

    async def test_vegetative_plants_flower_then_are_harvested(
        self, world: Any, db: asyncpg.Connection
    ) -> None:
        pb = (await plant(world))["plantBatch"]["id"]
        await world.admin.ok(
            "POST", f"/v1/plant-batches/{pb}/growth-phase",
            json={"count": 2, "startingTag": TAG, "growthPhase": "Vegetative", "actualDate": DAY},
        )  # fmt: skip
        tags = [TAG, "1A4FF0100000022000000102"]
        moved = await world.admin.ok(
            "POST", "/v1/plants/growth-phase",
            json={"siteId": world.site_id, "tags": tags, "growthPhase": "Flowering",
                  "locationId": world.location_b, "actualDate": DAY},
        )  # fmt: skip
        assert [(p["growthPhase"], p["floweringDate"]) for p in moved["plants"]] == [
            ("Flowering", DAY), ("Flowering", DAY),
        ]  # fmt: skip
        again = await world.admin.call(
            "POST", "/v1/plants/growth-phase",
            json={"siteId": world.site_id, "tags": tags, "growthPhase": "Flowering",
                  "actualDate": DAY},
        )  # fmt: skip
        assert (again.status_code, again.json()["error"]["code"]) == (422, "VALIDATION_ERROR")
        await harvest(world)
        kinds = [e["event_type"] for _, e in await events(db)]
        assert kinds.count("inventory.plant.growth_phase_changed") == 2

    async def test_a_harvest_of_a_plant_not_flowering_or_unknown_is_refused(
        self, world: Any, db: asyncpg.Connection
    ) -> None:
        pb = (await plant(world))["plantBatch"]["id"]
        await world.admin.ok(
            "POST", f"/v1/plant-batches/{pb}/growth-phase",
            json={"count": 1, "startingTag": TAG, "growthPhase": "Vegetative", "actualDate": DAY},
        )  # fmt: skip
        body = {"siteId": world.site_id, "name": "H", "dryingLocationId": world.location_b,
                "unitOfWeight": "Grams", "harvestDate": DAY,
                "plants": [{"tag": TAG, "weight": "5"}]}  # fmt: skip
        response = await world.admin.call("POST", "/v1/harvests", json=body)
        assert (response.status_code, response.json()["error"]["code"]) == (422, "VALIDATION_ERROR")
        body["plants"] = [{"tag": "1A4FF0100000022000000999", "weight": "5"}]
        response = await world.admin.call("POST", "/v1/harvests", json=body)
        assert response.status_code == 404
        assert await db.fetchval("SELECT count(*) FROM harvest") == 0
