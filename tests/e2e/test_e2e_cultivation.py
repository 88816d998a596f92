"""Cultivation through the gateway (real gateway, real inventory service on a real port, real
PostgreSQL): a plant batch grows into flowering plants, is harvested, and the harvest's packages
become batches of the inventory, every quantity and weight exact; each step is one event on
``inventory.cultivation.events`` (the batches' own on ``inventory.batch.events``)."""

from __future__ import annotations

import json

import asyncpg
from gateway.domain import Role

DAY = "2026-01-15"
TAG = "1A4FF0100000022000000501"


async def test_plant_batch_to_flowering_to_harvest_to_packages_to_batches(platform, databases):
    grower = await platform.caller([Role.INVENTORY])
    auditor = await platform.caller([Role.AUDITOR])
    site = platform.site_id
    planted = await grower.ok(
        "POST", "/api/v1/plant-batches", 201,
        json={"siteId": site, "name": "OG-2026-01", "type": "Seed", "count": 12,
              "strain": "OG Kush", "locationId": platform.location_a, "plantedDate": DAY},
    )  # fmt: skip
    pb = planted["plantBatch"]
    assert (pb["count"], pb["source"], planted["movements"][0]["performedBy"]) == (
        12, "SEEDS", grower.user_id,
    )  # fmt: skip
    grown = await grower.ok(
        "POST", f"/api/v1/plant-batches/{pb['id']}/growth-phase",
        json={"count": 3, "startingTag": TAG, "growthPhase": "Flowering",
              "locationId": platform.location_b, "actualDate": DAY, "version": 1},
    )  # fmt: skip
    tags = [p["tag"] for p in grown["plants"]]
    assert tags == [TAG, "1A4FF0100000022000000502", "1A4FF0100000022000000503"]
    assert (grown["plantBatch"]["count"], grown["plantBatch"]["trackedCount"]) == (9, 3)

    harvested = await grower.ok(
        "POST",
        "/api/v1/harvests",
        201,
        json={
            "siteId": site,
            "name": "OG-H-1",
            "dryingLocationId": platform.location_b,
            "unitOfWeight": "Grams",
            "harvestDate": DAY,
            "wasteWeight": "0.0003",
            "plants": [
                {"tag": t, "weight": w}
                for t, w in zip(tags, ("410.1234", "389.8766", "200.0001"), strict=True)
            ],
        },
    )
    harvest = harvested["harvest"]
    assert (harvest["wetWeight"], harvest["currentWeight"]) == ("1000.0001", "999.9998")

    brand = await platform.admin.ok("POST", "/api/v1/brands", 201, json={"name": "North farm"})
    flower = await platform.admin.ok(
        "POST", "/api/v1/products", 201,
        json={"name": "OG Kush bulk", "category": "Flower", "strain": "OG Kush",
              "unitOfMeasure": "Grams", "brandId": brand["id"]},
    )  # fmt: skip
    packaged = await grower.ok(
        "POST", f"/api/v1/harvests/{harvest['id']}/packages", 201,
        json={"actualDate": DAY, "packages": [
            {"productId": flower["id"], "weight": "453.5924", "locationId": platform.location_a,
             "packageTag": "1A4FF0100000022000000601"},
            {"productId": flower["id"], "weight": "546.4074", "locationId": platform.location_a},
        ]},
    )  # fmt: skip
    assert packaged["harvest"]["currentWeight"] == "0.0000"
    for answered, weight in zip(packaged["batches"], ("453.5924", "546.4074"), strict=True):
        batch = await auditor.ok("GET", f"/api/v1/batches/{answered['id']}")
        assert (batch["onHandQty"], batch["productName"], batch["siteId"]) == (
            weight, "OG Kush bulk", site,
        )  # fmt: skip
        ledger = await auditor.ok("GET", f"/api/v1/batches/{answered['id']}/movements")
        (intake,) = ledger["items"]
        assert (intake["movementType"], intake["referenceType"], intake["referenceId"]) == (
            "INTAKE", "HARVEST", harvest["id"],
        )  # fmt: skip
    finished = await grower.ok(
        "POST", f"/api/v1/harvests/{harvest['id']}/finish", json={"actualDate": DAY}
    )
    assert finished["harvest"]["status"] == "FINISHED"
    detail = await auditor.ok("GET", f"/api/v1/harvests/{harvest['id']}")
    assert {p["state"] for p in detail["plants"]} == {"HARVESTED"}

    refused = await auditor.call("POST", f"/api/v1/harvests/{harvest['id']}/unfinish", json={})
    assert refused.status_code == 403

    conn = await asyncpg.connect(databases[0].replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        rows = await conn.fetch("SELECT topic, payload::text AS p FROM outbox ORDER BY id")
    finally:
        await conn.close()
    kinds = [(r["topic"], json.loads(r["p"])["event_type"]) for r in rows]
    cultivation = "inventory.cultivation.events"
    assert kinds == [
        (cultivation, "inventory.plant_batch.planted"),
        (cultivation, "inventory.plant_batch.growth_phase_changed"),
        (cultivation, "inventory.harvest.created"),
        ("inventory.batch.events", "inventory.batch.created"),
        ("inventory.batch.events", "inventory.batch.created"),
        (cultivation, "inventory.harvest.packaged"),
        (cultivation, "inventory.harvest.finished"),
    ]
    created = json.loads(rows[3]["p"])["payload"]["batch"]
    assert created["package_source"]["kind"] == "HARVEST"
    assert created["package_source"]["harvest_name"] == "OG-H-1"
    assert created["package_tag"] == "1A4FF0100000022000000601"
