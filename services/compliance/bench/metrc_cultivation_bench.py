"""How fast compliance pushes cultivation to Metrc: 1,000 plant submissions (500 plantings, then
500 growth phase changes of one tracked plant each, every one waiting for its batch's planting)
against the Metrc sandbox at 300 ms per request with 10 requests in flight per facility.

The whole platform runs as processes (``shared.testing.platform``: gateway, inventory and its
relay, Kafka, compliance's worker and relay, the sandbox). The backlog is built through the
gateway while the license has no keys (every change is planned, nothing is sent), then the keys
are saved and the push is timed from the first claim to the last acceptance, against the bound
Metrc's limits allow: ``ceil(n / 10 objects) requests / 10 in flight x 300 ms``.

Last line: ``metrc-cultivation: <n> plant submissions, <s> s, bound <s> s, ratio <r>``.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from compliance.domain import SubmissionKind, SubmissionQuery, SubmissionState
from compliance.sandbox_world import LICENSE, MetrcSite, eventually, seed
from metrc_push_bench import (  # type: ignore[import-not-found]
    CONCURRENCY,
    LATENCY_MS,
    OBJECTS_PER_REQUEST,
    call_profile,
    gather_limited,
)
from shared.identity import generate_keypair
from shared.testing.infra import KafkaServer, PostgresServer, repo_root
from shared.testing.platform import start_platform

KINDS = (SubmissionKind.PLANT_BATCH_PLANTING, SubmissionKind.PLANT_BATCH_GROWTH_PHASE)


def bound_seconds(n: int) -> float:
    return math.ceil(n / OBJECTS_PER_REQUEST) / CONCURRENCY * LATENCY_MS / 1000


async def ok(response: Any) -> Any:
    r = await response
    if r.status_code >= 300:
        raise AssertionError(f"{r.status_code}: {r.text}")
    return r.json()


async def plant_counts(site: MetrcSite) -> dict[SubmissionState, int]:
    async with site.context.uow() as uow:
        found = await uow.submissions.search(
            SubmissionQuery(license_number=LICENSE, kinds=frozenset(KINDS), limit=1_000_000)
        )
    counts: dict[SubmissionState, int] = {}
    for s in found:
        counts[s.state] = counts.get(s.state, 0) + 1
    return counts


async def drained(site: MetrcSite, n: int) -> float:
    async def done() -> bool:
        return (await plant_counts(site)).get(SubmissionState.ACCEPTED, 0) >= n

    await eventually(done, seconds=900, what=f"{n} accepted plant submissions")
    async with site.context.uow() as uow:
        subs = await uow.submissions.search(
            SubmissionQuery(license_number=LICENSE, kinds=frozenset(KINDS), limit=1_000_000)
        )
    first = min(s.first_sent_at for s in subs if s.first_sent_at is not None)
    last = max(s.completed_at for s in subs if s.completed_at is not None)
    return (last - first).total_seconds()


async def run(batches: int) -> float:
    postgres, kafka = PostgresServer.acquire(), KafkaServer.acquire()
    platform = await start_platform(
        postgres,
        kafka,
        generate_keypair(),
        repo_root() / ".stack" / "bench-metrc-cultivation",
        compliance={
            "METRC_SANDBOX_LATENCY_MS": str(LATENCY_MS),
            "COMPLIANCE_PUSH_CONCURRENT_REQUESTS": str(CONCURRENCY),
            "COMPLIANCE_PUSH_REST_SECONDS": "0.2",
            "LOG_LEVEL": "WARNING",
        },
    )
    assert platform.compliance is not None
    metrc_url = platform.compliance.metrc_url
    document = seed(package_tags=0)
    document["tags"] = [{"license_number": LICENSE, "type": "Plant", "count": batches + 10}]
    async with httpx.AsyncClient(base_url=metrc_url, timeout=60) as sandbox:
        await ok(sandbox.post("/_sandbox/reset", json=document))
    site = await MetrcSite.create(
        gateway_url=platform.gateway_url,
        api_key=platform.admin_key(),
        metrc_url=metrc_url,
        compliance_database_url=platform.compliance.database_url,
        metrc_site=False,
        reset=False,
    )
    try:
        await site.save_rules(metrc_url)
        plant_tags = sorted(t.label for t in await site.metrc.list_available_tags(LICENSE, "plant"))
        day = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
        location = site.location_ids["Vault"]
        started = time.perf_counter()

        async def grow(i: int) -> None:
            created = await ok(
                site.gateway.post(
                    "/plant-batches",
                    json={
                        "siteId": site.site_id, "name": f"BENCH-{i:05d}", "type": "Clone",
                        "count": 10, "strain": "Blue Dream", "locationId": location,
                        "plantedDate": day,
                    },
                )
            )  # fmt: skip
            batch = created["plantBatch"]
            await ok(
                site.gateway.post(
                    f"/plant-batches/{batch['id']}/growth-phase",
                    json={
                        "count": 1, "startingTag": plant_tags[i], "growthPhase": "Vegetative",
                        "actualDate": day, "version": batch["version"],
                    },
                )
            )  # fmt: skip

        await gather_limited([grow(i) for i in range(batches)], 16)
        n = 2 * batches
        print(f"{batches} plantings and {batches} growth phase changes through the gateway in"
              f" {time.perf_counter() - started:.1f} s")  # fmt: skip

        async def planned() -> bool:
            return (await plant_counts(site)).get(SubmissionState.PENDING, 0) >= n

        await eventually(planned, seconds=600, what=f"{n} planned plant submissions")
        await site.save_keys()
        await site.validate_keys()
        seconds = await drained(site, n)
        print(await call_profile(site, "plantbatches.plantings"))
        print(await call_profile(site, "plantbatches.growthphase"))
        state = await site.metrc.list_plant_batches(LICENSE)
        bench = [b for b in state if b.name.startswith("BENCH-")]
        plants = await site.metrc.list_plants(LICENSE, "vegetative")
        print(f"sandbox: {len(bench)} plant batches ({sum(b.untracked_count for b in bench)}"
              f" untracked plants), {len(plants)} vegetative plants")  # fmt: skip
        assert len(bench) == batches, "one Metrc plant batch per planting"
        assert len(plants) == batches, "one tracked plant per growth phase change"
        return seconds
    finally:
        await site.close()
        platform.stop()
        print(postgres.release())
        print(kafka.release())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batches", type=int, default=500, help="plantings (and growth changes)")
    args = parser.parse_args()
    seconds = asyncio.run(run(args.batches))
    n = 2 * args.batches
    bound = bound_seconds(n)
    requests = math.ceil(n / OBJECTS_PER_REQUEST)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"{n} plant submissions pushed in {seconds:.2f} s; bound {requests} requests /"
        f" {CONCURRENCY} in flight x {LATENCY_MS} ms = {bound:.2f} s; load average {load}"
    )
    print(
        f"metrc-cultivation: {n} plant submissions, {seconds:.2f} s, bound {bound:.2f} s,"
        f" ratio {seconds / bound:.2f}"
    )


if __name__ == "__main__":
    main()
