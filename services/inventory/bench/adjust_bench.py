"""Benchmark of adjustments through the inventory HTTP API, against the database's own limit
(``make bench-inventory``).

1. A fresh database on the test PostgreSQL (shared.testing.infra), migrated; the API as it is
   deployed, ``python -m inventory api --workers <cores>`` (uvloop, httptools; one process per
   core, each with its own socket on the port, see shared/api_workers.py), 20 database
   connections in all.
2. 640 LIVE batches taken in through the API.
3. Saturation: wrk (a C load generator, its own process) with 64 connections on 2 threads, each
   request an adjustment of one batch, alternately +1 and -1. Each wrk thread goes round robin
   over its own half of the 640 batches, so the 64 in-flight requests are on distinct batches
   (no optimistic write loses a race). Warm-up, then a measured run: adjustments/s and p50/p99
   latency from wrk; every response must be 200.

   Each connection waits 200 ms before its first request, so the server accepts all 64 while
   it is idle. Without that pause the measured run starts against a server that is already
   saturated by the first connections, and uvloop accepts one new connection per loop
   iteration: the last ones wait seconds for their first answer. That is a cold start (a
   gateway keeps its connections), and wrk's coordinated-omission correction spreads those
   few waits over the whole distribution (p99 several times the steady state's). The pause
   costs ~1 % of a 20 s run's adjustments/s.
4. The limit: pgbench, the same transaction written as SQL (lock the batch row, update it and
   its location row, insert the movement, the audit row and the outbox row, in one transaction,
   the deferred location check firing at commit), prepared statements, against the same
   PostgreSQL, with 4, 20 and 64 clients: the best rate is the limit.

5. Latency as users feel it: an open-loop run at a fixed offered rate of half the closed-loop
   rate just measured (open_loop.py, its own process): adjustments leave evenly spaced whether
   or not earlier ones were answered, and each one's latency counts from the moment it was
   meant to leave, so a slow moment is charged to every request that arrived during it
   (coordinated omission corrected). It also reports the service time from the actual send,
   how late the generator sent, and its own CPU per request.

Neither side runs the outbox relay (both leave their rows in the outbox). Last line:
``inventory-adjust: <adj/s> adj/s, p99 <ms> ms, pgbench <tx/s> tx/s, ratio <r>,
open-loop <rate>/s p99 <ms> ms``; targets: ratio >= 0.25, open-loop p99 < 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

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
from shared.testing.processes import cpu_seconds, free_port, tree_cpu_seconds, wait_healthy
from tqdm import tqdm

BATCHES = 640
CONNECTIONS = 64
WRK_THREADS = 2
# One API process per core, as the README advises for production, sharing 20 connections.
WORKERS = int(os.environ.get("BENCH_WORKERS", os.cpu_count() or 1))
POOL_CONNECTIONS = int(os.environ.get("BENCH_POOL", 20))
# The limit is PostgreSQL's best rate: on two cores 64 backends contend (measured: 890 tx/s at 64
# clients, 1,650 at 4), so the transaction is also run at the API's connection count and below.
PGBENCH_CLIENTS = (4, POOL_CONNECTIONS, CONNECTIONS)
MIGRATIONS = repo_root() / "services" / "inventory" / "src" / "inventory" / "migrations"

WRK_SCRIPT = """
local ids = {%(ids)s}
local token = "%(token)s"
local threads = %(threads)d
local per_thread = %(per_thread)d
local counter = 0
local started = 0
local sign = {"1", "-1"}
local next_thread = 0
-- Runs in wrk's main state, once per thread: thread k takes the batches k, k + threads, ...
function setup(thread)
  thread:set("tid", next_thread)
  next_thread = next_thread + 1
end
-- The first request of each connection waits until the server has accepted every connection.
function delay()
  if started < per_thread then
    started = started + 1
    return 200
  end
  return 0
