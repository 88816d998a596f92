"""Exactly once under faults, through the whole platform: the Metrc sandbox losing responses,
answering 429 storms and 5xx on every write endpoint while compliance's worker and relay are
SIGKILLed at random moments (plant batches planted, adjusted, moved and grown alongside, under
faults on their writes too; outgoing transfers made, settled or cancelled, the worker killed
while Metrc makes a template and while it archives one, and the receiver's incoming pull); and
Metrc down for a whole run. Some batches are made from two
others: their packages are created from the sources' packages, which Metrc draws from, and the
checks (each package holds inventory's physical quantity; with Metrc down, each package's
adjustments are exactly the batch's) prove the draws are counted once and never pushed as
adjustments. (A small run here; the issue's 200 intakes and 1,000 adjustments:
``make fault-metrc-push``.)"""

from __future__ import annotations

import functools
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from compliance.fault_run import METRC_WRITES, FaultRun, settle_and_check
from compliance.sandbox_world import BULK_ITEM, CLONE_ITEM, LICENSE, MetrcSite, eventually
from shared.testing.infra import KafkaServer, PostgresServer
from shared.testing.platform import RunningPlatform, start_platform

FAULT_TOLERANT = {
    # Read-back after 2 x (2 tries x 4 s + 1 s) + 1 s = 19 s; retries every 0.5-2 s; enough
    # attempts that a write outlives the outage below instead of being failed.
    "COMPLIANCE_METRC_CONNECT_TIMEOUT_SECONDS": "1",
    "COMPLIANCE_METRC_READ_TIMEOUT_SECONDS": "3",
    "COMPLIANCE_METRC_CALL_ATTEMPTS": "2",
    "COMPLIANCE_METRC_MAX_RETRY_AFTER_SECONDS": "1",
    "COMPLIANCE_METRC_MAX_BACKOFF_SECONDS": "1",
    "COMPLIANCE_METRC_LAG_SECONDS": "1",
    "COMPLIANCE_PUSH_FIRST_RETRY_SECONDS": "0.5",
    "COMPLIANCE_PUSH_MAX_RETRY_SECONDS": "2",
    "COMPLIANCE_PUSH_MAX_ATTEMPTS": "100",
    "COMPLIANCE_RECOVERY_INTERVAL_SECONDS": "1",
    "COMPLIANCE_PUSH_REST_SECONDS": "0.2",
    # Manifest rounds often; a killed round's claim runs out in 30 s, not 5 minutes.
    "COMPLIANCE_TRANSFER_POLL_SECONDS": "0.5",
    "COMPLIANCE_TRANSFER_CLAIM_SECONDS": "30",
}


