"""How fast compliance pushes inventory's changes to Metrc: 1,000 new batches, then 1,000
adjustments, against the Metrc sandbox at 300 ms per request with 10 writes in flight per
facility, and the delay from inventory's commit to Metrc's acceptance.

The whole platform runs as processes (``shared.testing.platform``: gateway, inventory and its
relay, Kafka, compliance's worker and relay, the sandbox). Each phase builds its backlog while
the license cannot push (phase 1: no keys yet; phase 2: keys Metrc refuses), then releases it
(valid keys) and times the push from the first claim to the last acceptance, against the bound
``ceil(n / 10 objects) requests / 10 in flight x 300 ms``. A third phase sends adjustments at a
steady rate below capacity and measures each one from the moment inventory answered (its
commit) to the moment compliance recorded Metrc's acceptance.

Last line: ``metrc-push: packages ratio <r>, adjustments ratio <r>, commit-to-accepted p99 <ms> ms``.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import statistics
import time
from collections.abc import Coroutine
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID

import httpx
from compliance.domain import (
    Submission,
    SubmissionKind,
    SubmissionQuery,
    SubmissionState,
    SyncLogQuery,
)
from compliance.sandbox_world import LICENSE, MetrcSite, eventually
from prometheus_client.parser import text_string_to_metric_families
from shared.identity import generate_keypair
from shared.testing.infra import KafkaServer, PostgresServer, repo_root
from shared.testing.platform import start_platform

LATENCY_MS = 300
CONCURRENCY = 10
OBJECTS_PER_REQUEST = 10
T = TypeVar("T")


def bound_seconds(n: int) -> float:
    return math.ceil(n / OBJECTS_PER_REQUEST) / CONCURRENCY * LATENCY_MS / 1000


async def gather_limited(jobs: list[Coroutine[Any, Any, T]], limit: int) -> list[T]:
    gate = asyncio.Semaphore(limit)

    async def gated(job: Coroutine[Any, Any, T]) -> T:
        async with gate:
            return await job

    return await asyncio.gather(*(gated(j) for j in jobs))


async def submissions(site: MetrcSite, kind: SubmissionKind) -> list[Submission]:
    async with site.context.uow() as uow:
        return await uow.submissions.search(
            SubmissionQuery(license_number=LICENSE, kinds=frozenset({kind}), limit=1_000_000)
        )


async def drained(site: MetrcSite, kind: SubmissionKind, n: int) -> float:
    """Seconds from the first claim to the last acceptance of the ``n`` writes of ``kind``."""
    await eventually(
        lambda: _all_accepted(site, kind, n), seconds=600, what=f"{n} accepted {kind.value}"
    )
    subs = await submissions(site, kind)
    first = min(s.first_sent_at for s in subs if s.first_sent_at is not None)
    last = max(s.completed_at for s in subs if s.completed_at is not None)
    return (last - first).total_seconds()


async def call_profile(site: MetrcSite, operation: str) -> str:
    """The Metrc calls of one kind from the sync log: count, median duration, peak in flight."""
    async with site.context.uow() as uow:
        entries = [
            e
            for e in await uow.sync_log.query(SyncLogQuery(operation=operation, limit=100_000))
            if e.status.value == "SUCCESS"
        ]
    if not entries:
        return f"{operation}: no calls"
    durations = sorted(e.duration.total_seconds() * 1000 for e in entries)
    edges = sorted([(e.started_at, 1) for e in entries] + [(e.finished_at, -1) for e in entries])
    peak = running = 0
    for _, step in edges:
        running += step
        peak = max(peak, running)
    objects = sum(e.objects for e in entries)
    return (
        f"{operation}: {len(entries)} calls, {objects / len(entries):.1f} objects each,"
        f" median {statistics.median(durations):.0f} ms, peak {peak} in flight"
    )


async def metrc_calls(worker_metrics: str, path: str) -> tuple[float, float]:
    """How many ``POST <path>`` calls the worker's Metrc client answered, and their total
    seconds (``compliance_metrc_call_seconds``, first try to answer)."""
    async with httpx.AsyncClient(timeout=10) as client:
        page = (await client.get(worker_metrics + "/metrics")).text
    count = total = 0.0
    for family in text_string_to_metric_families(page):
        for sample in family.samples:
            if sample.labels.get("path") != path or sample.labels.get("outcome") != "ok":
                continue
            if sample.name == "compliance_metrc_call_seconds_count":
                count += sample.value
            elif sample.name == "compliance_metrc_call_seconds_sum":
                total += sample.value
    return count, total


def where_the_time_went(
    operation: str, before: tuple[float, float], after: tuple[float, float], elapsed: float
) -> str:
    """The push's time as (requests / concurrency) x (the mean call) / (how busy the slots were):
    the mean call is what Metrc (here the sandbox) and the HTTP client took, the rest is the
    worker's own (claims, recording outcomes) when the slots stood idle."""
    calls, seconds = after[0] - before[0], after[1] - before[1]
    if not calls:
        return f"{operation}: no calls measured"
    mean = seconds / calls
    busy = seconds / (CONCURRENCY * elapsed)
    return (
        f"{operation}: {calls:.0f} calls, mean call {mean * 1000:.0f} ms (bound's {LATENCY_MS} ms"
        f" x {mean * 1000 / LATENCY_MS:.2f}), slots busy {busy:.0%} of {elapsed:.2f} s:"
        f" ratio = {mean * 1000 / LATENCY_MS:.2f} / {busy:.2f} = {mean * 1000 / LATENCY_MS / busy:.2f}"
    )


