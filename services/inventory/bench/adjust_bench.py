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
import itertools
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import astuple, dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
from shared.contracts import inventory as api
from shared.identity import (
    ALL_SITES,
    IDENTITY_HEADER,
    Identity,
    generate_keypair,
    issue_identity_token,
)
from shared.migrations import upgrade
from shared.testing.infra import PostgresServer, repo_root
from shared.testing.processes import children, ensure_wrk, free_port, wait_healthy
from tqdm import tqdm

BATCHES = 640
CORES = os.cpu_count() or 1
OPEN_LOOP_P99_MS = 50.0
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
        # The intake the contract documents, at the bench's site and location, with stock enough.
        body = {
            **api.IntakeRequest.model_json_schema()["examples"][0],
            "siteId": site["id"],
            "location": {"id": location["id"]},
            "quantity": "100000.0000",
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


def postmaster_pid(data_directory: str) -> int:
    """The bench server's postmaster: only its processes count as PostgreSQL's work (other
    servers on this machine, other checkouts' tests among them, are somebody else's load)."""
    return int((Path(data_directory) / "postmaster.pid").read_text().split()[0])


def _tree(pid: int) -> list[int]:
    try:
        return [pid, *(p for child in children(pid) for p in _tree(child))]
    except FileNotFoundError:
        return []


def _schedstat(pid: int) -> tuple[float, float]:
    """CPU time and time spent runnable but waiting for a CPU (s), over a process's threads."""
    cpu = wait = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            ran, waited, _ = (task / "schedstat").read_text().split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        cpu, wait = cpu + int(ran), wait + int(waited)
    return cpu / 1e9, wait / 1e9


def _runnable() -> int:
    """Threads of the whole machine running or waiting for a CPU right now."""
    line = next(x for x in Path("/proc/stat").read_text().split("\n") if x.startswith("procs_r"))
    return int(line.split()[1])


def _machine_busy() -> float:
    """CPU seconds the whole machine has spent busy so far (every process, every tenant)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Usage:
    """CPU and run-queue waiting (s) so far: the API's processes, PostgreSQL's, the machine."""

    api_cpu: float
    api_wait: float
    pg_cpu: float
    pg_wait: float
    machine: float
    generator_cpu: float = 0.0
    generator_wait: float = 0.0

    @classmethod
    def now(cls, api: int, postmaster: int, generator: int | None = None) -> Usage:
        def total(root: int | None) -> tuple[float, float]:
            pairs = [_schedstat(pid) for pid in _tree(root)] if root else []
            return sum(c for c, _ in pairs), sum(w for _, w in pairs)

        return cls(*total(api), *total(postmaster), _machine_busy(), *total(generator))

    def others(self) -> float:
        """What processes other than this benchmark's used of the machine."""
        return self.machine - self.api_cpu - self.pg_cpu - self.generator_cpu

    def per(self, seconds: float) -> Usage:
        return Usage(*(value / seconds for value in astuple(self)))

    @staticmethod
    def mean(usages: list[Usage]) -> Usage:
        return Usage(
            *(sum(values) / len(usages) for values in zip(*map(astuple, usages), strict=True))
        )

    def __sub__(self, other: Usage) -> Usage:
        return Usage(*(a - b for a, b in zip(astuple(self), astuple(other), strict=True)))


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
    port: int, token: str, ids: list[str], rate: float, seconds: int, api: int, postmaster: int
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
    generator = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("open_loop.py"))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    sampler = Sampler(api, postmaster, generator.pid)
    sampler.start()
    out, _ = generator.communicate(json.dumps(config))
    sampler.stop()
    if generator.returncode != 0:
        raise SystemExit(f"the open-loop generator failed ({generator.returncode})")
    result: dict[str, Any] = json.loads(out)
    result["samples"] = sampler.samples
    return result


class Sampler(threading.Thread):
    """What the machine was doing, every 200 ms: CPU and run-queue waiting of the API, of
    PostgreSQL and of the generator, and the whole machine's busy time."""

    def __init__(self, api: int, postmaster: int, generator: int) -> None:
        super().__init__(daemon=True)
        self.pids = (api, postmaster, generator)
        self.samples: list[tuple[float, Usage, int]] = []
        self._finished = threading.Event()

    def run(self) -> None:
        while not self._finished.is_set():
            self.samples.append((time.perf_counter(), Usage.now(*self.pids), _runnable()))
            self._finished.wait(0.2)

    def stop(self) -> None:
        self._finished.set()
        self.join()


