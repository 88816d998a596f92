"""Scale benchmark of the inventory reads (``make bench-inventory-scale``).

1. A fresh database on the test PostgreSQL (shared.testing.infra), migrated.
2. 1,000,000 batches loaded with COPY (progress bars), with realistic distributions: 20 sites
   with 40 locations each, 300 vendors, 200 brands, 2,000 products over six categories, lots
   per vendor and month, receipt times over two years, statuses by age (old batches mostly sold
   out or closed), grades, quantities, costs and prices; each batch with its per-location
   quantity, reservations and a ledger (intake, sales, reservations, holds, quarantine pairs)
   that adds up to its buckets. Then VACUUM ANALYZE, as autovacuum would after such a load.
3. The API under uvicorn in its own process; a client in this process measures, one request at
   a time, the enhanced list's first page for a site with a varied filter and sort (search,
   status, category, vendor, brand, grade, stock status, age bracket, location) and its
   summary, and batch detail (batch, locations, audit trail, movements, reservations) of random
   batches: p50/p95/p99 over many requests.

Last line: ``inventory-scale: 1000000 batches, list p95 <ms> ms, detail p95 <ms> ms``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
from shared.identity import (
    ALL_SITES,
    IDENTITY_HEADER,
    Identity,
    generate_keypair,
    issue_identity_token,
)
from shared.migrations import upgrade
from shared.testing.infra import PostgresServer, repo_root
from shared.testing.processes import free_port, wait_healthy
from tqdm import tqdm

MIGRATIONS = repo_root() / "services" / "inventory" / "src" / "inventory" / "migrations"
SITES, LOCATIONS_PER_SITE, VENDORS, BRANDS, PRODUCTS = 20, 40, 300, 200, 2000
CATEGORIES = [
    ("Flower", 45),
    ("Pre-Roll", 15),
    ("Vape", 15),
    ("Concentrate", 10),
    ("Edible", 10),
    ("Topical", 5),
]
GRADES = [("A", 40), ("B", 30), ("AA", 10), ("C", 10), (None, 10)]
STRAINS = [
    "Blue Dream",
    "OG Kush",
    "Sour Diesel",
    "Gelato",
    "Wedding Cake",
    "GSC",
    "Zkittlez",
    "Runtz",
]
TERMS = ["COD", "NET_7", "NET_15", "NET_30", "CONSIGNMENT", "PARTIAL"]
NOW = datetime.now(UTC).replace(microsecond=0)
Q = Decimal("0.0001")


def pick(rng: random.Random, weighted: list[tuple[Any, int]]) -> Any:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def status_for(rng: random.Random, age_days: float) -> str:
    if age_days < 3:
        table = [("AWAITING_INTAKE", 40), ("LIVE", 50), ("PHOTOGRAPHY_COMPLETE", 10)]
    elif age_days < 90:
        table = [("LIVE", 55), ("PHOTOGRAPHY_COMPLETE", 10), ("ON_HOLD", 5), ("QUARANTINED", 3),
                 ("SOLD_OUT", 17), ("CLOSED", 10)]  # fmt: skip
    else:
        table = [("SOLD_OUT", 20), ("CLOSED", 75), ("LIVE", 4), ("ON_HOLD", 1)]
    return str(pick(rng, table))


@dataclass
class Reference:
    sites: list[uuid.UUID]
    locations: dict[uuid.UUID, list[uuid.UUID]]
    vendors: list[tuple[uuid.UUID, str]]
    brands: list[tuple[uuid.UUID, str, uuid.UUID]]
    products: list[dict[str, Any]]
    lots: dict[tuple[uuid.UUID, str], tuple[uuid.UUID, str]]


async def load_reference(conn: asyncpg.Connection, rng: random.Random) -> Reference:
    sites = [uuid.uuid4() for _ in range(SITES)]
    await conn.executemany(
        "INSERT INTO site (id, name, license_number, state) VALUES ($1, $2, $3, $4)",
        [
            (s, f"Site {n}", f"LIC-{n:04d}", rng.choice(["OR", "WA", "CA", "CO"]))
            for n, s in enumerate(sites)
        ],
    )
    locations: dict[uuid.UUID, list[uuid.UUID]] = {}
    rows = []
    for site in sites:
        locations[site] = []
        for n in range(LOCATIONS_PER_SITE):
            location = uuid.uuid4()
            locations[site].append(location)
            zone, rack = f"Z{n // 10}", f"R{n % 10}"
            rows.append((location, site, zone, rack, f"{zone}/{rack}"))
    await conn.executemany(
        "INSERT INTO location (id, site_id, zone, rack, label) VALUES ($1, $2, $3, $4, $5)", rows
    )
    vendors = [(uuid.uuid4(), f"Vendor {n:03d} Farms") for n in range(VENDORS)]
    await conn.executemany("INSERT INTO vendor (id, name, license_number) VALUES ($1, $2, $3)",
                           [(v, name, f"V-{n}") for n, (v, name) in enumerate(vendors)])  # fmt: skip
    brands = [(uuid.uuid4(), f"Brand {n:03d}", rng.choice(vendors)[0]) for n in range(BRANDS)]
    await conn.executemany("INSERT INTO brand (id, name, vendor_id) VALUES ($1, $2, $3)", brands)
    products = []
    for n in range(PRODUCTS):
        brand = rng.choice(brands)
        category = pick(rng, CATEGORIES)
        strain = rng.choice(STRAINS) if category in ("Flower", "Pre-Roll") else None
        products.append({
            "id": uuid.uuid4(), "name": f"{strain or category} {n:04d}", "category": category,
            "strain": strain, "brand": brand, "sku": f"SKU-{n:05d}",
            "uom": "Grams" if category in ("Flower", "Concentrate") else "Each",
        })  # fmt: skip
    await conn.executemany(
        "INSERT INTO product (id, name, category, strain, brand_id, unit_of_measure, sku)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7)",
        [
            (p["id"], p["name"], p["category"], p["strain"], p["brand"][0], p["uom"], p["sku"])
            for p in products
        ],
    )
    return Reference(sites, locations, [(v, n) for v, n in vendors], brands, products, {})


BATCH_COLUMNS = [
    "id", "code", "sku", "site_id", "product_id", "lot_id", "vendor_id", "brand_id", "product_name",
    "category", "subcategory", "strain", "vendor_name", "brand_name", "lot_code", "unit_of_measure",
    "status", "grade", "is_sample", "on_hand_qty", "reserved_qty", "quarantine_qty", "hold_qty",
    "defective_qty", "cogs_mode", "unit_cogs", "unit_cogs_min", "unit_cogs_max", "payment_terms",
    "ticket", "notes", "metadata", "primary_location_id", "version", "created_at", "updated_at",
    "deleted_at",
]  # fmt: skip
MOVEMENT_COLUMNS = [
    "batch_id", "batch_version", "sequence", "bucket", "movement_type", "quantity_change",
    "quantity_before", "quantity_after", "location_id", "adjustment_reason", "notes",
    "reference_type", "reference_id", "performed_by", "occurred_at",
]  # fmt: skip


def generate(
    rng: random.Random, ref: Reference, n: int, vendor_names: dict[uuid.UUID, str]
) -> tuple[list[Any], ...]:
    """One batch, its location row, reservation rows, movement rows and audit rows."""
    batch_id = uuid.uuid4()
    site = rng.choice(ref.sites)
    location = rng.choice(ref.locations[site])
    product = rng.choice(ref.products)
    brand_id, brand_name, vendor_id = product["brand"]
    age = rng.random() ** 0.8 * 730  # a little more recent stock than old
    created = NOW - timedelta(days=age, seconds=rng.randint(0, 86_399))
    status = status_for(rng, age)
    month = created.strftime("%Y-%m")
    lot_id, lot_code = ref.lots.setdefault(
        (vendor_id, month), (uuid.uuid4(), f"LOT-{month}-{str(vendor_id)[:4]}")
    )
    received = (
        Decimal(rng.choice([1, 5, 10, 50, 100, 250, 500, 1000, 2500]))
        + Decimal(rng.randint(0, 9999)) * Q
    )
    on_hand = reserved = quarantine = hold = Decimal(0)
    moves: list[tuple[str, str, Decimal, bool]] = [("ON_HAND", "INTAKE", received, True)]
    if status in ("SOLD_OUT", "CLOSED"):
        moves.append(("ON_HAND", "SALE", -received, True))
    elif status == "QUARANTINED":
        moves += [
            ("ON_HAND", "QUARANTINE", -received, False),
            ("QUARANTINE", "QUARANTINE", received, False),
        ]
        quarantine = received
    elif status == "AWAITING_INTAKE":
        on_hand = received
    else:
        sold = (received * Decimal(rng.choice([0, 0, 0.1, 0.3, 0.6, 0.9, 0.99, 1]))).quantize(Q)
        if sold:
            moves.append(("ON_HAND", "SALE", -sold, True))
        on_hand = received - sold
        reserved = (on_hand * Decimal(rng.choice([0, 0, 0, 0.1, 0.25]))).quantize(Q)
        if reserved:
            moves.append(("RESERVED", "RESERVE", reserved, False))
        if status == "ON_HOLD":
            hold = ((on_hand - reserved) * Decimal("0.5")).quantize(Q)
            if hold:
                moves.append(("HOLD", "HOLD", hold, False))
    balances: dict[str, Decimal] = {}
    movements = []
    for version, (bucket, kind, change, located) in enumerate(moves, start=1):
        # A quarantine pair is one operation (two rows of one version).
        if kind == "QUARANTINE" and bucket == "QUARANTINE":
            version, sequence = version - 1, 1
        else:
            sequence = 0
        before = balances.get(bucket, Decimal(0))
        balances[bucket] = before + change
        at = created + timedelta(hours=version)
        movements.append((batch_id, version, sequence, bucket, kind, change, before, before + change,
                          location if located else None, None, None,
                          "ORDER" if kind in ("SALE", "RESERVE") else None,
                          f"SO-{n}" if kind in ("SALE", "RESERVE") else None, "loader", at))  # fmt: skip
    version = max(m[1] for m in movements) + (1 if status != "AWAITING_INTAKE" else 0)
    fixed = rng.random() < 0.85
    cogs = Decimal(rng.randint(5_000, 400_000)) * Q
    physical = on_hand + quarantine
    code = f"B{n:07d}"
    batch = [
        batch_id, code, product["sku"] + f"-{n % 1000:03d}", site, product["id"], lot_id, vendor_id, brand_id,
        product["name"], product["category"], None, product["strain"], vendor_names[vendor_id], brand_name,
        lot_code, product["uom"], status, pick(rng, GRADES), rng.random() < 0.02, on_hand, reserved,
        quarantine, hold, Decimal(0), "FIXED" if fixed else "RANGE", cogs if fixed else None,
        None if fixed else cogs, None if fixed else cogs + Decimal(1), rng.choice(TERMS),
        (cogs * Decimal("1.6")).quantize(Q) if rng.random() < 0.7 else None, None, "{}", location, version,
        created, created + timedelta(hours=version), None,
    ]  # fmt: skip
    locations = [(batch_id, location, physical, created)] if physical else []
    reservations = [(batch_id, "ORDER", f"SO-{n}", reserved, created)] if reserved else []
    audit = [("batch", str(batch_id), "INTAKE", "loader", created, None, 1, "{}", None)]
    return batch, locations, reservations, movements, audit


async def load_batches(conn: asyncpg.Connection, total: int, seed: int) -> None:
    rng = random.Random(seed)
    ref = await load_reference(conn, rng)
    vendor_names = dict(ref.vendors)
    # Constraint and integrity triggers off for the bulk load (this session only): the
    # generator builds consistent rows, and 1,000,000 deferred checks would dominate the load.
    await conn.execute("SET session_replication_role = replica")
    chunk = 20_000
    with tqdm(total=total, desc="COPY batches", unit="batch", unit_scale=True) as bar:
        for start in range(0, total, chunk):
            rows: tuple[list[Any], ...] = ([], [], [], [], [])
            for n in range(start, min(start + chunk, total)):
                batch, locations, reservations, movements, audit = generate(
                    rng, ref, n, vendor_names
                )
                rows[0].append(batch)
                rows[1].extend(locations)
                rows[2].extend(reservations)
                rows[3].extend(movements)
                rows[4].extend(audit)
            await conn.copy_records_to_table("batch", records=rows[0], columns=BATCH_COLUMNS)
            await conn.copy_records_to_table("batch_location", records=rows[1],
                                             columns=["batch_id", "location_id", "qty", "updated_at"])  # fmt: skip
            await conn.copy_records_to_table("reservation", records=rows[2],
                                             columns=["batch_id", "reference_type", "reference_id", "qty", "updated_at"])  # fmt: skip
            await conn.copy_records_to_table("movement", records=rows[3], columns=MOVEMENT_COLUMNS)
            await conn.copy_records_to_table("audit_log", records=rows[4], columns=[
                "entity_type", "entity_id", "action", "performed_by", "occurred_at", "reason", "version",
                "changes", "request_id"])  # fmt: skip
            bar.update(len(rows[0]))
    lots = [(lot, vendor, code) for (vendor, _), (lot, code) in ref.lots.items()]
    await conn.copy_records_to_table("lot", records=lots, columns=["id", "vendor_id", "code"])
    await conn.execute("SET session_replication_role = origin")
    started = time.perf_counter()
    print("VACUUM ANALYZE ...", flush=True)
    await conn.execute("VACUUM ANALYZE")
    print(f"VACUUM ANALYZE took {time.perf_counter() - started:.0f} s")


SORTS = ["createdAt", "onHandQty", "availableQty", "sku", "productName", "code", "ageDays",
         "unitCogs", "vendorName", "status", "grade", "ticket"]  # fmt: skip


async def list_params(conn: asyncpg.Connection, rng: random.Random) -> list[dict[str, Any]]:
    """Varied first-page requests of a site user: one filter (or a search) and a sort."""
    sites = [r["id"] for r in await conn.fetch("SELECT id FROM site")]
    vendors = [r["id"] for r in await conn.fetch("SELECT id FROM vendor")]
    brands = [r["id"] for r in await conn.fetch("SELECT id FROM brand")]
    locations = [
        (r["site_id"], r["id"]) for r in await conn.fetch("SELECT site_id, id FROM location")
    ]
    skus = [r["sku"] for r in await conn.fetch("SELECT sku FROM product")]
    filters = [
        lambda: {},
        lambda: {"status": "LIVE"},
        lambda: {"status": ["ON_HOLD", "QUARANTINED"]},
        lambda: {"category": rng.choice([c for c, _ in CATEGORIES])},
        lambda: {"vendorId": str(rng.choice(vendors))},
        lambda: {"brandId": str(rng.choice(brands))},
        lambda: {"grade": rng.choice(["A", "B", "AA"])},
        lambda: {"stockStatus": rng.choice(["LOW_STOCK", "IN_STOCK", "OUT_OF_STOCK"])},
        lambda: {"ageBracket": rng.choice(["FRESH", "MODERATE", "AGING", "CRITICAL"])},
        lambda: {"search": rng.choice(skus)[4:9].lower()},
        lambda: {"search": rng.choice(STRAINS).split()[0].lower()},
        lambda: {"category": "Flower", "stockStatus": "IN_STOCK"},
    ]
    params = []
    for _ in range(600):
        site = rng.choice(sites)
        chosen = rng.choice(filters)()
        if rng.random() < 0.05:
            chosen = {"locationId": str(rng.choice([loc for s, loc in locations if s == site]))}
        params.append({"siteId": str(site), **chosen, "sortBy": rng.choice(SORTS),
                       "sortOrder": rng.choice(["asc", "desc"]), "pageSize": 25})  # fmt: skip
    return params


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    at = lambda q: ordered[min(len(ordered) - 1, int(len(ordered) * q))]  # noqa: E731
    return statistics.median(ordered), at(0.95), at(0.99)


async def measure(
    client: httpx.AsyncClient, requests: list[tuple[str, dict[str, Any]]], what: str
) -> list[float]:
    times = []
    for path, params in tqdm(requests, desc=what, unit="req"):
        started = time.perf_counter()
        response = await client.get(path, params=params)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{path} {params}: {response.status_code} {response.text}")
    return times


async def main(total: int, seed: int, keep: bool, reuse: str | None) -> None:
    postgres = PostgresServer.acquire()
    database = reuse or await postgres.create_database("bench_scale")
    url = postgres.url_for(database)
    private, public = generate_keypair()
    token = issue_identity_token(
        Identity(subject="bench", permissions=("inventory:read",), sites=(ALL_SITES,)),
        private,
        ttl=timedelta(hours=4),
    )
    server = None
    try:
        await asyncio.to_thread(upgrade, MIGRATIONS, url)
        conn = await asyncpg.connect(postgres.url_for(database, driver="postgresql"))
        if reuse:
            total = await conn.fetchval("SELECT count(*) FROM batch")
            await conn.execute("VACUUM ANALYZE batch")
            print(f"reusing {database}: {total:,} batches")
        else:
            started = time.perf_counter()
            await load_batches(conn, total, seed)
            print(f"loaded {total:,} batches in {time.perf_counter() - started:.0f} s")
        rng = random.Random(seed + 1)
        lists = await list_params(conn, rng)
        ids = [r["id"] for r in await conn.fetch(
            "SELECT id FROM batch TABLESAMPLE SYSTEM (1) LIMIT 600")]  # fmt: skip
        sizes = await conn.fetchrow(
            "SELECT pg_size_pretty(pg_total_relation_size('batch')) AS batch,"
            " pg_size_pretty(pg_total_relation_size('movement')) AS movement"
        )
        await conn.close()
        port = free_port()
        env = {**os.environ, "INVENTORY_DATABASE_URL": url, "CANOPY_IDENTITY_PUBLIC_KEY": public,
               "LOG_LEVEL": "WARNING", "OTEL_TRACES_EXPORTER": "none"}  # fmt: skip
        command = [sys.executable, "-m", "inventory", "api", "--port", str(port)]
        server = await asyncio.to_thread(subprocess.Popen, command, env=env)
        base = f"http://127.0.0.1:{port}"
        await asyncio.to_thread(wait_healthy, base, server, seconds=30)
        async with httpx.AsyncClient(
            base_url=base, headers={IDENTITY_HEADER: token}, timeout=60
        ) as client:
            warm = [("/v1/batches/enhanced", p) for p in lists[:100]] + [
                (f"/v1/batches/{i}/detail", {}) for i in ids[:100]
            ]
            await measure(client, warm, "warming up")
            list_times = await measure(
                client, [("/v1/batches/enhanced", p) for p in lists[100:]], "enhanced list"
            )
            detail_times = await measure(
                client, [(f"/v1/batches/{i}/detail", {}) for i in ids[100:]], "batch detail"
            )
            everything = [
                {"sortBy": rng.choice(SORTS), "sortOrder": "desc", "status": "LIVE"}
                for _ in range(50)
            ]
            all_sites = await measure(
                client, [("/v1/batches/enhanced", p) for p in everything], "all sites"
            )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if not keep and not reuse:
            await postgres.drop_database(database)
            print(postgres.release())
        else:
            print(f"kept database {database}")

    l50, l95, l99 = percentiles(list_times)
    d50, d95, d99 = percentiles(detail_times)
    a50, a95, _ = percentiles(all_sites)
    print(f"data: {total:,} batches ({sizes['batch']} with indexes), ledger {sizes['movement']}")
    print(f"enhanced list, first page of one site, varied filter and sort, with its summary"
          f" ({len(list_times)} requests): p50 {l50:.1f} ms, p95 {l95:.1f} ms, p99 {l99:.1f} ms (target p95 < 50 ms)")  # fmt: skip
    print(f"batch detail ({len(detail_times)} requests): p50 {d50:.1f} ms, p95 {d95:.1f} ms, p99 {d99:.1f} ms"
          " (target p95 < 20 ms)")  # fmt: skip
    print(f"for comparison, an identity granted every site listing LIVE batches of all sites: p50 {a50:.1f} ms,"
          f" p95 {a95:.1f} ms")  # fmt: skip
    print(f"inventory-scale: {total} batches, list p95 {l95:.0f} ms, detail p95 {d95:.0f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--batches", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the database (for EXPLAIN)")
    parser.add_argument("--reuse", metavar="DATABASE", help="measure a database kept before")
    args = parser.parse_args()
    asyncio.run(main(args.batches, args.seed, args.keep, args.reuse))
