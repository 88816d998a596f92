"""``make bench-reporting``: reporting as deployed, on the test PostgreSQL and Kafka.

1. Reports with 1,000,000 batches: the views and aggregates of 1,000,000 synthetic batches are
   COPYed into a fresh reporting database (``read_model_bench.load``), then
   ``python -m reporting api`` serves it: dashboard, aging and profitability summary, ``--runs``
   requests each (half for every site, half for 1 to 3 of the 20 sites), one after another,
   over HTTP with the gateway's identity token; p50/p95/p99 of the answer time.
2. Lag: the platform as processes (inventory, its relay, the reporting worker, the gateway);
   200 batches, then adjustments straight to the inventory API by the inventory benchmark's
   open-loop generator (``services/inventory/bench/open_loop.py``) at ``--rate`` per second
   for ``--seconds``. Each event's lag, from its occurrence in inventory's transaction to the
   read model's transaction with it (outbox, relay, Kafka, consumer, fold), is the worker's
   histogram ``reporting_event_lag_seconds``; p99 interpolated within its bucket. The same
   from the record's Kafka timestamp (``reporting_kafka_lag_seconds``: the consumer's share)
   and the worker's CPU per event (``process_cpu_seconds_total``) say where the lag comes from.
3. Rebuild: ``--rebuild-events`` events of random inventory histories published to topics of
   their own, then the rebuild (``reporting.entrypoints.rebuild.rebuild``, what ``python -m
   reporting rebuild`` runs) replays them into a new generation and swaps it in: events / s
   from its first fetch to the swap, and this process's CPU per event.

Last line: ``reporting: lag p99 <ms> ms, dashboard p95 <ms> ms, aging p95 <ms> ms,
profitability p95 <ms> ms, rebuild <ev/s> ev/s``. Targets: lag p99 < 500 ms, each p95 < 50 ms,
rebuild >= 10,000 ev/s.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from aiokafka import AIOKafkaProducer
from opentelemetry.sdk.trace import TracerProvider
from reporting.adapters.read_model import reading
from reporting.config import ReportingSettings
from reporting.entrypoints.container import Container
from reporting.entrypoints.rebuild import rebuild
from reporting.service_layer.commands import Topics
from reporting.testing.inventory_history import envelope, random_batch
from shared.database import Database, UnitOfWork
from shared.events.topics import INVENTORY_EVENTS
from shared.identity import (
    ALL_SITES,
    IDENTITY_HEADER,
    Identity,
    generate_keypair,
    issue_identity_token,
)
from shared.kafka_topics import create_topics
from shared.migrations import upgrade
from shared.testing.infra import KafkaServer, PostgresServer, repo_root
from shared.testing.platform import start_platform
from shared.testing.plugin import make_topic
from shared.testing.processes import start_service

sys.path.insert(0, str(Path(__file__).parent))
from read_model_bench import MIGRATIONS, load, percentiles

OPEN_LOOP = repo_root() / "services" / "inventory" / "bench" / "open_loop.py"


async def reports_at_scale(
    postgres: PostgresServer, total: int, runs: int, reuse: str | None, logs: Path
) -> dict[str, tuple[float, float, float]]:
    database = reuse or await postgres.create_database("bench_reporting")
    dsn = postgres.url_for(database, driver="postgresql")
    conn = await asyncpg.connect(dsn)
    try:
        if reuse:
            total = await conn.fetchval("SELECT count(*) FROM read_model_1.batch_view")
            sites = [r["site_id"] for r in await conn.fetch(
                "SELECT DISTINCT site_id FROM read_model_1.batch_view LIMIT 20")]  # fmt: skip
        else:
            await asyncio.to_thread(upgrade, MIGRATIONS, postgres.url_for(database))
            started = time.perf_counter()
            sites = await load(conn, total, 7)
            print(f"loaded {total:,} batch views in {time.perf_counter() - started:.0f} s")
            await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()
    private, public = generate_keypair()
    env = {
        "REPORTING_DATABASE_URL": postgres.url_for(database),
        "CANOPY_IDENTITY_PUBLIC_KEY": public,
        "CANOPY_ENV": "test",
        "OTEL_TRACES_EXPORTER": "none",
        "LOG_LEVEL": "WARNING",
    }
    api = await asyncio.to_thread(start_service, "reporting", env, logs)
    results: dict[str, tuple[float, float, float]] = {}
    try:
        rng = random.Random(11)
        async with httpx.AsyncClient(base_url=api.url, timeout=60) as client:
            for name, path in (
                ("dashboard", "/v1/reports/dashboard"),
                ("aging", "/v1/reports/aging"),
                ("profitability", "/v1/reports/profitability"),
            ):
                samples = []
                for n in range(runs + 10):
                    every = rng.random() < 0.5
                    granted = rng.sample(sites, rng.randint(1, 3))
                    identity = Identity(
                        subject="bench",
                        permissions=("reports:read",),
                        sites=(ALL_SITES,) if every else tuple(str(s) for s in granted),
                    )
                    headers = {IDENTITY_HEADER: issue_identity_token(identity, private)}
                    started = time.perf_counter()
                    answer = await client.get(path, headers=headers)
                    elapsed = (time.perf_counter() - started) * 1000
                    assert answer.status_code == 200, answer.text
                    if n >= 10:  # the first requests warm the caches and the statements
                        samples.append(elapsed)
                results[name] = percentiles(samples)
                p50, p95, p99 = results[name]
                print(f"{name} at {total:,} batches ({runs} requests over HTTP): p50 {p50:.1f} ms,"
                      f" p95 {p95:.1f} ms, p99 {p99:.1f} ms (target p95 < 50 ms)")  # fmt: skip
    finally:
        api.stop()
        if not reuse:
            await postgres.drop_database(database)
    return results


async def _scrape(url: str) -> str:
    async with httpx.AsyncClient() as client:
        return (await client.get(url)).text


def _histogram(
    text: str, topic: str, metric: str = "reporting_event_lag_seconds"
) -> list[tuple[float, float]]:
    pattern = re.compile(
        "^" + metric + r'_bucket\{le="([^"]+)",topic="' + re.escape(topic)
        + r'"\} ([0-9.e+]+)$', re.MULTILINE
    )  # fmt: skip
    return [
        (float("inf") if le == "+Inf" else float(le), float(n)) for le, n in pattern.findall(text)
    ]


def _cpu_seconds(text: str) -> float:
    found = re.search(r"^process_cpu_seconds_total ([0-9.e+]+)$", text, re.MULTILINE)
    return float(found.group(1)) if found else float("nan")


def _quantile(
    before: list[tuple[float, float]], after: list[tuple[float, float]], q: float
) -> tuple[float, int]:
    """The q-quantile (ms) of the events counted between two scrapes of a cumulative histogram,
    interpolated linearly within its bucket; and how many events."""
    start = dict(before)
    buckets = [(le, n - start.get(le, 0.0)) for le, n in after]
    total = buckets[-1][1]
    if total == 0:
        return float("nan"), 0
    rank, lower, below = q * total, 0.0, 0.0
    for le, cumulative in buckets:
        if cumulative >= rank:
            if le == float("inf"):
                return lower * 1000, int(total)
            share = (rank - below) / max(cumulative - below, 1e-9)
            return (lower + (le - lower) * share) * 1000, int(total)
        lower, below = le, cumulative
    return float("nan"), int(total)


async def lag_under_load(
    postgres: PostgresServer, kafka: KafkaServer, rate: float, seconds: int, logs: Path
) -> tuple[float, int, dict[str, Any]]:
    keys = generate_keypair()
    platform = await start_platform(postgres, kafka, keys, logs, relay=True)
    worker_env = {**platform.reporting_env, "LOG_LEVEL": "WARNING"}
    worker = start_service("reporting", worker_env, logs, command="worker")
    platform.processes.append(worker)
    try:
        headers = {"X-API-Key": platform.admin_key()}
        async with httpx.AsyncClient(
            base_url=platform.gateway_url, headers=headers, timeout=60
        ) as client:
            site = (await client.get("/api/v1/sites")).json()[0]["id"]
            ids = []
            for n in range(200):
                body = {
                    "siteId": site, "vendor": {"name": "Bench Farms"}, "brand": {"name": "Bench"},
                    "product": {"name": "Bench 3.5g", "category": "Edibles", "unitOfMeasure": "Grams"},
                    "lot": {"code": "B-1"}, "location": {"zone": "Vault"}, "code": f"LAG-{n:04d}",
                    "quantity": "100000", "cogsMode": "FIXED", "unitCogs": "2.5000",
                    "paymentTerms": "NET_30", "ticket": "4.0000",
                }  # fmt: skip
                answer = await client.post("/api/v1/batches/intake", json=body)
                assert answer.status_code == 201, answer.text
                ids.append(answer.json()["batch"]["id"])
            # The worker first reads the test Kafka's history (other runs' events) and the
            # intakes: the scrape before the load comes once nothing is behind.
            async with asyncio.timeout(1800):
                while True:
                    lag = (await client.get("/api/v1/reports/lag")).json()["readModels"]
                    behind = [
                        m["messagesBehind"] for m in lag if m["topic"] == INVENTORY_EVENTS.name
                    ]
                    if behind == [0]:
                        break
                    await asyncio.sleep(2)
        metrics_url = f"{worker.metrics_url}/metrics"
        scraped = await _scrape(metrics_url)
        before = _histogram(scraped, INVENTORY_EVENTS.name)
        before_kafka = _histogram(scraped, INVENTORY_EVENTS.name, "reporting_kafka_lag_seconds")
        cpu_before = _cpu_seconds(scraped)
        identity = Identity(subject="bench", permissions=("inventory:update",), sites=(ALL_SITES,))
        token = issue_identity_token(identity, keys[0], ttl=timedelta(hours=1))
        port = int(platform.inventory_url.rsplit(":", 1)[1])
        requests = []
        for k in range(2 * len(ids)):
            body = json.dumps({"adjustment": ("1", "-1")[(k // len(ids)) % 2], "reason": "REWEIGH"})
            requests.append(
                f"POST /v1/batches/{ids[k % len(ids)]}/adjustments HTTP/1.1\r\n"
                f"Host: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
                f"{IDENTITY_HEADER}: {token}\r\nContent-Length: {len(body)}\r\n\r\n{body}"
            )
        config = {"host": "127.0.0.1", "port": port, "requests": requests, "rate": rate,
                  "seconds": seconds, "connections": 32}  # fmt: skip
        out = await asyncio.to_thread(
            subprocess.run, [sys.executable, str(OPEN_LOOP)], input=json.dumps(config),
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        load_result: dict[str, Any] = json.loads(out.stdout)
        # Every event of the run applied: the histogram's count stops growing.
        last, stable = -1.0, 0
        deadline = time.monotonic() + 600
        while stable < 3 and time.monotonic() < deadline:
            await asyncio.sleep(1)
            scraped = await _scrape(metrics_url)
            after = _histogram(scraped, INVENTORY_EVENTS.name)
            stable = stable + 1 if after[-1][1] == last else 0
            last = after[-1][1]
        p99, events = _quantile(before, after, 0.99)
        p50, _ = _quantile(before, after, 0.50)
        after_kafka = _histogram(scraped, INVENTORY_EVENTS.name, "reporting_kafka_lag_seconds")
        worker_cpu = _cpu_seconds(scraped) - cpu_before
        kafka_p99, _ = _quantile(before_kafka, after_kafka, 0.99)
        kafka_p50, _ = _quantile(before_kafka, after_kafka, 0.50)
        print(f"lag: {events:,} events at {rate:.0f}/s offered for {seconds} s"
              f" ({load_result.get('statuses')} answers): p50 {p50:.0f} ms, p99 {p99:.0f} ms"
              f" (histogram, interpolated; target p99 < 500 ms); of which from the relay's send"
              f" to the read model: p50 {kafka_p50:.0f} ms, p99 {kafka_p99:.0f} ms;"
              f" the worker's CPU {worker_cpu / max(events, 1) * 1e6:.0f} us an event"
              f" (load average {os.getloadavg()[0]:.1f})")  # fmt: skip
        return p99, events, load_result
    finally:
        platform.stop()


def _parent(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as stat:
        return int(stat.read().rsplit(")", 1)[1].split()[1])


def _cluster_cpu(postmaster: int) -> float:
    """CPU seconds of a PostgreSQL cluster on this machine: the postmaster, its exited children
    (reaped into its own counters) and the live ones."""
    tick = os.sysconf("SC_CLK_TCK")

    def fields(pid: str | int) -> list[str]:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()

    own = fields(postmaster)
    total = sum(int(x) for x in own[11:15])  # utime, stime, cutime, cstime
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                child = fields(pid)
            except OSError:
                continue
            if int(child[1]) == postmaster:
                total += int(child[11]) + int(child[12])
    return total / tick


def _rss() -> int:
    """This process's resident memory in bytes."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