end
request = function()
  local k = counter * threads + tid
  counter = counter + 1
  local id = ids[(k %% #ids) + 1]
  local body = '{"adjustment":"' .. sign[(math.floor(k / #ids) %% 2) + 1] ..
               '","reason":"REWEIGH"}'
  return wrk.format("POST", "/v1/batches/" .. id .. "/adjustments",
                    {["Content-Type"] = "application/json", ["%(header)s"] = token}, body)
end
"""

PGBENCH_SCRIPT = """
\\set n random(1, %(batches)d)
BEGIN;
SELECT b.id AS bid, b.on_hand_qty AS qty, b.version AS ver, b.primary_location_id AS loc
  FROM bench_batch x JOIN batch b ON b.id = x.id WHERE x.n = :n FOR UPDATE OF b \\gset
UPDATE batch SET on_hand_qty = on_hand_qty + 1, version = version + 1, updated_at = now()
  WHERE id = :bid AND version = :ver;
UPDATE batch_location SET qty = qty + 1, updated_at = now()
  WHERE batch_id = :bid AND location_id = :loc;
INSERT INTO movement (batch_id, batch_version, sequence, bucket, movement_type, quantity_change,
    quantity_before, quantity_after, location_id, adjustment_reason, performed_by, occurred_at)
  VALUES (:bid, :ver + 1, 0, 'ON_HAND', 'ADJUSTMENT', 1, (:qty)::numeric, (:qty)::numeric + 1, :loc, 'REWEIGH',
          'bench', now());
INSERT INTO audit_log (entity_type, entity_id, action, performed_by, occurred_at, reason, version,
    changes) VALUES ('batch', :bid, 'ADJUST_QTY', 'bench', now(), 'REWEIGH', :ver + 1,
    '{"onHandQty": {"before": "100.0000", "after": "101.0000"}}');
INSERT INTO outbox (event_id, topic, message_key, payload, headers)
  SELECT gen_random_uuid(), topic, :bid, payload, headers FROM outbox WHERE id = %(sample)d;
COMMIT;
"""


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        raise SystemExit("wrk is missing: sudo apt-get install -y wrk")
    print("installing wrk from Debian's packages ...")
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, capture_output=True)
    return shutil.which("wrk") or "wrk"


async def seed(base: str, token: str) -> list[str]:
    headers = {IDENTITY_HEADER: token}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as client:
        site = (
            await client.post(
                "/v1/sites", json={"name": "Bench", "licenseNumber": "B-1", "state": "OR"}
            )
        ).json()
        location = (
            await client.post(f"/v1/sites/{site['id']}/locations", json={"zone": "Bench"})
        ).json()
        body = {
            "siteId": site["id"],
            "vendor": {"name": "Bench Farms"},
            "brand": {"name": "Bench"},
            "product": {
                "name": "Bench OG",
                "category": "Flower",
                "strain": "OG",
                "unitOfMeasure": "Grams",
            },
            "lot": {"code": "L-1"},
            "location": {"id": location["id"]},
            "quantity": "100000.0000",
            "cogsMode": "FIXED",
            "unitCogs": "2.5000",
            "paymentTerms": "NET_30",
        }
        ids: list[str] = []
        gate = asyncio.Semaphore(8)

        async def one(n: int) -> None:
            async with gate:
                response = await client.post(
                    "/v1/batches/intake", json={**body, "code": f"BENCH-{n:05d}"}
                )
                batch_id = response.json()["batch"]["id"]
                live = await client.post(
                    f"/v1/batches/{batch_id}/status", json={"status": "LIVE", "reason": "bench"}
                )
                assert live.status_code == 200, live.text
                ids.append(batch_id)

        with tqdm(total=BATCHES, desc="taking batches in through the API", unit="batch") as bar:
            for chunk in range(0, BATCHES, 64):
                await asyncio.gather(*(one(n) for n in range(chunk, min(chunk + 64, BATCHES))))
                bar.update(min(64, BATCHES - chunk))
        return ids


def postgres_cpu_seconds() -> float:
    """CPU time used so far by every PostgreSQL process of the machine (backends included)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() == "postgres":
                total += cpu_seconds(int(entry.name))
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def run_wrk(wrk: str, base: str, script: Path, seconds: int) -> tuple[float, float, float, int]:
    out = subprocess.run(
        [
            wrk,
            f"-t{WRK_THREADS}",
            f"-c{CONNECTIONS}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            str(script),
            base,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    if os.environ.get("BENCH_VERBOSE"):
        print(out)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    failures = int(bad.group(1)) if bad else 0
    if errors:
        print(f"wrk: {errors.group(0)}")

    def pct(label: str) -> float:
        value, unit = re.search(rf"\s{label}%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    return rate, pct("50"), pct("99"), failures


def run_open_loop(
    port: int, token: str, ids: list[str], rate: float, seconds: int
) -> dict[str, Any]:
    """The open-loop generator (open_loop.py, its own process) at ``rate`` adjustments/s."""
    requests = []
    for k in range(2 * len(ids)):
        body = json.dumps({"adjustment": ("1", "-1")[(k // len(ids)) % 2], "reason": "REWEIGH"})
        requests.append(
            f"POST /v1/batches/{ids[k % len(ids)]}/adjustments HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
            f"{IDENTITY_HEADER}: {token}\r\nContent-Length: {len(body)}\r\n\r\n{body}"
        )
    config = {
        "host": "127.0.0.1",
        "port": port,
        "requests": requests,
        "rate": rate,
        "seconds": seconds,
        "connections": CONNECTIONS,
    }
    completed = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("open_loop.py"))],
        input=json.dumps(config),
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(completed.stdout)
    return result


def run_pgbench(dsn: str, script: Path, seconds: int, clients: int) -> float:
    url = urlparse(dsn)
    env = {**os.environ, "PGPASSWORD": url.password or ""}
    completed = subprocess.run(
        [
            "pgbench", "-n", "-M", "prepared", f"-c{clients}", "-j2", f"-T{seconds}",
            "-f", str(script), "-h", url.hostname or "127.0.0.1", "-p", str(url.port or 5432),
            "-U", url.username or "postgres", url.path.lstrip("/"),
        ],
        check=False,
        capture_output=True,
        text=True,
        env=env,
    )  # fmt: skip
    if completed.returncode != 0:
        raise SystemExit(f"pgbench failed:\n{completed.stdout}\n{completed.stderr}")
    out = completed.stdout
    match = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out) or re.search(
        r"tps = ([\d.]+)", out
    )
    if match is None:
        raise SystemExit(f"could not read pgbench's output:\n{out}")
    return float(match.group(1))


async def main(seconds: int) -> None:
    wrk = ensure_wrk()
    postgres = PostgresServer.acquire()
    database = await postgres.create_database("bench_adjust")
    dsn = postgres.url_for(database, driver="postgresql")
    private, public = generate_keypair()
    admin = Identity(
        subject="bench",
        permissions=("inventory:read", "inventory:create", "inventory:update"),
        sites=(ALL_SITES,),
    )
    token = issue_identity_token(admin, private, ttl=timedelta(hours=2))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = None
    try:
        await asyncio.to_thread(upgrade, MIGRATIONS, postgres.url_for(database))
        env = {
            **os.environ,
            "INVENTORY_DATABASE_URL": postgres.url_for(database),
            "CANOPY_IDENTITY_PUBLIC_KEY": public,
            "LOG_LEVEL": "WARNING",
            "OTEL_TRACES_EXPORTER": "none",
            "INVENTORY_DATABASE_POOL_SIZE": str(max(1, POOL_CONNECTIONS // WORKERS)),
        }
        command = [
            sys.executable, "-m", "inventory", "api", "--workers", str(WORKERS), "--port", str(port),
        ]  # fmt: skip
        if os.environ.get("BENCH_SERVER_COMMAND"):  # e.g. a profiler wrapping the same app
            command = [sys.executable, *os.environ["BENCH_SERVER_COMMAND"].split(), str(port)]
        server = await asyncio.to_thread(subprocess.Popen, command, env=env)
        await asyncio.to_thread(wait_healthy, base, server, seconds=30)
        ids = await seed(base, token)
        with tempfile.TemporaryDirectory() as tmp:
            lua = Path(tmp) / "adjust.lua"
            lua.write_text(
                WRK_SCRIPT
                % {
                    "ids": ",".join(json.dumps(i) for i in ids),
                    "token": token,
                    "header": IDENTITY_HEADER,
                    "threads": WRK_THREADS,
                    "per_thread": CONNECTIONS // WRK_THREADS,
                }
            )
            print(f"warming up for 5 s, then {seconds} s with {CONNECTIONS} connections ...")
            run_wrk(wrk, base, lua, 5)
            cpu_before, pg_before = tree_cpu_seconds(server.pid), postgres_cpu_seconds()
            rate, p50, p99, failures = run_wrk(wrk, base, lua, seconds)
            server_cpu = (tree_cpu_seconds(server.pid) - cpu_before) / seconds
            api_pg_cpu = (postgres_cpu_seconds() - pg_before) / seconds
            if failures:
                raise SystemExit(f"{failures} adjustments were refused: the benchmark is invalid")
            offered = rate / 2
            print(
                f"open loop: {offered:.0f} adjustments/s offered (half the closed-loop rate),"
                f" evenly spaced, for {seconds} s ..."
            )
            cpu_before, pg_before = tree_cpu_seconds(server.pid), postgres_cpu_seconds()
            opened = await asyncio.to_thread(run_open_loop, port, token, ids, offered, seconds)
            open_server_cpu = (tree_cpu_seconds(server.pid) - cpu_before) / opened["requests"]
            open_pg_cpu = (postgres_cpu_seconds() - pg_before) / opened["requests"]
            if set(opened["statuses"]) != {"200"}:
                raise SystemExit(f"open loop: answers {opened['statuses']}: the run is invalid")
            server.send_signal(signal.SIGINT)
            server.wait(timeout=60)
            server = None
            import asyncpg

            conn = await asyncpg.connect(dsn)
            await conn.execute(
                "CREATE TABLE bench_batch AS SELECT row_number() OVER (ORDER BY id)::int AS n, id FROM batch;"
                " CREATE UNIQUE INDEX ON bench_batch (n)"
            )
            sample = await conn.fetchval("SELECT max(id) FROM outbox")
            size = await conn.fetchval("SELECT avg(length(payload::text))::int FROM outbox")
            await conn.close()
            sql = Path(tmp) / "adjust.sql"
            sql.write_text(PGBENCH_SCRIPT % {"batches": len(ids), "sample": sample})
            rates = {}
            for clients in PGBENCH_CLIENTS:
                print(
                    f"pgbench: the same transaction in SQL ({size}-byte events),"
                    f" {clients} clients, {seconds // 2} s ..."
                )
                rates[clients] = run_pgbench(dsn, sql, seconds // 2, clients)
            best = max(rates, key=rates.__getitem__)
            tps = rates[best]
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        await postgres.drop_database(database)

    ratio = rate / tps
    print(
        f"API: {rate:,.0f} adjustments/s over HTTP, latency p50 {p50:.1f} ms, p99 {p99:.1f} ms, every response 200"
    )
    print(
        f"CPU per adjustment: API ({WORKERS} workers) {server_cpu / rate * 1000:.2f} ms"
        f" ({server_cpu:.0%} of a core), PostgreSQL {api_pg_cpu / rate * 1000:.2f} ms"
    )
    print(
        "pgbench: "
        + ", ".join(f"{rate:,.0f} tx/s with {clients} clients" for clients, rate in rates.items())
    )
    print(
        f"limit: pgbench runs the same transaction at {tps:,.0f} tx/s at best ({best} clients;"
        f" the API reaches {ratio:.0%} of it)"
    )
    print(
        f"closed loop: {CONNECTIONS} clients that each wait for their answer see a mean of"
        f" {CONNECTIONS} / {rate:,.0f} per s = {CONNECTIONS / rate * 1000:.0f} ms: queueing at a"
        " saturated machine, not the service time; the open loop below measures that"
    )
    latency, service, late = (
        opened["latency_ms"],
        opened["service_ms"],
        opened["send_lateness_ms"],
    )
    open_p99 = latency["p99"]
    print(
        f"open loop at {offered:.0f}/s offered ({opened['achieved_rate']:.0f}/s answered, every"
        f" response 200): latency from the intended send time p50 {latency['p50']:.1f} ms,"
        f" p90 {latency['p90']:.1f} ms, p99 {open_p99:.1f} ms, p99.9 {latency['p99.9']:.1f} ms,"
        f" max {latency['max']:.1f} ms"
    )
    print(
        f"  service time (from the actual send) p50 {service['p50']:.1f} ms, p99"
        f" {service['p99']:.1f} ms; sends left late by p99 {late['p99']:.2f} ms, max"
        f" {late['max']:.1f} ms; {opened['most_in_flight']} in flight at most,"
        f" {opened['connections_opened']} connections"
    )
    print(
        f"  CPU per adjustment: API {open_server_cpu * 1000:.2f} ms, PostgreSQL"
        f" {open_pg_cpu * 1000:.2f} ms, the generator itself"
        f" {opened['cpu_ms_per_request']:.3f} ms"
    )
    print(
        f"targets: ratio >= 0.25 {'met' if ratio >= 0.25 else 'MISSED'},"
        f" open-loop p99 < 50 ms {'met' if open_p99 < 50 else 'MISSED'}"
    )
    print(
        f"inventory-adjust: {rate:.0f} adj/s, p99 {p99:.0f} ms, pgbench {tps:.0f} tx/s,"
        f" ratio {ratio:.2f}, open-loop {offered:.0f}/s p99 {open_p99:.0f} ms"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS", 20)))
    args = parser.parse_args()
    started = time.perf_counter()
    asyncio.run(main(args.seconds))
