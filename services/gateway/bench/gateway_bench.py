"""Benchmark of the gateway in front of the inventory service (``make bench-gateway``).

Both services run as in production (``python -m inventory api``, ``python -m gateway api``: one
uvicorn worker each, uvloop, httptools) on the test PostgreSQL, set up as the inventory's own
benchmark is (``services/inventory/bench/adjust_bench.py``): 640 LIVE batches, and wrk (a C load
generator in its own process) with 64 connections posting adjustments (+1, -1, ...) round robin
over the batches, so the requests in flight are on distinct batches, for a fixed time:

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
import re
import resource
import statistics
import subprocess
import sys
import tempfile
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
from shared.testing.processes import cpu_seconds, ensure_wrk, free_port, wait_healthy

CLIENTS = 64
BATCHES = 640
ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "benchmark admin password"


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


@dataclass
class RunResult:
    label: str
    rate: float
    p50_ms: float
    p99_ms: float
    failures: int
    cpu_ms: dict[str, float]

    def line(self) -> str:
        cpu = ", ".join(f"{k} {v:.2f}" for k, v in self.cpu_ms.items())
        return (
            f"{self.label:<24} {self.rate:6.0f} adj/s   p50 {self.p50_ms:6.1f} ms"
            f"   p99 {self.p99_ms:6.1f} ms   non-2xx {self.failures}   CPU ms/adj: {cpu}"
        )


WRK_SCRIPT = """
local ids = {%(ids)s}
local headers = {["Content-Type"] = "application/json", ["%(header)s"] = "%(value)s"}
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("first", (threads - 1) * math.floor(#ids / 2))
end
function init(args)
  n = first
end
request = function()
  n = n + 1
  local sign = (math.floor(n / #ids) %% 2 == 0) and "1" or "-1"
  local body = '{"adjustment":"' .. sign .. '","reason":"COUNT_DISCREPANCY"}'
  return wrk.format("POST", "%(prefix)s/batches/" .. ids[(n %% #ids) + 1] .. "/adjustments",
                    headers, body)
end
"""


def write_script(
    folder: Path, name: str, batches: list[str], prefix: str, header: tuple[str, str]
) -> Path:
    script = folder / f"{name}.lua"
    script.write_text(
        WRK_SCRIPT
        % {
            "ids": ",".join(f'"{b}"' for b in batches),
            "header": header[0],
            "value": header[1],
            "prefix": prefix,
        }
    )
    return script


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def wrk_run(wrk: str, base: str, script: Path, seconds: float) -> tuple[float, float, float, int]:
    out = subprocess.run(
        [wrk, "-t2", f"-c{CLIENTS}", f"-d{int(seconds)}s", "--latency", "-s", str(script), base],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(_find(r"Requests/sec:\s+([\d.]+)", out))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)

    def percentile(label: str) -> float:
        match = re.search(rf"\s{label}%\s+([\d.]+)(us|ms|s)\b", out)
        if match is None:
            raise RuntimeError(f"no {label}th percentile in wrk's output:\n{out}")
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    return rate, percentile("50"), percentile("99"), int(bad.group(1)) if bad else 0


def _find(pattern: str, text: str) -> str:
    match = re.search(pattern, text)
    if match is None:
        raise RuntimeError(f"{pattern!r} not in wrk's output:\n{text}")
    return match.group(1)


async def load(
    label: str,
    wrk: str,
    base: str,
    script: Path,
    *,
    warmup: float,
    duration: float,
    processes: dict[str, int],
) -> RunResult:
    """A warm-up run, then a measured one, with the CPU each process spent meanwhile."""
    await asyncio.to_thread(wrk_run, wrk, base, script, warmup)
    before = {name: cpu_seconds(pid) for name, pid in processes.items()}
    wrk_before = children_cpu_seconds()
    rate, p50, p99, failures = await asyncio.to_thread(wrk_run, wrk, base, script, duration)
    spent = {name: cpu_seconds(pid) - before[name] for name, pid in processes.items()}
    spent["wrk"] = children_cpu_seconds() - wrk_before
    adjustments = max(rate * duration, 1)
    return RunResult(
        label,
        rate,
        p50,
        p99,
        failures,
        {name: 1000 * used / adjustments for name, used in spent.items()},
    )


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
        slots = asyncio.Semaphore(8)

        async def one(n: int) -> str:
            async with slots:
                return await live_batch(n)

        async def live_batch(n: int) -> str:
            intake = await post(
                "/api/v1/batches/intake",
                {
                    "siteId": site["id"],
                    "vendor": {"name": "Bench Farms"},
                    "brand": {"name": "Bench"},
                    "product": {"name": "Bench 1g", "category": "Vape", "unitOfMeasure": "Each"},
                    "lot": {"code": "BENCH"},
                    "location": {"zone": "Vault"},
                    "code": f"BENCH-{n:04d}",
                    "quantity": "1000.0000",
                    "cogsMode": "FIXED",
                    "unitCogs": "1.0000",
                    "paymentTerms": "NET_30",
                },
            )
            batch_id = str(intake["batch"]["id"])
            await post(f"/api/v1/batches/{batch_id}/status", {"status": "LIVE", "reason": "b"}, 200)
            return batch_id

        return list(await asyncio.gather(*(one(n) for n in range(BATCHES))))


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
            await asyncio.to_thread(wait_healthy, process.url, process.popen)

        async with (
            aiohttp.ClientSession() as session,
            session.post(
                gateways["aiohttp"].url + "/api/v1/auth/login",
                json={"email": "bench@canopy.example", "password": PASSWORD},
            ) as answer,
        ):
            tokens = await answer.json()
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
        signed = issue_identity_token(identity, private, ttl=timedelta(hours=1))
        wrk = ensure_wrk()
        scripts = {
            "direct": write_script(logs, "direct", batches, "/v1", (IDENTITY_HEADER, signed)),
            "gateway": write_script(
                logs,
                "gateway",
                batches,
                "/api/v1",
                ("Authorization", f"Bearer {tokens['access_token']}"),
            ),
        }
        print(
            f"{BATCHES} LIVE batches; wrk, {CLIENTS} connections, round robin over the batches;"
            f" {warmup:.0f} s warm-up and {duration:.0f} s measured per run; {rounds} rounds, the"
            " order reversed every other round so that drift of a shared machine hits all alike",
            flush=True,
        )
        me = {"inventory": inventory.popen.pid}
        targets: dict[str, tuple[str, Path, dict[str, int]]] = {
            "direct": (inventory.url, scripts["direct"], me),
            **{
                kind: (
                    gateways[kind].url,
                    scripts["gateway"],
                    {**me, "gateway": gateways[kind].popen.pid},
                )
                for kind in kinds
            },
        }
        results: dict[str, list[RunResult]] = {name: [] for name in targets}
        for round_number in range(rounds):
            order = list(targets) if round_number % 2 == 0 else list(reversed(targets))
            for name in order:
                base, script, watched = targets[name]
                label = "direct (inventory)" if name == "direct" else f"gateway ({name})"
                run = await load(
                    label,
                    wrk,
                    base,
                    script,
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
            p50 = statistics.median(r.p50_ms for r in runs)
            p99 = statistics.median(r.p99_ms for r in runs)
            ratio = statistics.median(
                r.rate / d.rate for r, d in zip(runs, direct_runs, strict=True)
            )
            cpu = {key: statistics.median(r.cpu_ms[key] for r in runs) for key in runs[0].cpu_ms}
            summary[name] = (rate, p99, ratio)
            print(
                f"  {name:<14} {rate:6.0f} adj/s   p50 {p50:6.1f} ms   p99 {p99:6.1f} ms"
                f"   ratio {ratio:.2f}   CPU ms/adj "
                + ", ".join(f"{k} {v:.2f}" for k, v in cpu.items()),
                flush=True,
            )
        failures = sum(r.failures for runs in results.values() for r in runs)
        if failures:
            print(f"WARNING: {failures} answers were not 2xx")
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
        print(postgres.release())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.duration, arguments.warmup, arguments.rounds))