def cpu_seconds(pid: int) -> float:
    """The user + system CPU seconds process ``pid`` has used so far (Linux's /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_profile(operation: str, processes: dict[str, int], before: dict[str, float]) -> str:
    """CPU seconds each process used since ``before``: what the push cost the worker and the
    sandbox whatever the machine's load (the ratio's wall time stretches with the load)."""
    used = {name: cpu_seconds(pid) - before[name] for name, pid in processes.items()}
    return f"{operation}: CPU " + ", ".join(f"{name} {s:.2f} s" for name, s in used.items())


async def _all_accepted(site: MetrcSite, kind: SubmissionKind, n: int) -> bool:
    return await site.count(kind, SubmissionState.ACCEPTED) >= n


async def backlog(site: MetrcSite, kind: SubmissionKind, n: int) -> None:
    async def planned() -> bool:
        return await site.count(kind, SubmissionState.PENDING) >= n

    await eventually(planned, seconds=600, what=f"{n} planned {kind.value}")


async def run(n: int, live: int, rate: float) -> tuple[float, float, float]:
    postgres, kafka = PostgresServer.acquire(), KafkaServer.acquire()
    platform = await start_platform(
        postgres,
        kafka,
        generate_keypair(),
        repo_root() / ".stack" / "bench-metrc-push",
        compliance={
            "METRC_SANDBOX_LATENCY_MS": str(LATENCY_MS),
            "COMPLIANCE_PUSH_CONCURRENT_REQUESTS": str(CONCURRENCY),
            "COMPLIANCE_PUSH_REST_SECONDS": "0.2",
            "LOG_LEVEL": "WARNING",
        },
    )
    assert platform.compliance is not None
    site = await MetrcSite.create(
        gateway_url=platform.gateway_url,
        api_key=platform.admin_key(),
        metrc_url=platform.compliance.metrc_url,
        compliance_database_url=platform.compliance.database_url,
        package_tags=n + 10,
        metrc_site=False,
    )
    try:
        # Phase 1: creates. Rules but no keys yet: every intake is planned, nothing is sent.
        await site.save_rules(platform.compliance.metrc_url)
        started = time.perf_counter()
        batches = await gather_limited(
            [site.intake_opening_balance("100.0000") for _ in range(n)], 16
        )
        print(f"{n} intakes through the gateway in {time.perf_counter() - started:.1f} s")
        await backlog(site, SubmissionKind.CREATE_PACKAGE, n)
        (worker,) = platform.compliance.running("worker")
        sandbox = platform.compliance.processes[0]  # the sandbox is started first
        pids = {"worker": worker.popen.pid, "sandbox": sandbox.popen.pid}
        calls_before = await metrc_calls(worker.metrics_url, "/packages/v2/")
        cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        await site.save_keys()
        await site.validate_keys()
        creates = await drained(site, SubmissionKind.CREATE_PACKAGE, n)
        print(cpu_profile("packages.create", pids, cpu_before))
        print(await call_profile(site, "packages.create"))
        calls_after = await metrc_calls(worker.metrics_url, "/packages/v2/")
        print(where_the_time_went("packages.create", calls_before, calls_after, creates))

        # Phase 2: adjustments, planned while Metrc refuses the keys, then released.
        await site.save_keys(user_key="a-key-metrc-does-not-know")
        ids = [b["id"] for b, _ in batches]
        await gather_limited([site.adjust(i, "-1.5000") for i in ids], 16)
        await backlog(site, SubmissionKind.ADJUST_PACKAGE, n)
        calls_before = await metrc_calls(worker.metrics_url, "/packages/v2/adjust")
        cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        await site.save_keys()
        await site.validate_keys()
        adjustments = await drained(site, SubmissionKind.ADJUST_PACKAGE, n)
        print(cpu_profile("packages.adjust", pids, cpu_before))
        print(await call_profile(site, "packages.adjust"))
        calls_after = await metrc_calls(worker.metrics_url, "/packages/v2/adjust")
        print(where_the_time_went("packages.adjust", calls_before, calls_after, adjustments))

        # Phase 3: live adjustments at a steady rate; commit (inventory's answer) to accepted.
        committed: dict[UUID, datetime] = {}

        async def one(batch_id: str) -> None:
            await site.adjust(batch_id, "-0.5000", reason="DAMAGED")
            committed[UUID(batch_id)] = datetime.now(UTC)

        tasks = []
        for i in range(live):
            tasks.append(asyncio.create_task(one(ids[i % len(ids)])))
            await asyncio.sleep(1 / rate)
        await asyncio.gather(*tasks)
        await eventually(
            lambda: _all_accepted(site, SubmissionKind.ADJUST_PACKAGE, n + live),
            seconds=300,
            what="the live adjustments",
        )
        since = min(committed.values()) - timedelta(seconds=1)
        late = [
            s
            for s in await submissions(site, SubmissionKind.ADJUST_PACKAGE)
            if s.created_at >= since and s.completed_at is not None
        ]
        delays = [
            (s.completed_at - committed[s.batch_id]).total_seconds() * 1000
            for s in late
            if s.completed_at is not None and s.batch_id in committed
        ]
        p99 = statistics.quantiles(delays, n=100)[98] if len(delays) > 1 else delays[0]
        print(
            f"live: {len(delays)} adjustments at {rate:.0f}/s, commit to accepted"
            f" median {statistics.median(delays):.0f} ms, p99 {p99:.0f} ms"
        )
        print(f"sandbox: {await site.package_count()} packages for {n} batches")
        return creates, adjustments, p99
    finally:
        await site.close()
        platform.stop()
        print(postgres.release())
        print(kafka.release())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batches", type=int, default=1000)
    parser.add_argument("--live", type=int, default=300, help="live adjustments (phase 3)")
    parser.add_argument("--rate", type=float, default=50.0, help="live adjustments per second")
    args = parser.parse_args()
    n = args.batches
    creates, adjustments, p99 = asyncio.run(run(n, args.live, args.rate))
    bound = bound_seconds(n)
    requests = math.ceil(n / OBJECTS_PER_REQUEST)
    for what, seconds in (("packages", creates), ("adjustments", adjustments)):
        print(
            f"{what}: {n} pushed in {seconds:.2f} s; bound {requests} requests / {CONCURRENCY}"
            f" in flight x {LATENCY_MS} ms = {bound:.2f} s; ratio {seconds / bound:.2f}"
        )
    print(
        f"metrc-push: packages ratio {creates / bound:.2f}, adjustments ratio"
        f" {adjustments / bound:.2f}, commit-to-accepted p99 {p99:.0f} ms"
    )


if __name__ == "__main__":
    main()
