"""The cultivation part of the exactly-once fault run (``fault_run.py``): plant batches planted,
adjusted, moved and grown into tracked plants, flowering plants harvested and their harvests
packaged, and plant batches planted from a package of clones, through the gateway while the
sandbox loses responses, answers 429 storms and 5xx on the cultivation write endpoints and
compliance's processes are killed; then Metrc must hold exactly one plant batch per planting,
with inventory's untracked count and location, exactly one plant per tag moved into growth,
exactly one package per package made from a harvest with inventory's quantity, each harvest's
packaged and remaining weight as inventory's, and the clones' package holding inventory's
quantity after the plantings drew from it (drawn once, never also adjusted).
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from compliance.domain import SubmissionQuery, SubmissionState
from compliance.sandbox_world import BULK_ITEM, CLONE_ITEM, LICENSE, MetrcSite, eventually

__all__ = ["METRC_PLANT_BATCH_WRITES", "CultivationLoad"]

METRC_PLANT_BATCH_WRITES = (
    ("POST", "/plantbatches/v2/plantings"),
    ("POST", "/plantbatches/v2/growthphase"),
    ("POST", "/plantbatches/v2/adjust"),
    ("PUT", "/plantbatches/v2/location"),
    ("PUT", "/plants/v2/harvest"),
    ("POST", "/harvests/v2/packages"),
    ("POST", "/packages/v2/plantings"),
)


@dataclass
class CultivationLoad:
    site: MetrcSite
    rng: random.Random
    plant_batches: dict[str, dict[str, Any]] = field(default_factory=dict)
    """plant batch id -> the plant batch as inventory last answered."""
    grown: list[str] = field(default_factory=list)
    """Plant tags moved into growth."""
    harvests: dict[str, dict[str, Any]] = field(default_factory=dict)
    """harvest id -> the harvest as inventory last answered."""
    packages: dict[str, str] = field(default_factory=dict)
    """batch id -> tag: the packages made from harvests, and the clones' package."""
    writes: int = 0
    """The submissions the load asked for, of the plant batches, harvests and packages above."""

    async def load(
        self, plantings: int, changes: int, harvests: int = 0, package_plantings: int = 0
    ) -> None:
        """``plantings`` plant batches of 20, then ``changes`` random count adjustments, moves and
        growth phase changes (one plant), each batch's one at a time; meanwhile ``harvests``
        harvests of two flowering plants, each made into two packages, and ``package_plantings``
        plant batches of 5 planted from one package of clones."""
        site = self.site
        gate = asyncio.Semaphore(4)
        day = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
        extras = [self._harvests(harvests, gate, day), self._from_package(package_plantings, day)]

        async def plant(i: int) -> None:
            async with gate:
                body = {
                    "siteId": site.site_id, "name": f"FAULT-{i:04d}-{self.rng.randrange(10**6)}",
                    "type": "Clone", "count": 20, "strain": "Blue Dream",
                    "locationId": site.location_ids["Vault"], "plantedDate": day,
                }  # fmt: skip
                created = await _ok(site.gateway.post("/plant-batches", json=body))
                self.plant_batches[created["plantBatch"]["id"]] = created["plantBatch"]
                self.writes += 1

        await asyncio.gather(*(plant(i) for i in range(plantings)))
        ids = sorted(self.plant_batches)
        locks = {i: asyncio.Lock() for i in ids}

        async def change() -> None:
            pb_id = self.rng.choice(ids)
            what = self.rng.choice(["adjust", "adjust", "move", "grow"])
            async with gate, locks[pb_id]:
                batch = self.plant_batches[pb_id]
                if batch["count"] <= 2:
                    return
                version = batch["version"]
                if what == "adjust":
                    path, body = "adjustments", {
                        "quantity": self.rng.choice([-1, -2, 1, 3]), "reason": "Waste",
                        "reasonNote": "fault run", "actualDate": day, "version": version,
                    }  # fmt: skip
                elif what == "move":
                    here = batch["locationLabel"]
                    there = next(n for n in site.location_ids if n != here)
                    path = "move"
                    body = {"locationId": site.location_ids[there], "actualDate": day,
                            "version": version}  # fmt: skip
                else:
                    tag = site.free_plant_tags.pop(0)
                    path, body = "growth-phase", {
                        "count": 1, "startingTag": tag, "growthPhase": "Vegetative",
                        "actualDate": day, "version": version,
                    }  # fmt: skip
                    self.grown.append(tag)
                result = await _ok(site.gateway.post(f"/plant-batches/{pb_id}/{path}", json=body))
                self.plant_batches[pb_id] = result["plantBatch"]
                self.writes += 1

        await asyncio.gather(*(change() for _ in range(changes)), *extras)

    async def _harvests(self, count: int, gate: asyncio.Semaphore, day: str) -> None:
        """Each: a plant batch of 4, two plants straight into flowering, harvested (about 1 kg),
        then two packages of the bulk flower made from the harvest."""
        if not count:
            return
        site = self.site
        brand = await _ok(site.gateway.post("/brands", json={"name": "Canopy harvests"}))
        product = await _ok(
            site.gateway.post(
                "/products",
                json={"name": BULK_ITEM, "category": "Flower", "strain": "Blue Dream",
                      "brandId": brand["id"], "unitOfMeasure": "Grams"},
            )
        )  # fmt: skip
        tags = [site.free_plant_tags.pop(0) for _ in range(2 * count)]
        package_tags = [site.free_tags.pop(0) for _ in range(2 * count)]

        async def one(i: int) -> None:
            async with gate:
                name = f"FAULT-H-{i:03d}-{self.rng.randrange(10**6)}"
                planted = await _ok(
                    site.gateway.post("/plant-batches", json={
                        "siteId": site.site_id, "name": name, "type": "Clone", "count": 4,
                        "strain": "Blue Dream", "locationId": site.location_ids["Vault"],
                        "plantedDate": day,
                    })
                )  # fmt: skip
                pb = planted["plantBatch"]
                grown = tags[2 * i : 2 * i + 2]
                flowering = await _ok(
                    site.gateway.post(f"/plant-batches/{pb['id']}/growth-phase", json={
                        "count": 2, "startingTag": grown[0], "growthPhase": "Flowering",
                        "actualDate": day, "version": pb["version"],
                    })
                )  # fmt: skip
                self.plant_batches[pb["id"]] = flowering["plantBatch"]
                self.grown += grown
                weights = [Decimal(self.rng.randrange(4000, 6000)) / 10 for _ in grown]
                harvest = (
                    await _ok(
                        site.gateway.post("/harvests", json={
                            "siteId": site.site_id, "name": f"{name}-H",
                            "dryingLocationId": site.location_ids["Back Room"],
                            "unitOfWeight": "Grams", "harvestDate": day,
                            "plants": [{"tag": t, "weight": str(w)}
                                       for t, w in zip(grown, weights, strict=True)],
                        })
                    )
                )["harvest"]  # fmt: skip
                taken = [Decimal(self.rng.randrange(1000, 3000)) / 10 for _ in range(2)]
                packaged = await _ok(
                    site.gateway.post(f"/harvests/{harvest['id']}/packages", json={
                        "packages": [
                            {"productId": product["id"], "weight": str(w),
                             "locationId": site.location_ids["Vault"], "packageTag": tag}
                            for w, tag in zip(taken, package_tags[2 * i : 2 * i + 2], strict=True)
                        ],
                        "actualDate": day, "version": harvest["version"],
                    })
                )  # fmt: skip
                self.harvests[harvest["id"]] = packaged["harvest"]
                for batch in packaged["batches"]:
                    self.packages[batch["id"]] = batch["packageTag"]
                # planting, flowering, one harvested plant each, a draw and a create per package
                self.writes += 2 + len(grown) + 2 * len(packaged["batches"])

        await asyncio.gather(*(one(i) for i in range(count)))

    async def _from_package(self, count: int, day: str) -> None:
        """A package of 100 clones taken in and checked in, then ``count`` plant batches of 5
        planted from it, one after another (each draws from the same package)."""
        if not count:
            return
        site = self.site
        tag = site.free_tags.pop(0)
        body = site.intake_body("100", tag=tag, source={"kind": "OPENING_BALANCE"})
        body["product"] = {"name": CLONE_ITEM, "category": "Clone", "strain": "Blue Dream",
                           "unitOfMeasure": "Each"}  # fmt: skip
        clones = (await _ok(site.gateway.post("/batches/intake", json=body)))["batch"]
        await site.make_live(clones["id"])
        self.packages[clones["id"]] = tag
        self.writes += 1  # its create
        for i in range(count):
            planted = await _ok(
                site.gateway.post("/plant-batches", json={
                    "siteId": site.site_id, "name": f"FAULT-P-{i:03d}-{self.rng.randrange(10**6)}",
                    "type": "Clone", "count": 5, "strain": "Blue Dream",
                    "locationId": site.location_ids["Vault"], "plantedDate": day,
                    "source": "PACKAGE", "sourceBatchId": clones["id"], "sourceQuantity": "5",
                })
            )  # fmt: skip
            self.plant_batches[planted["plantBatch"]["id"]] = planted["plantBatch"]
            self.writes += 2  # the planting, and the draw on the package

    async def settle_and_check(self, *, seconds: float) -> str:
        """Wait until every write of the load is planned and none is pending or in flight, then
        check Metrc against inventory. Returns a summary; raises AssertionError listing the
        mismatches."""
        site = self.site
        ours = {UUID(i) for i in (*self.plant_batches, *self.harvests, *self.packages)}

        async def quiet() -> dict[SubmissionState, int] | None:
            async with site.context.uow() as uow:
                ledger = await uow.submissions.search(
                    SubmissionQuery(license_number=LICENSE, limit=10**7)
                )
            mine = [s for s in ledger if s.batch_id in ours]
            states: dict[SubmissionState, int] = {}
            for s in mine:
                states[s.state] = states.get(s.state, 0) + 1
            busy = states.get(SubmissionState.PENDING, 0) + states.get(SubmissionState.IN_FLIGHT, 0)
            return None if busy or len(mine) < self.writes else states

        states = await eventually(quiet, seconds=seconds, what="the plant batch writes draining")
        problems: list[str] = []
        if states.get(SubmissionState.FAILED) or states.get(SubmissionState.REJECTED):
            problems.append(f"cultivation writes stopped: {states}")
        metrc_batches = await site.metrc.list_plant_batches(LICENSE)
        metrc_batches += await site.metrc.list_plant_batches(LICENSE, "inactive")
        for pb_id, batch in sorted(self.plant_batches.items()):
            inventory = await _ok(site.gateway.get(f"/plant-batches/{pb_id}"))
            named = [b for b in metrc_batches if b.name.casefold() == batch["name"].casefold()]
            if len(named) != 1:
                problems.append(f"plant batch {batch['name']}: {len(named)} in Metrc")
                continue
            held = named[0]
            if held.untracked_count != inventory["count"]:
                problems.append(
                    f"plant batch {batch['name']}: Metrc holds {held.untracked_count} plants,"
                    f" inventory {inventory['count']}"
                )
            if held.location_name != inventory["locationLabel"]:
                problems.append(
                    f"plant batch {batch['name']}: Metrc at {held.location_name},"
                    f" inventory at {inventory['locationLabel']}"
                )
        plants = await site.metrc.find_plants(LICENSE, self.grown)
        if sorted(plants) != sorted(self.grown):
            problems.append(f"{len(self.grown)} plants grown, {len(plants)} in Metrc")
        problems += await self._check_packages_and_harvests()
        if problems:
            raise AssertionError("; ".join(problems[:20]))
        return (
            f"{len(self.plant_batches)} plant batches, one Metrc plant batch each with inventory's"
            f" count and location, {len(self.grown)} plants; {len(self.harvests)} harvests with"
            f" inventory's packaged and remaining weight, {len(self.packages)} packages made from"
            f" them or planted from, one each with inventory's quantity; {self.writes}"
            f" cultivation writes, states {dict(states)}"
        )

    async def _check_packages_and_harvests(self) -> list[str]:
        site, problems = self.site, []
        labels = [
            p["Label"] for p in (await site.sandbox.get("/_sandbox/state")).json()["packages"]
        ]
        for batch_id, tag in sorted(self.packages.items()):
            if labels.count(tag) != 1:
                problems.append(f"batch {batch_id}: {labels.count(tag)} packages tagged {tag}")
                continue
            package = await site.package(tag)
            physical = Decimal((await site.batch(batch_id))["physicalQty"])
            if package is None or package.quantity != physical:
                quantity = None if package is None else package.quantity
                problems.append(f"package {tag}: Metrc holds {quantity}, inventory {physical}")
        for harvest_id, harvest in sorted(self.harvests.items()):
            inventory = (await _ok(site.gateway.get(f"/harvests/{harvest_id}")))["harvest"]
            held = await site.metrc.find_harvest(LICENSE, harvest["name"])
            wanted = (Decimal(inventory["packagedWeight"]), Decimal(inventory["currentWeight"]))
            got = None if held is None else (held.total_packaged_weight, held.current_weight)
            if got != wanted:
                problems.append(
                    f"harvest {harvest['name']}: Metrc packaged and holds {got}, inventory {wanted}"
                )
        return problems


async def _ok(request: Any) -> Any:
    response = await request
    if response.status_code >= 300:
        raise AssertionError(
            f"{response.request.method} {response.request.url}: {response.status_code} {response.text}"
        )
    return response.json()