def where_the_time_went(opened: dict[str, Any], limit_ms: float) -> list[str]:
    """Lines comparing the 200 ms intervals in which some request took over ``limit_ms``
    with the others: the machine's load, ours and other processes', and CPU waits."""
    timeline: list[list[float]] = opened["timeline"]
    slow: list[tuple[Usage, float]] = []
    calm: list[tuple[Usage, float]] = []
    samples = opened["samples"]
    for (start, first, queued), (end, last, queued_after) in itertools.pairwise(samples):
        latencies = [latency for at, latency in timeline if start <= at < end]
        if latencies:
            (slow if max(latencies) > limit_ms else calm).append(
                ((last - first).per(end - start), (queued + queued_after) / 2)
            )
    lines = []
    for name, group in (("with a request over", slow), ("all under", calm)):
        if not group:
            continue
        mean = Usage.mean([usage for usage, _ in group])
        runnable = sum(queued for _, queued in group) / len(group)
        lines.append(
            f"  {len(group)} intervals of 200 ms {name} {limit_ms:.0f} ms: machine"
            f" {mean.machine / CORES:.0%} busy, {runnable:.1f} threads runnable for its"
            f" {CORES} cores, other processes {mean.others():.2f} cores;"
            f" per second the API ran {mean.api_cpu * 1000:.0f} ms and waited"
            f" {mean.api_wait * 1000:.0f} ms for a CPU, PostgreSQL ran {mean.pg_cpu * 1000:.0f}"
            f" ms and waited {mean.pg_wait * 1000:.0f} ms, the generator waited"
            f" {mean.generator_wait * 1000:.0f} ms"
        )
    return lines


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
    load_at_start = os.getloadavg()
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
        import asyncpg

        probe = await asyncpg.connect(dsn)
        postmaster = postmaster_pid(await probe.fetchval("SHOW data_directory"))
        await probe.close()
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
        # On a busy shared machine importing the app alone has taken over 30 s.
        await asyncio.to_thread(wait_healthy, base, server, seconds=120)
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
            before, started = Usage.now(server.pid, postmaster), time.perf_counter()
            rate, p50, p99, failures = run_wrk(wrk, base, lua, seconds)
            closed = Usage.now(server.pid, postmaster) - before
            closed_wall = time.perf_counter() - started
            if failures:
                raise SystemExit(f"{failures} adjustments were refused: the benchmark is invalid")
            offered = rate / 2
            print(
                f"open loop: {offered:.0f} adjustments/s offered (half the closed-loop rate),"
                f" evenly spaced, for {seconds} s ..."
            )
            before, started = Usage.now(server.pid, postmaster), time.perf_counter()
            opened = await asyncio.to_thread(
                run_open_loop, port, token, ids, offered, seconds, server.pid, postmaster
            )
            spent = Usage.now(server.pid, postmaster) - before
            # Longer than ``seconds``: connecting first, and the last answers after the schedule.
            open_wall = time.perf_counter() - started
            if set(opened["statuses"]) != {"200"}:
                raise SystemExit(f"open loop: answers {opened['statuses']}: the run is invalid")
            server.send_signal(signal.SIGINT)
            server.wait(timeout=60)
            server = None
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
        print(postgres.release())

    ratio = rate / tps
    print(
        f"machine: {CORES} cores shared with other work; load average at the start"
        f" {load_at_start[0]:.1f}, at the end {os.getloadavg()[0]:.1f}"
    )
    print(
        f"API: {rate:,.0f} adjustments/s over HTTP, latency p50 {p50:.1f} ms, p99 {p99:.1f} ms, every response 200"
    )
    done = rate * seconds
    print(
        f"CPU per adjustment: API ({WORKERS} workers) {closed.api_cpu / done * 1000:.2f} ms"
        f" ({closed.api_cpu / closed_wall:.0%} of a core), PostgreSQL"
        f" {closed.pg_cpu / done * 1000:.2f} ms; the machine was"
        f" {closed.machine / closed_wall / CORES:.0%} busy"
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
    n = opened["requests"]
    ours = spent.api_cpu + spent.pg_cpu + opened["cpu_seconds"]
    print(
        f"  per adjustment: API CPU {spent.api_cpu / n * 1000:.2f} ms and"
        f" {spent.api_wait / n * 1000:.2f} ms waiting for a CPU; PostgreSQL CPU"
        f" {spent.pg_cpu / n * 1000:.2f} ms and {spent.pg_wait / n * 1000:.2f} ms waiting;"
        f" the generator's CPU {opened['cpu_ms_per_request']:.3f} ms"
    )
    print(
        f"  the machine ({CORES} cores) was {spent.machine / open_wall / CORES:.0%} busy:"
        f" {ours / open_wall:.2f} cores for this benchmark,"
        f" {(spent.machine - ours) / open_wall:.2f} cores for other processes"
    )
    if open_p99 >= OPEN_LOOP_P99_MS:
        print("where the time went, interval by interval:")
        for line in where_the_time_went(opened, OPEN_LOOP_P99_MS):
            print(line)
    print(
        f"targets: ratio >= 0.25 {'met' if ratio >= 0.25 else 'MISSED'},"
        f" open-loop p99 < {OPEN_LOOP_P99_MS:.0f} ms"
        f" {'met' if open_p99 < OPEN_LOOP_P99_MS else 'MISSED'}"
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
