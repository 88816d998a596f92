"""The cultivation part of the exactly-once fault run (``fault_run.py``): plant batches planted,
adjusted, moved and grown into tracked plants through the gateway while the sandbox loses
responses, answers 429 storms and 5xx on the plant batch write endpoints and compliance's
processes are killed; then Metrc must hold exactly one plant batch per planting, with inventory's
untracked count and location, and exactly one plant per tag moved into growth.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from compliance.domain import CULTIVATION_KINDS, SubmissionQuery, SubmissionState
from compliance.sandbox_world import LICENSE, MetrcSite, eventually

__all__ = ["METRC_PLANT_BATCH_WRITES", "CultivationLoad"]

METRC_PLANT_BATCH_WRITES = (
    ("POST", "/plantbatches/v2/plantings"),
    ("POST", "/plantbatches/v2/growthphase"),
    ("POST", "/plantbatches/v2/adjust"),
    ("PUT", "/plantbatches/v2/location"),
)


@dataclass
class CultivationLoad:
    site: MetrcSite
    rng: random.Random
    plant_batches: dict[str, dict[str, Any]] = field(default_factory=dict)
    """plant batch id -> the plant batch as inventory last answered."""
    grown: list[str] = field(default_factory=list)
    """Plant tags moved into growth."""
    writes: int = 0
    """The plant batch writes the load asked for (one per planting and per change)."""

    async def load(self, plantings: int, changes: int) -> None:
        """``plantings`` plant batches of 20, then ``changes`` random count adjustments, moves and
        growth phase changes (one plant), each batch's one at a time."""
        site = self.site
        gate = asyncio.Semaphore(4)
        day = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()

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

        await asyncio.gather(*(change() for _ in range(changes)))

    async def settle_and_check(self, *, seconds: float) -> str:
        """Wait until every plant batch write is planned and none is pending or in flight, then
        check Metrc against inventory. Returns a summary; raises AssertionError listing the
        mismatches."""
        site = self.site
        ours = {UUID(i) for i in self.plant_batches}

        async def quiet() -> dict[SubmissionState, int] | None:
            async with site.context.uow() as uow:
                ledger = await uow.submissions.search(
                    SubmissionQuery(license_number=LICENSE, kinds=CULTIVATION_KINDS, limit=10**7)
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
            problems.append(f"plant batch writes stopped: {states}")
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
        if problems:
            raise AssertionError("; ".join(problems[:20]))
        return (
            f"{len(self.plant_batches)} plant batches, one Metrc plant batch each with inventory's"
            f" count and location, {len(self.grown)} plants; {self.writes} plant batch writes,"
            f" states {dict(states)}"
        )


async def _ok(request: Any) -> Any:
    response = await request
    if response.status_code >= 300:
        raise AssertionError(
            f"{response.request.method} {response.request.url}: {response.status_code} {response.text}"
        )
    return response.json()
