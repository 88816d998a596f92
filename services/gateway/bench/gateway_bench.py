"""Benchmark of the gateway in front of the inventory service (``make bench-gateway``).

Both services run as in production (``python -m inventory api``, ``python -m gateway api``: one
uvicorn worker each, uvloop, httptools) on the test PostgreSQL. 64 concurrent clients, each with
its own connection and its own batch, post adjustments (+1, -1, ...) for a fixed time:

* through the gateway, logged in with a bearer token: password login once, then every request
  is authenticated, authorised, validated, signed (identity token) and forwarded;
* straight to the inventory service, with an identity token the benchmark signs itself;

and the gateway once per forwarding client (aiohttp, httpx over httpx-aiohttp's transport, httpx
with its default transport), runs alternated so that drift of the machine hits all alike.

Last line: ``gateway-adjust: <adj/s> adj/s, p99 <ms> ms, direct <adj/s> adj/s, ratio <r>``, for
the gateway's default client, the ratio being gateway / direct (target: at least 0.7).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
from shared.identity import (
    ALL_SITES,
    IDENTITY_HEADER,
    Identity,
    generate_keypair,
    issue_identity_token,
)
from shared.migrations import upgrade
from shared.testing.infra import PostgresServer

CLIENTS = 64
ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "benchmark admin password"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Process:
    name: str
    url: str
    popen: subprocess.Popen[bytes]

    def stop(self) -> None:
        self.popen.terminate()
        try:
            self.popen.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.popen.kill()


async def wait_up(process: Process, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if process.popen.poll() is not None:
                raise RuntimeError(f"{process.name} exited ({process.popen.returncode})")
            try:
                async with session.get(process.url + "/healthz") as answer:
                    if answer.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"{process.name} did not start")


def spawn(name: str, module: str, env: dict[str, str], logs: Path) -> Process:
    port = free_port()
    log = (logs / f"{name}.log").open("wb")
    popen = subprocess.Popen(
        [sys.executable, "-m", module, "api", "--port", str(port)],
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    return Process(name=name, url=f"http://127.0.0.1:{port}", popen=popen)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class RunResult:
    label: str
    adjustments: int
    seconds: float
    latencies_ms: list[float]
    errors: int
    cpu_ms: dict[str, float] | None = None

    @property
    def rate(self) -> float:
        return self.adjustments / self.seconds

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def line(self) -> str:
        cpu = ""
        if self.cpu_ms:
            cpu = "   CPU ms/adj: " + ", ".join(f"{k} {v:.2f}" for k, v in self.cpu_ms.items())
        return (
            f"{self.label:<24} {self.rate:6.0f} adj/s   p50 {self.percentile(0.50):6.1f} ms"
            f"   p99 {self.percentile(0.99):6.1f} ms   errors {self.errors}{cpu}"
        )


async def load(
    label: str,
    base: str,
    prefix: str,
    headers: dict[str, str],
    batches: list[str],
    *,
    warmup: float,
    duration: float,
    processes: dict[str, int],
) -> RunResult:
    """CLIENTS workers, one connection and one batch each, as fast as answers come back."""
    latencies: list[float] = []
    errors = 0
    done = 0
    measuring = False
    stop = False

    async def client(batch_id: str) -> None:
        nonlocal errors, done
        connector = aiohttp.TCPConnector(limit=1)
        url = f"{base}{prefix}/batches/{batch_id}/adjustments"
        sign = 1
        async with aiohttp.ClientSession(connector=connector, headers=headers) as session:
            while not stop:
                body = {"adjustment": str(sign), "reason": "COUNT_DISCREPANCY"}
                sign = -sign
                started = time.perf_counter()
                async with session.post(url, json=body) as answer:
                    await answer.read()
                    ok = answer.status == 200
                if measuring:
                    if ok:
                        done += 1
                        latencies.append((time.perf_counter() - started) * 1000)
                    else:
                        errors += 1

    workers = [asyncio.create_task(client(b)) for b in batches]
    await asyncio.sleep(warmup)
    measuring = True
    began = time.perf_counter()
    cpu_before = {name: cpu_seconds(pid) for name, pid in processes.items()}
    await asyncio.sleep(duration)
    measuring = False
    cpu = {name: cpu_seconds(pid) - cpu_before[name] for name, pid in processes.items()}
    elapsed = time.perf_counter() - began
    stop = True
    await asyncio.gather(*workers)
    per_adjustment = {name: 1000 * used / max(done, 1) for name, used in cpu.items()}
    return RunResult(label, done, elapsed, latencies, errors, per_adjustment)


async def prepare(gateway: str, token: str) -> list[str]:
    auth = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(headers=auth) as session:

        async def post(path: str, body: dict[str, Any], status: int = 201) -> Any:
            async with session.post(gateway + path, json=body) as answer:
                payload = await answer.json()
                assert answer.status == status, payload
                return payload

        site = await post(
            "/api/v1/sites", {"name": "Bench", "licenseNumber": "BENCH-1", "state": "OR"}
        )
        batches = []
        for n in range(CLIENTS):
            intake = await post(
                "/api/v1/batches/intake",
                {
                    "siteId": site["id"],
                    "vendor": {"name": "Bench Farms"},
                    "brand": {"name": "Bench"},
                    "product": {"name": "Bench 1g", "category": "Vape", "unitOfMeasure": "Each"},
                    "lot": {"code": "BENCH"},
                    "location": {"zone": "Vault"},
                    "code": f"BENCH-{n:03d}",
                    "quantity": "1000.0000",
                    "cogsMode": "FIXED",
                    "unitCogs": "1.0000",
                    "paymentTerms": "NET_30",
                },
            )
            batch_id = intake["batch"]["id"]
            await post(f"/api/v1/batches/{batch_id}/status", {"status": "LIVE", "reason": "b"}, 200)
            batches.append(batch_id)
        return batches


async def main(duration: float, warmup: float, rounds: int) -> None:
    postgres = PostgresServer.acquire()
    inventory_db = await postgres.create_database("bench_inv")
    gateway_db = await postgres.create_database("bench_gw")
    private, public = generate_keypair()
    logs = Path(tempfile.mkdtemp(prefix="gateway-bench-"))
    processes: list[Process] = []
    try:
        await asyncio.to_thread(
            upgrade,
            ROOT / "services/inventory/src/inventory/migrations",
            postgres.url_for(inventory_db),
        )
        await asyncio.to_thread(
            upgrade, ROOT / "services/gateway/src/gateway/migrations", postgres.url_for(gateway_db)
        )
        common = {"CANOPY_ENV": "test", "OTEL_TRACES_EXPORTER": "none", "LOG_LEVEL": "WARNING"}
        inventory = spawn(
            "inventory",
            "inventory",
            {
                **common,
                "INVENTORY_DATABASE_URL": postgres.url_for(inventory_db),
                "CANOPY_IDENTITY_PUBLIC_KEY": public,
            },
            logs,
        )
        processes.append(inventory)
        gateway_env = {
            **common,
            "GATEWAY_DATABASE_URL": postgres.url_for(gateway_db),
            "GATEWAY_IDENTITY_PRIVATE_KEY": private,
            "INVENTORY_URL": inventory.url,
        }
        await asyncio.to_thread(
            subprocess.run,
            [
                sys.executable,
                "-m",
                "gateway",
                "create-admin",
                "--email",
                "bench@canopy.example",
                "--password-stdin",
            ],
            input=(PASSWORD + "\n").encode(),
            env={**os.environ, **gateway_env},
            check=True,
            capture_output=True,
            cwd=ROOT,
        )
        kinds = ("aiohttp", "httpx-aiohttp", "httpx")
        gateways = {
            kind: spawn(
                f"gateway-{kind}", "gateway", {**gateway_env, "GATEWAY_UPSTREAM_CLIENT": kind}, logs
            )
            for kind in kinds
        }
        processes.extend(gateways.values())
        for process in processes:
            await wait_up(process)

        async with (
            aiohttp.ClientSession() as session,
            session.post(
                gateways["aiohttp"].url + "/api/v1/auth/login",
                json={"email": "bench@canopy.example", "password": PASSWORD},
            ) as answer,
        ):
            tokens = await answer.json()
        bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
        batches = await prepare(gateways["aiohttp"].url, tokens["access_token"])
        identity = Identity(
            subject=tokens["user"]["id"],
            display_name="bench",
            roles=("Admin",),
            permissions=(
                "inventory:read",
                "inventory:create",
                "inventory:update",
                "inventory:delete",
            ),
            sites=(ALL_SITES,),
        )
        signed = {IDENTITY_HEADER: issue_identity_token(identity, private, ttl=timedelta(hours=1))}

        print(
            f"{CLIENTS} clients, one batch and one connection each; {warmup:.0f} s warm-up, "
            f"{duration:.0f} s measured per run; {rounds} rounds, the order reversed every other "
            "round so that drift of a shared machine hits all alike",
            flush=True,
        )
        me = {"load generator": os.getpid(), "inventory": inventory.popen.pid}
        targets: dict[str, tuple[str, str, dict[str, str], dict[str, int]]] = {
            "direct": (inventory.url, "/v1", signed, me),
            **{
                kind: (
                    gateways[kind].url,
                    "/api/v1",
                    bearer,
                    {**me, "gateway": gateways[kind].popen.pid},
                )
                for kind in kinds
            },
        }
        results: dict[str, list[RunResult]] = {name: [] for name in targets}
        for round_number in range(rounds):
            order = list(targets) if round_number % 2 == 0 else list(reversed(targets))
            for name in order:
                base, prefix, headers, watched = targets[name]
                label = "direct (inventory)" if name == "direct" else f"gateway ({name})"
                run = await load(
                    label,
                    base,
                    prefix,
                    headers,
                    batches,
                    warmup=warmup,
                    duration=duration,
                    processes=watched,
                )
                results[name].append(run)
                print(run.line(), flush=True)

        conn = await asyncpg.connect(postgres.url_for(inventory_db, driver="postgresql"))
        try:
            movements = await conn.fetchval("SELECT count(*) FROM movement")
            actors = await conn.fetch("SELECT DISTINCT performed_by FROM movement")
        finally:
            await conn.close()
        print(f"ledger: {movements} movements, actor(s): {sorted(r[0] for r in actors)}")

        direct_runs = results["direct"]
        print("medians over the rounds (ratio: gateway / direct of the same round):")
        summary: dict[str, tuple[float, float, float]] = {}
        for name in targets:
            runs = results[name]
            rate = statistics.median(r.rate for r in runs)
            p99 = statistics.median(r.percentile(0.99) for r in runs)
            ratio = statistics.median(
                r.rate / d.rate for r, d in zip(runs, direct_runs, strict=True)
            )
            cpu = {
                key: statistics.median((r.cpu_ms or {}).get(key, 0.0) for r in runs)
                for key in (runs[0].cpu_ms or {})
            }
            summary[name] = (rate, p99, ratio)
            print(
                f"  {name:<14} {rate:6.0f} adj/s   p99 {p99:6.0f} ms   ratio {ratio:.2f}   CPU ms/adj "
                + ", ".join(f"{k} {v:.2f}" for k, v in cpu.items())
            )
        rate, p99, ratio = summary["aiohttp"]
        print(
            f"gateway-adjust: {rate:.0f} adj/s, p99 {p99:.0f} ms, "
            f"direct {summary['direct'][0]:.0f} adj/s, ratio {ratio:.2f}"
        )
    finally:
        for process in processes:
            process.stop()
        await postgres.drop_database(inventory_db)
        await postgres.drop_database(gateway_db)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.duration, arguments.warmup, arguments.rounds))