async def rebuild_rate(
    postgres: PostgresServer, kafka: KafkaServer, events: int
) -> tuple[float, int, float]:
    inventory = await make_topic(kafka.bootstrap, "bench.inv", 6)
    compliance = await make_topic(kafka.bootstrap, "bench.comp", 2)
    rng = random.Random(5)
    envelopes = []
    n = 0
    while len(envelopes) < events:
        envelopes += [envelope(e) for e in random_batch(rng, n, steps=25).events]
        n += 1
    envelopes = envelopes[:events]
    # Keep each batch's events in order: cut at a batch boundary is not needed, the partition
    # key keeps them in order and a cut tail only ends a history early.
    producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap, acks="all",
                                linger_ms=20, max_batch_size=512 * 1024)  # fmt: skip
    await producer.start()
    try:
        for env in envelopes:
            await producer.send(inventory.name, env.to_bytes(), key=env.aggregate_id.encode())
        await producer.flush()
    finally:
        await producer.stop()
    database = await postgres.create_database("bench_rebuild")
    url = postgres.url_for(database)
    await asyncio.to_thread(upgrade, MIGRATIONS, url)
    settings = ReportingSettings.model_validate({
        "REPORTING_DATABASE_URL": url, "KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap,
        "REPORTING_CONSUMER_GROUP": f"bench-{uuid.uuid4().hex[:8]}",
    })  # fmt: skip
    db = Database(url, name="bench-rebuild", max_size=4)
    container = Container(settings=settings, uow=partial(UnitOfWork, db),
                          reports=partial(reading, db), database_check=db.check,
                          close=db.close, tracer_provider=TracerProvider())  # fmt: skip
    del envelopes
    gc.collect()
    rss_before, peak = _rss(), [0]

    async def watch_memory() -> None:
        while True:
            peak[0] = max(peak[0], _rss())
            await asyncio.sleep(0.05)

    watching = asyncio.create_task(watch_memory())
    conn = await asyncpg.connect(postgres.url_for(database, driver="postgresql"))
    try:
        postmaster = _parent(await conn.fetchval("SELECT pg_backend_pid()"))
    finally:
        await conn.close()
    pg_before = _cluster_cpu(postmaster)
    cpu_before = os.times()
    try:
        result = await rebuild(container, asyncio.Event(), drop_after=0,
                               topics=Topics(inventory.name, compliance.name))  # fmt: skip
    finally:
        watching.cancel()
        await db.close()
        await postgres.drop_database(database)
    cpu_after = os.times()
    pg_cpu = _cluster_cpu(postmaster) - pg_before
    assert result is not None
    cpu = (cpu_after.user + cpu_after.system) - (cpu_before.user + cpu_before.system)
    print(f"rebuild: {result.events:,} events of {n:,} batches in {result.seconds:.1f} s:"
          f" {result.rate:,.0f} events/s; this process's CPU {cpu / result.events * 1e6:.0f} us"
          f" an event (fetch, decode, fold, COPY), PostgreSQL's {pg_cpu / result.events * 1e6:.0f}"
          f" us (load average {os.getloadavg()[0]:.1f}); its memory peaked"
          f" {(peak[0] - rss_before) / 2**20:.0f} MB above its start"
          f" (target >= 10,000 ev/s)")  # fmt: skip
    return result.rate, result.events, cpu / result.events * 1e6


