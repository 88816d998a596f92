"""Read-model benchmark of the reporting service (``make bench-reporting-read-models``).

Not the issue's ``make bench-reporting`` (which needs the consumers, the API and inventory
running); this measures the storage design underneath it, through the real handlers and the
asyncpg adapters:

1. A fresh database on the test PostgreSQL (shared.testing.infra), migrated with Alembic.
2. 1,000,000 synthetic batch views loaded directly into generation 1 (COPY), with realistic
   distributions: 20 sites, 2,000 products over six categories, receipts over two years,
   statuses by age (old stock mostly sold out or closed), quantities, FIXED and RANGE costs,
   tickets, sales. Their aggregate rows are the sum of the domain's own contributions
   (``reporting.domain.contribute``), so the aggregates agree with the views exactly as if
   every batch had been projected. Then VACUUM ANALYZE.
3. Folding: random inventory histories (real event models, ``reporting.testing``) delivered
   in transactions of 1,000 events, as the batched inbox consumer will: per transaction the
   time of the whole unit (map + fold in memory + write), on top of the million batches.
4. Reports, one at a time on one connection, each in its own read-only REPEATABLE READ
   transaction bound to the live generation: dashboard, aging and profitability summary for
   every site (an identity granted all) or 1 to 3 sites, and batch profitability of random
   batches: p50/p95/p99.

Last line: ``reporting-read-models: fold 1000 events p95 <ms> ms (<ev/s> ev/s),
dashboard p95 <ms> ms, aging p95 <ms> ms, profitability p95 <ms> ms``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import asyncpg
from reporting.adapters.generations import bind_live_generation
from reporting.adapters.read_model import PgReadModel
from reporting.adapters.rows import VIEW_COLUMNS, view_values
from reporting.domain import (
    EVERY_SITE,
    Balances,
    BatchFacts,
    BatchStatus,
    BatchView,
    CogsMode,
    Costs,
    Deltas,
    Sales,
    contribute,
)
from reporting.service_layer import reports
from reporting.service_layer.commands import (
    AgingQuery,
    BatchProfitabilityQuery,
    DashboardQuery,
    ProfitabilitySummaryQuery,
    SiteScope,
    Topics,
    Watermark,
)
from reporting.service_layer.projections import apply_inventory_events, record_watermarks
from reporting.testing.inventory_history import TOPIC, SimulatedBatch, interleaved, random_batch
from shared.migrations import upgrade
from shared.testing.infra import PostgresServer, repo_root
from shared.testing.processes import cpu_seconds
from tqdm import tqdm

MIGRATIONS = repo_root() / "services" / "reporting" / "src" / "reporting" / "migrations"
SITES, PRODUCTS = 20, 2000
CATEGORIES = [("Flower", 45), ("Pre-Roll", 15), ("Vape", 15), ("Concentrate", 10),
              ("Edible", 10), ("Topical", 5)]  # fmt: skip
SUBCATEGORIES = {"Flower": ["Indoor", "Outdoor", "Greenhouse", None], "Vape": ["Cart", "Disposable"],
                 "Pre-Roll": [None, "Infused"], "Concentrate": ["Wax", "Shatter", "Rosin"],
                 "Edible": ["Gummy", "Chocolate", None], "Topical": [None]}  # fmt: skip
NOW = datetime.now(UTC).replace(microsecond=0)
Q = Decimal("0.0001")
TOPICS = Topics(inventory=TOPIC)


def pick(rng: random.Random, weighted: list[tuple[Any, int]]) -> Any:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def status_for(rng: random.Random, age_days: float) -> BatchStatus:
    if age_days < 3:
        table = [("AWAITING_INTAKE", 40), ("LIVE", 50), ("PHOTOGRAPHY_COMPLETE", 10)]
    elif age_days < 90:
        table = [("LIVE", 55), ("PHOTOGRAPHY_COMPLETE", 10), ("ON_HOLD", 5), ("QUARANTINED", 3),
                 ("SOLD_OUT", 17), ("CLOSED", 10)]  # fmt: skip
    else:
        table = [("SOLD_OUT", 20), ("CLOSED", 75), ("LIVE", 4), ("ON_HOLD", 1)]
    return BatchStatus(pick(rng, table))


def synthetic_view(
    rng: random.Random, sites: list[uuid.UUID], products: list[dict[str, Any]]
) -> BatchView:
    site = rng.choice(sites)
    product = rng.choice(products)
    age = rng.random() ** 0.8 * 730
    created = NOW - timedelta(days=age, seconds=rng.randint(0, 86_399))
    status = status_for(rng, age)
    received = (
        Decimal(rng.choice([1, 5, 10, 50, 100, 250, 500, 1000, 2500])) + rng.randint(0, 9999) * Q
    )
    sold = received if status in (BatchStatus.SOLD_OUT, BatchStatus.CLOSED) else (
        received * Decimal(rng.choice([0, 0, 0.1, 0.3, 0.6, 0.9]))).quantize(Q)  # fmt: skip
    left = received - sold
    on_hand, quarantine = (
        (Decimal(0), left) if status is BatchStatus.QUARANTINED else (left, Decimal(0))
    )
    if rng.random() < 0.8:
        costs = Costs(CogsMode.FIXED, Decimal(rng.randint(100, 90_000)) * Q, None, None, None)
    else:
        low = Decimal(rng.randint(100, 50_000)) * Q
        costs = Costs(CogsMode.RANGE, None, low, low + Decimal(rng.randint(1, 40_000)) * Q, None)
    ticket = None if rng.random() < 0.05 else (costs.unit_cost * Decimal("1.6")).quantize(Q)
    costs = Costs(costs.mode, costs.unit_cogs, costs.unit_cogs_min, costs.unit_cogs_max, ticket)
    sales = Sales(
        units_sold=sold,
        units_returned=Decimal(0),
        revenue=sold * ticket if ticket is not None else Decimal(0),
        cogs=sold * costs.unit_cost,
        unpriced_units=sold if ticket is None else Decimal(0),
    )
    batch_id = uuid.uuid4()
    facts = BatchFacts(
        batch_id=batch_id, site_id=site, license_number=f"LIC-{sites.index(site):04d}",
        code=f"B-{batch_id.hex[:12]}", sku=product["sku"], product_id=product["id"],
        product_name=product["name"], category=product["category"],
        subcategory=product["subcategory"], status=status,
        balances=Balances(on_hand, Decimal(0), quarantine, Decimal(0), Decimal(0)), costs=costs,
        version=rng.randint(2, 12), created_at=created, updated_at=created + timedelta(days=age / 2),
        deleted_at=created + timedelta(days=age) if status is BatchStatus.CLOSED and rng.random() < 0.3 else None,
    )  # fmt: skip
    return BatchView(facts, sales, 0, facts.updated_at)


async def load(conn: asyncpg.Connection, total: int, seed: int) -> list[uuid.UUID]:
    """COPY ``total`` synthetic views into generation 1 and add their contributions to the
    aggregates; returns the sites."""
    rng = random.Random(seed)
    sites = [uuid.uuid4() for _ in range(SITES)]
    products = []
    for n in range(PRODUCTS):
        category = pick(rng, CATEGORIES)
        products.append({"id": uuid.uuid4(), "name": f"{category} {n:04d}", "sku": f"SKU-{n:05d}",
                         "category": category, "subcategory": rng.choice(SUBCATEGORIES[category])})  # fmt: skip
    deltas = Deltas()
    chunk = 50_000
    for start in tqdm(range(0, total, chunk), desc="loading batch views", unit="50k"):
        views = [synthetic_view(rng, sites, products) for _ in range(min(chunk, total - start))]
        for view in views:
            contribute(deltas, view, sign=+1)
        await conn.copy_records_to_table(
            "batch_view", schema_name="read_model_1", columns=VIEW_COLUMNS,
            records=[view_values(v) for v in views],
        )  # fmt: skip
    async with conn.transaction():
        await bind_live_generation(conn, writer=True)
        await PgReadModel(conn).aggregates.apply(deltas.nonzero())
    return sites


def event_chunks(seed: int, events: int, size: int) -> list[list[Any]]:
    """Random histories (about ten events per batch) interleaved across batches, as a consumer
    receives them, in chunks of ``size`` events: a chunk touches hundreds of batches."""
    rng = random.Random(seed)
    batches: list[SimulatedBatch] = []
    while sum(len(b.events) for b in batches) < events:
        batches.append(random_batch(rng, len(batches), steps=16))
    stream = interleaved(rng, batches)[:events]
    return [stream[i : i + size] for i in range(0, len(stream), size)]


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    at = lambda q: ordered[min(len(ordered) - 1, int(len(ordered) * q))]  # noqa: E731
    return statistics.median(ordered), at(0.95), at(0.99)


async def fold_rate(dsn: str, chunks: list[list[Any]]) -> tuple[list[float], int, float, float]:
    """Wall time per transaction, events folded, and the CPU seconds this process and the
    PostgreSQL backend spent (the machine is shared: CPU time says what the work costs)."""
    conn = await asyncpg.connect(dsn)
    times = []
    backend = await conn.fetchval("SELECT pg_backend_pid()")
    # A consumer holds one chunk of events at a time; this process holds all of them, so keep
    # them out of the collector's full passes (they would be charged to the fold).
    gc.collect()
    gc.freeze()
    client, server = time.process_time(), cpu_seconds(backend)
    try:
        for chunk in tqdm(chunks, desc="folding", unit="txn"):
            started = time.perf_counter()
            async with conn.transaction():
                await bind_live_generation(conn, writer=True)
                await apply_inventory_events(PgReadModel(conn), chunk, now=datetime.now(UTC))
            times.append((time.perf_counter() - started) * 1000)
        client, server = time.process_time() - client, cpu_seconds(backend) - server
        async with conn.transaction():
            await bind_live_generation(conn, writer=True)
            await record_watermarks(
                PgReadModel(conn),
                [Watermark(TOPIC, p, 10**9, datetime.now(UTC)) for p in range(3)],
            )
    finally:
        await conn.close()
    return times, sum(len(c) for c in chunks), client, server


async def measure(
    dsn: str, what: str, runs: int, call: Callable[[PgReadModel, int], Awaitable[object]]
) -> tuple[list[float], float, float]:
    """Wall milliseconds per request, and the mean CPU milliseconds per request of this
    process and of the PostgreSQL backend."""
    conn = await asyncpg.connect(dsn)
    backend = await conn.fetchval("SELECT pg_backend_pid()")
    times = []
    client = server = 0.0
    try:
        for n in tqdm(range(runs + 20), desc=what, unit="req"):
            started, cpu, backend_cpu = (
                time.perf_counter(),
                time.process_time(),
                cpu_seconds(backend),
            )
            async with conn.transaction(isolation="repeatable_read", readonly=True):
                await bind_live_generation(conn, writer=False)
                await call(PgReadModel(conn), n)
            if n >= 20:  # the first ones warm the caches
                times.append((time.perf_counter() - started) * 1000)
                client += time.process_time() - cpu
                server += cpu_seconds(backend) - backend_cpu
    finally:
        await conn.close()
    return times, client / runs * 1000, server / runs * 1000


async def main(
    total: int, seed: int, runs: int, fold_events: int, keep: bool, reuse: str | None
) -> None:
    postgres = PostgresServer.acquire()
    database = reuse or await postgres.create_database("bench_reporting")
    dsn = postgres.url_for(database, driver="postgresql")
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    try:
        conn = await asyncpg.connect(dsn)
        if reuse:
            total = await conn.fetchval("SELECT count(*) FROM read_model_1.batch_view")
            sites = [r["site_id"] for r in await conn.fetch(
                "SELECT DISTINCT site_id FROM read_model_1.dashboard_total WHERE site_id <> $1",
                EVERY_SITE)]  # fmt: skip
            print(f"reusing {database}: {total:,} batch views")
        else:
            await asyncio.to_thread(upgrade, MIGRATIONS, postgres.url_for(database))
            started = time.perf_counter()
            sites = await load(conn, total, seed)
            print(f"loaded {total:,} batch views in {time.perf_counter() - started:.0f} s")
        await conn.execute("VACUUM ANALYZE")
        sizes = await conn.fetchrow(
            "SELECT pg_size_pretty(pg_total_relation_size('read_model_1.batch_view')) AS views,"
            " (SELECT count(*) FROM read_model_1.dashboard_total) AS dashboard_rows,"
            " (SELECT count(*) FROM read_model_1.aging_day) AS aging_rows,"
            " (SELECT count(*) FROM read_model_1.profit_category) AS profit_rows"
        )
        ids = [r["batch_id"] for r in await conn.fetch(
            "SELECT batch_id FROM read_model_1.batch_view TABLESAMPLE SYSTEM (1) LIMIT 1000")]  # fmt: skip
        await conn.close()

        print("generating events ...", flush=True)
        chunks = event_chunks(seed + int(time.time()), fold_events, 1000)
        fold_times, folded, client_cpu, server_cpu = await fold_rate(dsn, chunks)
        gc.unfreeze()
        del chunks

        rng = random.Random(seed + 1)
        scopes = [
            SiteScope.every_site() if rng.random() < 0.5
            else SiteScope.of(rng.sample(sites, rng.randint(1, 3)))
            for _ in range(runs + 20)
        ]  # fmt: skip
        dash = await measure(dsn, "dashboard", runs, lambda uow, n: reports.dashboard(
            uow, DashboardQuery(scopes[n]), now=datetime.now(UTC), topics=TOPICS))  # fmt: skip
        aging = await measure(dsn, "aging", runs, lambda uow, n: reports.aging(
            uow, AgingQuery(scopes[n]), now=datetime.now(UTC), topics=TOPICS))  # fmt: skip
        profit = await measure(dsn, "profitability summary", runs,
            lambda uow, n: reports.profitability_summary_report(
                uow, ProfitabilitySummaryQuery(scopes[n]), now=datetime.now(UTC), topics=TOPICS))  # fmt: skip
        batch = await measure(dsn, "batch profitability", runs,
            lambda uow, n: reports.batch_profitability_report(
                uow, BatchProfitabilityQuery(SiteScope.every_site(), ids[n % len(ids)]),
                now=datetime.now(UTC), topics=TOPICS))  # fmt: skip
    finally:
        if keep or reuse:
            print(f"kept database {database}")
        else:
            await postgres.drop_database(database)
            print(postgres.release())

    f50, f95, f99 = percentiles(fold_times)
    rate = folded / (sum(fold_times) / 1000)
    per_k_client, per_k_server = client_cpu / folded * 1e6, server_cpu / folded * 1e6
    print(f"load average after: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"data: {total:,} batch views ({sizes['views']} with indexes); aggregate rows:"
          f" dashboard {sizes['dashboard_rows']}, aging days {sizes['aging_rows']},"
          f" profit {sizes['profit_rows']}")  # fmt: skip
    print(f"fold: {folded:,} events in {len(fold_times)} transactions of 1,000: p50 {f50:.1f} ms,"
          f" p95 {f95:.1f} ms, p99 {f99:.1f} ms per transaction; {rate:,.0f} events/s on one connection")  # fmt: skip
    print(f"fold CPU per 1,000 events: this process {per_k_client:.0f} ms (map, fold, encode),"
          f" PostgreSQL backend {per_k_server:.0f} ms; the CPU alone allows"
          f" {1e6 / (per_k_client + per_k_server):,.0f} events/s one transaction after another,"
          f" {1e6 / max(per_k_client, per_k_server):,.0f} events/s with both sides busy at once")  # fmt: skip
    results = {}
    for name, (samples, cpu, backend_cpu) in (
        ("dashboard", dash), ("aging", aging), ("profitability summary", profit),
        ("batch profitability", batch),
    ):  # fmt: skip
        p50, p95, p99 = percentiles(samples)
        results[name] = p95
        print(f"{name} ({len(samples)} requests, half for every site, half for 1-3 sites):"
              f" p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms (target p95 < 50 ms);"
              f" CPU per request {cpu:.1f} ms here + {backend_cpu:.1f} ms PostgreSQL")  # fmt: skip
    print(f"reporting-read-models: fold 1000 events p95 {f95:.0f} ms ({rate:,.0f} ev/s),"
          f" dashboard p95 {results['dashboard']:.1f} ms, aging p95 {results['aging']:.1f} ms,"
          f" profitability p95 {results['profitability summary']:.1f} ms")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--batches", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=300, help="requests per report")
    parser.add_argument("--fold-events", type=int, default=20_000)
    parser.add_argument("--keep", action="store_true", help="keep the database (for EXPLAIN)")
    parser.add_argument("--reuse", metavar="DATABASE", help="measure a database kept before")
    args = parser.parse_args()
    asyncio.run(main(args.batches, args.seed, args.runs, args.fold_events, args.keep, args.reuse))
