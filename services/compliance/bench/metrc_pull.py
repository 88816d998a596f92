"""Benchmark: a full pull of 5,000 active packages from the Metrc sandbox through MetrcClient.

Run from the repository root::

    uv run python services/compliance/bench/metrc_pull.py

The sandbox is started on a free port with Metrc's documented limits (page size 20, 50 GET/s and
10 concurrent GETs per facility) and 200 ms of latency per request. No client can do better than
``pages / min(rate, concurrency / latency)``; the last line reports how close this one gets:

    metrc-pull: 5000 packages in <s> s, bound <s> s, ratio <r>
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import time

from compliance.adapters.metrc import MetrcClient, MetrcCredentials, PullProgress
from compliance.adapters.metrc.testing import SandboxProcess, default_seed
from pydantic import SecretStr
from tqdm import tqdm

LICENSE = "SF-SBX-CO-21-8002"


async def run(packages: int, latency_ms: int, rate: float, concurrency: int) -> float:
    with SandboxProcess() as sandbox:
        await sandbox.reset(default_seed(LICENSE, packages=0, package_tags=0, plant_tags=0))
        await sandbox.bulk_packages(
            license_number=LICENSE,
            count=packages,
            item="Blue Dream Flower",
            quantity="10.0",
            unit_of_measure="Grams",
            location="Vault",
        )
        await sandbox.configure(
            latency_ms=latency_ms,
            jitter_ms=0,
            get_rate_per_facility=rate,
            concurrency_per_facility=concurrency,
            max_page_size=20,
            rate_limits_enabled=True,
        )
        client = MetrcClient(
            base_url=sandbox.base_url,
            credentials=MetrcCredentials(
                vendor_key=SecretStr("vendor-key"), user_key=SecretStr("user-key")
            ),
        )
        bar = tqdm(total=0, unit="page", desc="metrc pull", file=sys.stderr)

        def on_progress(progress: PullProgress) -> None:
            if bar.total != progress.total:
                bar.total = progress.total
            bar.n = progress.done
            bar.set_postfix(packages=progress.records, refresh=False)
            bar.refresh()

        async with client:
            started = time.perf_counter()
            pulled = await client.list_packages(LICENSE, "active", on_progress=on_progress)
            elapsed = time.perf_counter() - started
        bar.close()

        distinct = {p.id for p in pulled}
        if len(pulled) != packages or len(distinct) != packages:
            raise SystemExit(
                f"expected {packages} distinct packages, got {len(pulled)} ({len(distinct)} distinct)"
            )
        counters = (await sandbox.state())["requests"].get("GET /packages/v2/active", {})

    pages = math.ceil(packages / 20)
    bound = pages / min(rate, concurrency / (latency_ms / 1000))
    ratio = elapsed / bound
    print(
        f"pages: {pages}, requests: {counters.get('requests')}, statuses: {counters.get('statuses')}"
    )
    print(
        f"elapsed: {elapsed:.2f} s; lower bound: {pages} pages / min({rate:g}/s, {concurrency}/{latency_ms / 1000:g}s) = {bound:.2f} s"
    )
    print(
        f"metrc-pull: {packages} packages in {elapsed:.2f} s, bound {bound:.2f} s, ratio {ratio:.2f}"
    )
    return ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", type=int, default=5000)
    parser.add_argument("--latency-ms", type=int, default=200)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--concurrency", type=int, default=10)
    args = parser.parse_args()
    asyncio.run(run(args.packages, args.latency_ms, args.rate, args.concurrency))


if __name__ == "__main__":
    main()