async def main(args: argparse.Namespace) -> None:
    postgres, kafka = PostgresServer.acquire(), KafkaServer.acquire()
    logs = Path(tempfile.mkdtemp(prefix="bench-reporting-"))
    print(
        f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; logs in {logs}"
    )
    nan = float("nan")
    parts = set(args.parts.split(","))
    lag_p99 = rate = nan
    scale = dict.fromkeys(("dashboard", "aging", "profitability"), (nan, nan, nan))
    try:
        await create_topics(kafka.bootstrap, [INVENTORY_EVENTS])
        if "lag" in parts:
            lag_p99, _, _ = await lag_under_load(postgres, kafka, args.rate, args.seconds, logs)
        if "rebuild" in parts:
            rate, _, _ = await rebuild_rate(postgres, kafka, args.rebuild_events)
        if "reports" in parts:
            scale = await reports_at_scale(postgres, args.batches, args.runs, args.reuse, logs)
    finally:
        # A reused database lives on the server: a run given one leaves the server running.
        if not args.reuse:
            print(postgres.release())
            print(kafka.release())
    print(f"load average after: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"reporting: lag p99 {lag_p99:.0f} ms, dashboard p95 {scale['dashboard'][1]:.1f} ms,"
          f" aging p95 {scale['aging'][1]:.1f} ms, profitability p95"
          f" {scale['profitability'][1]:.1f} ms, rebuild {rate:.0f} ev/s")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--batches", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=300, help="requests per report")
    parser.add_argument("--rate", type=float, default=381.0,
                        help="adjustments/s offered (the inventory benchmark's open-loop rate)")  # fmt: skip
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--rebuild-events", type=int, default=60_000)
    parser.add_argument("--parts", default="lag,rebuild,reports",
                        help="which parts to run (comma-separated; a part not run prints nan)")  # fmt: skip
    parser.add_argument(
        "--reuse", metavar="DATABASE", help="a 1,000,000-batch database kept before"
    )
    asyncio.run(main(parser.parse_args()))