@pytest.fixture(scope="module")
async def platform(
    postgres_server: PostgresServer,
    kafka_server: KafkaServer,
    identity_keys: tuple[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[RunningPlatform]:
    logs: Path = tmp_path_factory.mktemp("compliance-faults")
    running = await start_platform(
        postgres_server, kafka_server, identity_keys, logs, compliance=FAULT_TOLERANT
    )
    yield running
    running.stop()


@pytest.fixture(scope="module")
def api_key(platform: RunningPlatform) -> str:
    return platform.admin_key()


async def metrc_site(
    platform: RunningPlatform, api_key: str, *, reset: bool, site_license: str | None = None
) -> MetrcSite:
    assert platform.compliance is not None
    return await MetrcSite.create(
        gateway_url=platform.gateway_url,
        api_key=api_key,
        metrc_url=platform.compliance.metrc_url,
        compliance_database_url=platform.compliance.database_url,
        package_tags=60,
        plant_tags=60 if reset else 0,
        reset=reset,
        site_license=site_license or (LICENSE if reset else f"{LICENSE}-B"),
    )


class TestExactlyOnceUnderFaults:
    async def test_lost_answers_429_storms_5xx_and_killed_processes_leave_one_metrc_record_per_intent_with_inventorys_numbers(
        self, platform: RunningPlatform, api_key: str
    ) -> None:
        assert platform.compliance is not None
        site = await metrc_site(platform, api_key, reset=True)
        try:
            run = FaultRun(site, platform.compliance, rng=random.Random(11))
            await run.run(
                intakes=12, adjustments=80, kill_every=1.0, min_kills=3, blends=2,
                plantings=6, plant_changes=30, harvests=2, package_plantings=2, transfers=4,
                patience=240,
            )  # fmt: skip
            summary = await settle_and_check(site, run.batches, seconds=240, writes=run.writes)
            assert run.cultivation is not None
            assert run.transfers is not None
            plants = await run.cultivation.settle_and_check(seconds=240)
            transfers = await run.transfers.settle_and_check(seconds=240)
        finally:
            await site.close()
        assert run.kills >= 3, f"only {run.kills} processes were killed"
        assert run.faults > 0
        # Both aimed kills landed mid-round: the held write applied, its row not saved by the
        # round that sent it (read back by the next round instead).
        assert (run.transfers.kills_aimed, run.transfers.kills_mid_round) == (2, 2)
        print(f"{summary}; {plants}; {transfers}; {run.kills} kills, {run.faults} faults injected")

    async def test_with_metrc_down_for_the_whole_run_everything_drains_in_order_once_it_is_back(
        self, platform: RunningPlatform, api_key: str
    ) -> None:
        site = await metrc_site(platform, api_key, reset=False)
        try:
            down = [
                {"method": m, "path": p, "kind": "status", "status": 503, "times": 100_000}
                for m, p in METRC_WRITES
            ]
            (await site.sandbox.post("/_sandbox/faults", json=down)).raise_for_status()
            assert platform.compliance is not None
            run = FaultRun(site, platform.compliance, rng=random.Random(5))
            await run.load(intakes=6, adjustments=30, blends=1)
            for tag in run.batches.values():
                assert await site.package(tag) is None
            (await site.sandbox.delete("/_sandbox/faults")).raise_for_status()
            summary = await settle_and_check(
                site, run.batches, seconds=180, writes=run.writes, changes=run.changes
            )
        finally:
            await site.close()
        assert sum(len(c) for c in run.changes.values()) == 30
        print(summary)


async def ok(request: Any) -> Any:
    response = await request
    assert response.status_code < 300, (response.status_code, response.text)
    return response.json()


class TestPlantBatchesInMetrc:
    async def test_a_plant_batch_its_split_growth_destruction_harvest_packages_and_a_planting_from_a_package_reach_metrc_once_with_inventorys_numbers(
        self, platform: RunningPlatform, api_key: str
    ) -> None:
        # A site of its own (inventory's license numbers are unique), on a freshly seeded Metrc.
        site = await metrc_site(platform, api_key, reset=True, site_license=f"{LICENSE}-P")
        day = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
        try:
            planted = await ok(
                site.gateway.post(
                    "/plant-batches",
                    json={
                        "siteId": site.site_id, "name": "E2E-PB-1", "type": "Seed", "count": 40,
                        "strain": "Blue Dream", "locationId": site.location_ids["Vault"],
                        "plantedDate": day,
                    },
                )
            )  # fmt: skip
            pb = planted["plantBatch"]
            split = await ok(
                site.gateway.post(
                    f"/plant-batches/{pb['id']}/split",
                    json={"name": "E2E-PB-2", "count": 15, "actualDate": day, "version": 1},
                )
            )
            new = split["newPlantBatch"]
            tags = site.free_plant_tags[:3]
            await ok(
                site.gateway.post(
                    f"/plant-batches/{pb['id']}/growth-phase",
                    json={"count": 3, "startingTag": tags[0], "growthPhase": "Vegetative",
                          "actualDate": day, "version": split["plantBatch"]["version"]},
                )
            )  # fmt: skip
            await ok(
                site.gateway.post(
                    f"/plant-batches/{new['id']}/destroy",
                    json={"count": 5, "wasteMethod": "Grinder", "wasteReason": "Male plants",
                          "wasteWeight": "120.5000", "wasteUnit": "Grams",
                          "wasteMaterialMixed": "Soil", "reasonNote": "males",
                          "actualDate": day, "version": new["version"]},
                )
            )  # fmt: skip

            async def in_metrc(plant_batch_id: str, writes: int) -> dict[str, Any] | None:
                # Every write recorded, not only those recorded so far all done: the growth
                # phase change may not have reached compliance when the planting and split have.
                answer = await site.gateway.get(f"/plant-batches/{plant_batch_id}/metrc-link")
                if answer.status_code != 200:
                    return None
                link: dict[str, Any] = answer.json()
                settled = link["state"] == "IN_METRC" and link["openWrites"] == 0
                return link if settled and len(link["submissions"]) >= writes else None

            first = await eventually(lambda: in_metrc(pb["id"], 3), seconds=120, what="PB-1 pushed")
            second = await eventually(
                lambda: in_metrc(new["id"], 2), seconds=120, what="PB-2 pushed"
            )
            batches = {b.name: b for b in await site.metrc.list_plant_batches(LICENSE)}
            assert (batches["E2E-PB-1"].untracked_count, batches["E2E-PB-2"].untracked_count) == (
                22, 10,
            )  # fmt: skip
            assert batches["E2E-PB-2"].destroyed_count == 5
            assert first["metrcId"] == batches["E2E-PB-1"].id
            assert second["metrcId"] == batches["E2E-PB-2"].id
            assert [s["kind"] for s in first["submissions"]] == [
                "PLANT_BATCH_PLANTING", "PLANT_BATCH_SPLIT", "PLANT_BATCH_GROWTH_PHASE",
            ]  # fmt: skip
            plants = await site.metrc.find_plants(LICENSE, tags)
            assert sorted(plants) == sorted(tags)
            assert {p.plant_batch_name for p in plants.values()} == {"E2E-PB-1"}

            # Two more plants straight into flowering, harvested with waste, the rest recorded as
            # waste (inventory finishes only an empty harvest), finished.
            flowering = site.free_plant_tags[3:5]
            latest = await ok(site.gateway.get(f"/plant-batches/{pb['id']}"))
            await ok(
                site.gateway.post(
                    f"/plant-batches/{pb['id']}/growth-phase",
                    json={"count": 2, "startingTag": flowering[0], "growthPhase": "Flowering",
                          "actualDate": day, "version": latest["version"]},
                )
            )  # fmt: skip
            harvested = await ok(
                site.gateway.post(
                    "/harvests",
                    json={"siteId": site.site_id, "name": "E2E-H-1",
                          "dryingLocationId": site.location_ids["Back Room"],
                          "unitOfWeight": "Grams", "harvestDate": day, "wasteWeight": "12.5000",
                          "plants": [{"tag": flowering[0], "weight": "410.1234"},
                                     {"tag": flowering[1], "weight": "389.8766"}]},
                )
            )  # fmt: skip
            harvest = harvested["harvest"]
            # Two packages of bulk flower from the harvest: batches in inventory, packages made
            # from the harvest in Metrc (its remaining weight going down by theirs). Tags from
            # the end of the reseeded list: the module's earlier tests linked the first ones in
            # compliance (same license, same seed), and a tag names one batch per license.
            brand = await ok(site.gateway.post("/brands", json={"name": "E2E harvests"}))
            product = await ok(
                site.gateway.post(
                    "/products",
                    json={"name": BULK_ITEM, "category": "Flower", "strain": "Blue Dream",
                          "brandId": brand["id"], "unitOfMeasure": "Grams"},
                )
            )  # fmt: skip
            weights = [Decimal("250.1250"), Decimal("137.3750")]
            packaged = await ok(
                site.gateway.post(
                    f"/harvests/{harvest['id']}/packages",
                    json={"packages": [{"productId": product["id"], "weight": str(w),
                                        "locationId": site.location_ids["Vault"],
                                        "packageTag": site.free_tags.pop()}
                                       for w in weights],
                          "actualDate": day, "version": harvest["version"]},
                )
            )  # fmt: skip
            wasted = await ok(
                site.gateway.post(
                    f"/harvests/{harvest['id']}/waste",
                    json={"wasteType": "Plant Material", "weight": "400.0000", "actualDate": day,
                          "version": packaged["harvest"]["version"]},
                )
            )  # fmt: skip
            await ok(
                site.gateway.post(
                    f"/harvests/{harvest['id']}/finish",
                    json={"actualDate": day, "version": wasted["harvest"]["version"]},
                )
            )

            async def harvest_in_metrc() -> Any:
                found = await site.metrc.find_harvest(LICENSE, "E2E-H-1")
                return found if found is not None and found.finished_date is not None else None

            in_metrc_harvest = await eventually(harvest_in_metrc, seconds=180, what="E2E-H-1")
            final = (await ok(site.gateway.get(f"/harvests/{harvest['id']}")))["harvest"]
            assert (
                in_metrc_harvest.total_wet_weight, in_metrc_harvest.total_waste_weight,
                in_metrc_harvest.total_packaged_weight, in_metrc_harvest.current_weight,
            ) == (
                Decimal(final["wetWeight"]), Decimal(final["wasteWeight"]),
                Decimal(final["packagedWeight"]), Decimal(final["currentWeight"]),
            ) == (Decimal("800"), Decimal("412.5"), Decimal("387.5"), Decimal(0))  # fmt: skip
            assert in_metrc_harvest.plant_count == 2
            for batch, weight in zip(packaged["batches"], weights, strict=True):
                batch_id: str = batch["id"]
                subs = await eventually(
                    functools.partial(site.settled, batch_id), seconds=60, what="its package"
                )
                (create,) = subs
                assert create.kind.value == "CREATE_HARVEST_PACKAGE"
                assert create.state.value == "ACCEPTED"
                package = await site.metrc.find_package(LICENSE, create.tag or "")
                assert package is not None
                inventory = await site.batch(batch["id"])
                assert package.quantity == Decimal(inventory["physicalQty"]) == weight
                assert package.item_name == BULK_ITEM

            # A plant batch planted from a package of clones: Metrc's package goes down by the
            # drawn quantity once (the draw is not also pushed as an adjustment).
            body = site.intake_body("40", tag=site.free_tags.pop(),
                                    source={"kind": "OPENING_BALANCE"})  # fmt: skip
            body["product"] = {"name": CLONE_ITEM, "category": "Clone", "strain": "Blue Dream",
                               "unitOfMeasure": "Each"}  # fmt: skip
            clones = (await ok(site.gateway.post("/batches/intake", json=body)))["batch"]
            await site.make_live(clones["id"])
            await ok(
                site.gateway.post(
                    "/plant-batches",
                    json={"siteId": site.site_id, "name": "E2E-PB-3", "type": "Clone",
                          "count": 12, "strain": "Blue Dream", "plantedDate": day,
                          "locationId": site.location_ids["Vault"], "source": "PACKAGE",
                          "sourceBatchId": clones["id"], "sourceQuantity": "12"},
                )
            )  # fmt: skip
            third = await eventually(
                lambda: site.metrc.find_plant_batch(LICENSE, "E2E-PB-3"), seconds=120,
                what="E2E-PB-3 planted from the package",
            )  # fmt: skip
            assert (third.untracked_count, third.source_package_label) == (12, clones["packageTag"])
            await eventually(lambda: site.settled(clones["id"]), seconds=60, what="the draw")
            package = await site.metrc.find_package(LICENSE, clones["packageTag"])
            inventory = await site.batch(clones["id"])
            assert package is not None
            assert package.quantity == Decimal(inventory["physicalQty"]) == Decimal(28)
        finally:
            await site.close()
