"""Benchmark: a full pull sync of 5,000 packages, 2,000 plants and 200 harvests from the Metrc
sandbox into the mirror on PostgreSQL, under Metrc's GET limits.

Run from the repository root (``make bench-metrc-sync``)::

    uv run python services/compliance/bench/metrc_sync_bench.py

The sandbox is seeded through Metrc's own write API (plantings, growth phase, harvests; the
packages in bulk), then set to Metrc's documented limits (page size 20, 50 GET/s and 10 GETs in
flight per facility) and ``--latency-ms`` per request. The pull reads every list of the three
sync types the guide names (packages active, inactive, on hold, in transit; plants vegetative,
flowering, inactive; harvests active, inactive), each empty list still one request. No client
can be faster than ``pages / min(rate, concurrency / latency)``; the last line reports how close
this one gets.

Then reconciliation: every active package the pull mirrored gets a linked batch in compliance
(as the inventory consumer would have recorded it; one in a hundred holds a different quantity
than Metrc, so the run has findings to classify and store), and one reconciliation of the license
is timed end to end: its set-based reads, the classification and the findings stored in one
transaction (``ReconciliationService.run``).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import time
from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

import uvloop
from compliance.adapters.clock import UtcClock
from compliance.adapters.credentials_crypto import CredentialCipher
from compliance.adapters.inventory_movements import HttpInventoryMovements
from compliance.adapters.metrc import MetrcClient, MetrcCredentials
from compliance.adapters.metrc.payloads import (
    PlantBatchGrowthPhaseChange,
    PlantBatchPlanting,
    PlantHarvest,
)
from compliance.adapters.metrc.testing import SandboxProcess, default_seed
from compliance.adapters.metrc_connector import MetrcClients
from compliance.adapters.postgres import ComplianceUnitOfWork
from compliance.adapters.postgres.mirror import PgMirrorStore
from compliance.config import DEV_CREDENTIAL_KEYS
from compliance.domain import (
    BatchFacts,
    LinkState,
    PackageLink,
    PlannedPackage,
)
from compliance.domain.mirror import FEEDS, SyncType
from compliance.service_layer import (
    CredentialsService,
    ManualOperations,
    Pusher,
    SaveCredentials,
    ServiceContext,
)
from compliance.service_layer.pull_sync import PullProgress, PullSync
from compliance.service_layer.reconciliation import ReconciliationService, RunOutcome
from compliance.testing import colorado_rules
from pydantic import SecretStr
from shared.database import Database
from shared.migrations import upgrade
from shared.testing.infra import PostgresServer, repo_root
from tqdm import tqdm

LICENSE = "SF-SBX-CO-21-8002"
VENDOR = "bench-vendor-key"
USER = "bench-user-key"
MIGRATIONS = repo_root() / "services" / "compliance" / "src" / "compliance" / "migrations"
SYNCED = (SyncType.PACKAGES, SyncType.PLANTS, SyncType.HARVESTS)


def chunks(items: list[Any], size: int = 10) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


async def seed_sandbox(
    sandbox: SandboxProcess, packages: int, plants: int, harvests: int
) -> dict[str, int]:
    """The facility's Metrc: packages in bulk; plant batches of ten planted, grown to flowering
    plants and, one plant per harvest, harvested. Returns the records per list."""
    document = default_seed(LICENSE, packages=0, package_tags=0, plant_tags=plants)
    document["vendor_keys"] = [VENDOR]
    document["users"][0]["user_key"] = USER
    await sandbox.reset(document)
    await sandbox.configure(latency_ms=0, jitter_ms=0, rate_limits_enabled=False)
    await sandbox.bulk_packages(
        license_number=LICENSE,
        count=packages,
        item="Blue Dream Flower",
        quantity="10.0",
        unit_of_measure="Grams",
        location="Vault",
    )
    today = datetime.now(ZoneInfo("America/Denver")).date()
    client = MetrcClient(
        base_url=sandbox.base_url,
        credentials=MetrcCredentials(vendor_key=SecretStr(VENDOR), user_key=SecretStr(USER)),
    )
    async with client:
        tags = sorted(t.label for t in await client.list_available_tags(LICENSE, "plant"))
        batches = [f"PB-{i:04d}" for i in range(math.ceil(plants / 10))]
        for group in chunks(batches):
            await client.create_plant_batch_plantings(
                LICENSE,
                [
                    PlantBatchPlanting(
                        name=name,
                        type="Clone",
                        count=10,
                        strain="Blue Dream",
                        location="Vault",
                        actual_date=today,
                    )
                    for name in group
                ],
            )
        for group in chunks(list(enumerate(batches))):
            await client.change_plant_batch_growth_phase(
                LICENSE,
                [
                    PlantBatchGrowthPhaseChange(
                        name=name,
                        count=10,
                        starting_tag=tags[10 * i],
                        growth_phase="Flowering",
                        new_location="Vault",
                        growth_date=today,
                    )
                    for i, name in group
                ],
            )
        harvested = tags[: 10 * harvests : 10][:harvests]
        for group in chunks(list(enumerate(harvested))):
            await client.harvest_plants(
                LICENSE,
                [
                    PlantHarvest(
                        plant=label,
                        weight=Decimal("100.0"),
                        unit_of_weight="Grams",
                        drying_location="Vault",
                        harvest_name=f"H-{i:04d}",
                        actual_date=today,
                    )
                    for i, label in group
                ],
            )
    return {
        "packages.active": packages,
        "plants.flowering": plants - harvests,
        "plants.inactive": harvests,
        "harvests.active": harvests,
    }


async def context(
    database: Database, sandbox: SandboxProcess
) -> tuple[ServiceContext, MetrcClients]:
    connector = MetrcClients()
    ctx = ServiceContext(
        uow=partial(ComplianceUnitOfWork, database),
        connector=connector,
        cipher=CredentialCipher.from_keyring(SecretStr(DEV_CREDENTIAL_KEYS)),
        clock=UtcClock(),
    )
    rules = colorado_rules(uuid4(), LICENSE, sandbox.base_url)
    async with ctx.uow() as uow:
        await uow.jurisdictions.save(rules)
        await uow.commit()
    await CredentialsService(ctx).save(
        SaveCredentials(
            license_number=LICENSE,
            state="CO",
            vendor_key=SecretStr(VENDOR),
            user_key=SecretStr(USER),
            actor="bench",
        )
    )
    return ctx, connector


async def link_batches(ctx: ServiceContext, store: PgMirrorStore) -> int:
    """A LINKED batch for every active package the mirror holds, as the inventory consumer
    records them; every hundredth holds one gram less than Metrc shows. Returns how many."""
    async with ctx.uow() as uow:
        (rules,) = await uow.jurisdictions.for_license(LICENSE)
    packages = await store.records(LICENSE, SyncType.PACKAGES, status="active")
    now = ctx.now()
    links = []
    for i, package in enumerate(packages):
        batch_id = uuid4()
        physical = (package.quantity or Decimal(0)) - (1 if i % 100 == 7 else 0)
        links.append(
            PackageLink(
                batch_id=batch_id,
                site_id=rules.site_id,
                license_number=LICENSE,
                state=LinkState.LINKED,
                batch=BatchFacts(
                    batch_id=batch_id,
                    site_id=rules.site_id,
                    code=f"B-{i:05d}",
                    product_id="product-1",
                    product_name=package.item or "",
                    unit=package.unit or "Grams",
                    status="LIVE",
                    physical=physical,
                    locations=(),
                    version=1,
                    package_tag=package.label,
                ),
                applied_through=(1, 0),
                updated_at=now,
                tag=package.label,
                planned=PlannedPackage(quantity=physical, finished=False, location_id=None),
                metrc_package_id=package.metrc_id,
            )
        )
    async with ctx.uow() as uow:
        await uow.links.save_many(links)
        await uow.commit()
    return len(links)


async def reconcile(ctx: ServiceContext, database: Database) -> tuple[RunOutcome, float]:
    """One reconciliation of the license, timed end to end (ms)."""
    inventory = HttpInventoryMovements("http://127.0.0.1:9")  # no fix is approved here
    service = ReconciliationService(
        partial(ComplianceUnitOfWork, database),
        ctx,
        ManualOperations(ctx, Pusher(ctx)),
        inventory,
    )
    started = time.perf_counter()
    outcome = await service.run(LICENSE, actor="bench")
    elapsed_ms = (time.perf_counter() - started) * 1000
    await inventory.close()
    return outcome, elapsed_ms


async def run(args: argparse.Namespace) -> None:
    postgres = PostgresServer.acquire()
    name = await postgres.create_database("bench_sync")
    url = postgres.url_for(name)
    await asyncio.to_thread(upgrade, MIGRATIONS, url)
    database = Database(url, name="bench-metrc-sync", min_size=2, max_size=12)
    try:
        with SandboxProcess() as sandbox:
            expected = await seed_sandbox(sandbox, args.packages, args.plants, args.harvests)
            await sandbox.configure(
                latency_ms=args.latency_ms,
                jitter_ms=0,
                get_rate_per_facility=args.rate,
                concurrency_per_facility=args.concurrency,
                max_page_size=20,
                rate_limits_enabled=True,
            )
            ctx, connector = await context(database, sandbox)
            store = PgMirrorStore(database)
            bar = tqdm(total=0, unit="page", desc="metrc sync", file=sys.stderr)

            def on_progress(progress: PullProgress) -> None:
                snapshot = progress.snapshot()
                bar.total = snapshot["pagesKnown"]
                bar.n = snapshot["pagesDone"]
                bar.set_postfix(records=snapshot["records"], refresh=False)
                bar.refresh()

            started = time.perf_counter()
            report = await PullSync(ctx, store, connector).pull(
                LICENSE, SYNCED, on_progress=on_progress
            )
            elapsed = time.perf_counter() - started
            bar.close()
            await connector.close()
            if not report.ok:
                raise SystemExit(f"the pull failed: {report.errors}")
            counts = await store.counts(LICENSE)
            for feed, n in expected.items():
                sync_type, status = feed.split(".")
                held = counts.get((SyncType(sync_type), status), 0)
                if held != n:
                    raise SystemExit(f"{feed}: {held} in the mirror, Metrc holds {n}")
            state = await sandbox.state()
            linked = await link_batches(ctx, store)
            outcome, reconcile_ms = await reconcile(ctx, database)
    finally:
        await database.close()
        await postgres.drop_database(name)
        print(postgres.release())

    feeds = [f for t in SYNCED for f in FEEDS[t]]
    pages = sum(max(1, math.ceil(expected.get(f.value, 0) / 20)) for f in feeds)
    per_second = min(args.rate, args.concurrency / (args.latency_ms / 1000))
    bound = pages / per_second
    ratio = elapsed / bound
    statuses: dict[str, int] = {}
    for key, stats in state["requests"].items():
        if key.startswith("GET "):
            for status, n in stats["statuses"].items():
                statuses[status] = statuses.get(status, 0) + n
    print(
        f"mirror: {sum(expected.values())} records in {len(feeds)} lists "
        f"({', '.join(f'{k} {v}' for k, v in expected.items())}); GET answers {statuses}"
    )
    print(
        f"elapsed: {elapsed:.2f} s; bound: {pages} pages / min({args.rate:g}/s, "
        f"{args.concurrency}/{args.latency_ms / 1000:g} s) = {bound:.2f} s"
    )
    by_class = dict(outcome.run.by_class)
    print(
        f"reconciliation: {linked} linked batches against {outcome.run.packages} mirrored "
        f"packages, {len(outcome.findings)} findings {by_class}, in {reconcile_ms:.0f} ms "
        f"(reads, classification and storing the findings in one transaction; the run's own "
        f"measure {outcome.run.duration_ms} ms)"
    )
    print(
        f"metrc-sync: {elapsed:.2f} s, bound {bound:.2f} s, ratio {ratio:.2f}, "
        f"reconcile {linked} in {reconcile_ms:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--packages", type=int, default=5000)
    parser.add_argument("--plants", type=int, default=2000)
    parser.add_argument("--harvests", type=int, default=200)
    parser.add_argument("--latency-ms", type=int, default=200)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument(
        "--loop",
        choices=("asyncio", "uvloop"),
        default="asyncio",
        help="the event loop the pull runs on (A/B of the loop; the worker's is asyncio's)",
    )
    args = parser.parse_args()
    if args.plants % 10 or args.harvests > args.plants // 10:
        parser.error("plants come in batches of 10, and each harvest takes one plant of a batch")
    if args.loop == "uvloop":
        uvloop.run(run(args))
    else:
        asyncio.run(run(args))


if __name__ == "__main__":
    main()
