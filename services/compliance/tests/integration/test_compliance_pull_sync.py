"""Pull sync against the Metrc sandbox over HTTP into the mirror on PostgreSQL: every page of every
list, nothing missing and nothing twice, under 429 storms and 5xx, incremental after the first
pull, and resumed (not restarted) after the pulling process is SIGKILLed."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

import httpx
import pytest
from compliance.adapters.clock import UtcClock
from compliance.adapters.credentials_crypto import CredentialCipher
from compliance.adapters.metrc import MetrcClient, MetrcCredentials, RetryPolicy
from compliance.adapters.metrc.payloads import (
    PackageAdjust,
    PlantBatchGrowthPhaseChange,
    PlantBatchPlanting,
    PlantHarvest,
)
from compliance.adapters.metrc.testing import SandboxProcess, default_seed
from compliance.adapters.metrc_connector import MetrcClients
from compliance.adapters.metrc_page_reader import ENDPOINTS
from compliance.adapters.postgres import ComplianceUnitOfWork
from compliance.adapters.postgres.mirror import PgMirrorStore
from compliance.adapters.postgres.sync_runs import PgSyncRuns
from compliance.config import DEV_CREDENTIAL_KEYS
from compliance.domain.mirror import FEEDS, Feed, SyncType
from compliance.service_layer import CredentialsService, SaveCredentials, ServiceContext
from compliance.service_layer.mirror_ports import RunState, RunTrigger
from compliance.service_layer.pull_sync import PullPolicy, PullSync
from compliance.service_layer.sync_service import SyncService
from compliance.testing import colorado_rules
from pydantic import SecretStr
from shared.database import Database
from shared.migrations import upgrade

MIGRATIONS = Path(__file__).resolve().parents[2] / "src" / "compliance" / "migrations"
LICENSE = "SF-SBX-CO-21-8002"
VENDOR_KEY = "VENDOR-KEY-d41d8cd98f00b204"
USER_KEY = "USER-KEY-e9800998ecf8427e"
SANDBOX_LIMITS = {
    "latency_ms": 0,
    "jitter_ms": 0,
    "get_rate_per_facility": 50,
    "get_rate_per_vendor": 150,
    "concurrency_per_facility": 10,
    "concurrency_per_vendor": 30,
    "max_page_size": 20,
    "last_modified_max_hours": 24,
    "retry_after_seconds": 1,
    "rate_limits_enabled": True,
}
ALL_TYPES = tuple(SyncType)


@dataclass
class World:
    sandbox: SandboxProcess
    database: Database
    database_url: str
    ctx: ServiceContext
    connector: MetrcClients
    store: PgMirrorStore
    runs: PgSyncRuns
    site_id: Any

    def pull_sync(self, **policy: Any) -> PullSync:
        return PullSync(
            self.ctx,
            self.store,
            self.connector,
            PullPolicy(first_retry=0.05, max_retry=0.3, **policy),
        )

    def client(self) -> MetrcClient:
        return MetrcClient(
            base_url=self.sandbox.base_url,
            credentials=MetrcCredentials(
                vendor_key=SecretStr(VENDOR_KEY), user_key=SecretStr(USER_KEY)
            ),
            retry=RetryPolicy(max_attempts=6, base_delay=0.05, max_delay=0.5),
        )


def seed() -> dict[str, Any]:
    document = default_seed(LICENSE, packages=0, package_tags=30, plant_tags=30)
    document["vendor_keys"] = [VENDOR_KEY]
    document["users"][0]["user_key"] = USER_KEY
    return document


async def gets(sandbox: SandboxProcess) -> int:
    """GETs the sandbox has answered with data so far (429s and faults not counted)."""
    state = await sandbox.state()
    return sum(
        s["statuses"].get("200", 0)
        for key, s in state["requests"].items()
        if key.startswith("GET ")
    )


@pytest.fixture
async def world(sandbox_process: SandboxProcess, database_url: str) -> AsyncIterator[World]:
    sandbox = sandbox_process
    await sandbox.clear_faults()
    await sandbox.configure(**SANDBOX_LIMITS)
    await asyncio.to_thread(upgrade, MIGRATIONS, database_url)
    database = Database(database_url, name="compliance-pull-test", min_size=1, max_size=12)
    connector = MetrcClients(
        retry=RetryPolicy(max_attempts=3, base_delay=0.05, max_delay=0.3),
        timeout=httpx.Timeout(5.0, connect=2.0),
    )
    ctx = ServiceContext(
        uow=partial(ComplianceUnitOfWork, database),
        connector=connector,
        cipher=CredentialCipher.from_keyring(SecretStr(DEV_CREDENTIAL_KEYS)),
        clock=UtcClock(),
    )
    site_id = uuid4()
    rules = colorado_rules(site_id, LICENSE, sandbox.base_url)
    async with ctx.uow() as uow:
        await uow.jurisdictions.save(rules)
        await uow.commit()
    yield World(
        sandbox,
        database,
        database_url,
        ctx,
        connector,
        PgMirrorStore(database),
        PgSyncRuns(database),
        site_id,
    )
    await connector.close()
    await database.close()


async def load(world: World, *, packages: int, on_hold: int = 0) -> None:
    await world.sandbox.reset(seed())
    if packages:
        await world.sandbox.bulk_packages(
            license_number=LICENSE,
            count=packages,
            item="Blue Dream Flower",
            quantity="10.0",
            unit_of_measure="Grams",
            location="Vault",
        )
    if on_hold:
        async with world.client() as client:
            active = await client.list_packages(LICENSE, "active")
        for package in active[:on_hold]:
            await world.sandbox.hold_package(package.label)
    await CredentialsService(world.ctx).save(
        SaveCredentials(
            license_number=LICENSE,
            state="CO",
            vendor_key=SecretStr(VENDOR_KEY),
            user_key=SecretStr(USER_KEY),
            actor="admin",
        )
    )


async def metrc_holds(world: World, feeds: tuple[Feed, ...]) -> dict[Feed, set[str]]:
    """What Metrc lists, read independently of the pull (one request at a time)."""
    held: dict[Feed, set[str]] = {}
    async with world.client() as client:
        for feed in feeds:
            keys: set[str] = set()
            async for page in client.pages(ENDPOINTS[feed], LICENSE):
                for record in page.records:
                    if feed.sync_type is SyncType.TAGS:
                        keys.add(record.label)
                    else:
                        keys.add(str(record.id))
            held[feed] = keys
    return held


async def mirrored(world: World, feed: Feed) -> set[str]:
    records = await world.store.records(LICENSE, feed.sync_type, status=feed.status)
    return {r.key for r in records}


class TestAFullPullMirrorsEverything:
    async def test_every_page_of_every_package_list_lands_in_the_mirror_once(
        self, world: World
    ) -> None:
        await load(world, packages=173, on_hold=7)
        report = await world.pull_sync().pull(LICENSE, ALL_TYPES)

        assert report.ok, report.errors
        feeds = (*FEEDS[SyncType.PACKAGES], *FEEDS[SyncType.ITEMS], *FEEDS[SyncType.TAGS])
        held = await metrc_holds(world, feeds)
        for feed in feeds:
            assert await mirrored(world, feed) == held[feed], feed
        assert len(held[Feed.PACKAGES_ACTIVE]) == 166
        assert len(held[Feed.PACKAGES_ONHOLD]) == 7
        counts = report.by_type()
        assert counts[SyncType.PACKAGES]["records"] == 173
        # 166 active packages are 9 pages of 20; each page was stored exactly once.
        active = next(o for o in report.outcomes if o.feed is Feed.PACKAGES_ACTIVE)
        assert (active.pages, active.records) == (9, 166)

    async def test_a_package_keeps_metrc_s_quantity_unit_and_item(self, world: World) -> None:
        await load(world, packages=3)
        await world.pull_sync().pull(LICENSE, (SyncType.PACKAGES,))
        records = await world.store.records(LICENSE, SyncType.PACKAGES, status="active")
        assert {(r.quantity, r.unit, r.item) for r in records} == {
            (Decimal("10.0"), "Grams", "Blue Dream Flower")
        }
        assert all(r.label and len(r.label) == 24 and r.last_modified for r in records)

    async def test_the_last_successful_pull_is_stored_per_list(self, world: World) -> None:
        await load(world, packages=5)
        before = world.ctx.now()
        await world.pull_sync().pull(LICENSE, (SyncType.PACKAGES, SyncType.STRAINS))
        last = await world.store.last_success(LICENSE)
        assert set(last) == {*FEEDS[SyncType.PACKAGES], *FEEDS[SyncType.STRAINS]}
        assert all(at >= before for at in last.values())


async def grow(world: World, *, batches: int, harvested: int) -> None:
    """Plant batches of ten, grown to flowering plants; ``harvested`` of them harvested, one
    plant per harvest (through Metrc's own writes)."""
    today = datetime.now(ZoneInfo("America/Denver")).date()
    async with world.client() as client:
        tags = sorted(t.label for t in await client.list_available_tags(LICENSE, "plant"))
        names = [f"PB-{i}" for i in range(batches)]
        await client.create_plant_batch_plantings(
            LICENSE,
            [
                PlantBatchPlanting(
                    name=n,
                    type="Clone",
                    count=10,
                    strain="Blue Dream",
                    location="Vault",
                    actual_date=today,
                )
                for n in names
            ],
        )
        await client.change_plant_batch_growth_phase(
            LICENSE,
            [
                PlantBatchGrowthPhaseChange(
                    name=n,
                    count=10,
                    starting_tag=tags[10 * i],
                    growth_phase="Flowering",
                    new_location="Vault",
                    growth_date=today,
                )
                for i, n in enumerate(names)
            ],
        )
        await client.harvest_plants(
            LICENSE,
            [
                PlantHarvest(
                    plant=tags[10 * i],
                    weight=Decimal("120.5"),
                    unit_of_weight="Grams",
                    drying_location="Vault",
                    harvest_name=f"H-{i}",
                    actual_date=today,
                )
                for i in range(harvested)
            ],
        )


class TestCultivationIsMirroredToo:
    async def test_plants_plant_batches_and_harvests_in_every_status_equal_what_metrc_lists(
        self, world: World
    ) -> None:
        await load(world, packages=0)
        await grow(world, batches=3, harvested=2)
        report = await world.pull_sync().pull(
            LICENSE, (SyncType.PLANTS, SyncType.PLANT_BATCHES, SyncType.HARVESTS)
        )

        assert report.ok, report.errors
        feeds = (
            *FEEDS[SyncType.PLANTS],
            *FEEDS[SyncType.PLANT_BATCHES],
            *FEEDS[SyncType.HARVESTS],
        )
        held = await metrc_holds(world, feeds)
        for feed in feeds:
            assert await mirrored(world, feed) == held[feed], feed
        assert len(held[Feed.PLANTS_FLOWERING]) == 28
        assert len(held[Feed.PLANTS_INACTIVE]) == 2
        assert len(held[Feed.HARVESTS_ACTIVE]) == 2
        assert len(held[Feed.PLANT_BATCHES_INACTIVE]) + len(held[Feed.PLANT_BATCHES_ACTIVE]) == 3
        harvests = await world.store.records(LICENSE, SyncType.HARVESTS)
        assert {(h.label, h.quantity, h.unit) for h in harvests} == {
            ("H-0", Decimal("120.5"), "Grams"),
            ("H-1", Decimal("120.5"), "Grams"),
        }


class TestPullsAreIncrementalAfterTheFirst:
    async def test_a_second_pull_reads_only_what_changed_in_a_last_modified_window(
        self, world: World
    ) -> None:
        await load(world, packages=60)
        # No overlap: the seeded packages were stamped just before the first pull, within any.
        pull = world.pull_sync(overlap=timedelta(0))
        await pull.pull(LICENSE, (SyncType.PACKAGES,))
        async with world.client() as client:
            package = (await client.list_packages(LICENSE, "active"))[0]
            await client.adjust_packages(
                LICENSE,
                [
                    PackageAdjust(
                        label=package.label,
                        quantity=Decimal("-2.5"),
                        unit_of_measure="Grams",
                        adjustment_reason="Drying",
                        adjustment_date=package.packaged_date,
                        reason_note="pull test",
                    )
                ],
            )
        before = await gets(world.sandbox)
        report = await pull.pull(LICENSE, (SyncType.PACKAGES,))
        after = await gets(world.sandbox)

        assert report.ok
        active = next(o for o in report.outcomes if o.feed is Feed.PACKAGES_ACTIVE)
        assert active.records == 1  # only the adjusted package came back
        assert after - before == 4  # one page per list
        records = await world.store.records(LICENSE, SyncType.PACKAGES, status="active")
        assert len(records) == 60
        assert {r.quantity for r in records if r.label == package.label} == {Decimal("7.5")}


class TestPullFaults:
    async def test_429_storms_and_5xx_still_end_with_a_complete_mirror(self, world: World) -> None:
        await load(world, packages=240, on_hold=3)
        await world.sandbox.add_faults(
            {"method": "GET", "path": "/packages/v2/active", "kind": "rate_limit", "times": 12},
            {
                "method": "GET",
                "path": "/packages/v2/active",
                "kind": "status",
                "status": 500,
                "times": 6,
            },
            {
                "method": "GET",
                "path": "/packages/v2/active",
                "kind": "status",
                "status": 503,
                "times": 6,
            },
            {
                "method": "GET",
                "path": "/packages/v2/onhold",
                "kind": "status",
                "status": 502,
                "times": 5,
            },
            {"method": "GET", "path": "/items/v2/active", "kind": "rate_limit", "times": 5},
        )
        # A tight GET budget as well: the client's limiter must keep the rest under it.
        await world.sandbox.configure(get_rate_per_facility=20, concurrency_per_facility=4)

        report = await world.pull_sync(page_attempts=20).pull(LICENSE, ALL_TYPES)

        assert report.ok, report.errors
        assert await world.sandbox._admin("GET", "/_sandbox/faults") == []
        feeds = (*FEEDS[SyncType.PACKAGES], Feed.ITEMS_ACTIVE)
        held = await metrc_holds(world, feeds)
        for feed in feeds:
            assert await mirrored(world, feed) == held[feed], feed
        active = next(o for o in report.outcomes if o.feed is Feed.PACKAGES_ACTIVE)
        assert (active.pages, active.records) == (12, 237)

    async def test_a_list_metrc_will_not_serve_fails_alone_and_keeps_its_checkpoint(
        self, world: World
    ) -> None:
        await load(world, packages=45)
        await world.sandbox.add_faults(
            {
                "method": "GET",
                "path": "/packages/v2/active",
                "kind": "status",
                "status": 500,
                "times": 1,
            },
            {
                "method": "GET",
                "path": "/packages/v2/active",
                "kind": "status",
                "status": 503,
                "times": 200,
            },
        )
        report = await world.pull_sync(page_attempts=2).pull(LICENSE, (SyncType.PACKAGES,))

        assert [o.feed for o in report.errors] == [Feed.PACKAGES_ACTIVE]
        assert report.errors[0].error_code == "METRC_UNAVAILABLE"
        assert await world.store.checkpoint(LICENSE, Feed.PACKAGES_ACTIVE) is not None
        state = {r["feed"]: r for r in await world.store.pull_state(LICENSE)}
        assert state["packages.active"]["failures"] == {"METRC_UNAVAILABLE": 1}
        assert state["packages.inactive"]["last_success_at"] is not None

        await world.sandbox.clear_faults()
        again = await world.pull_sync().pull(LICENSE, (SyncType.PACKAGES,))
        assert again.ok
        assert len(await mirrored(world, Feed.PACKAGES_ACTIVE)) == 45


def _process_env(world: World) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "COMPLIANCE_DATABASE_URL": world.database_url,
            "COMPLIANCE_SYNC_POLL_SECONDS": "0.2",
            "COMPLIANCE_SYNC_STALE_SECONDS": "3",
            "COMPLIANCE_SYNC_INTERVAL_SECONDS": "0",
            "COMPLIANCE_METRC_CALL_ATTEMPTS": "3",
            "COMPLIANCE_METRC_MAX_BACKOFF_SECONDS": "0.3",
            "OTEL_SDK_DISABLED": "true",
        }
    )
    return env


async def _pages_stored(world: World) -> int:
    cursor = await world.store.checkpoint(LICENSE, Feed.PACKAGES_ACTIVE)
    return 0 if cursor is None else len(cursor.pages_done)


class TestAKilledPullResumes:
    async def test_a_sigkilled_pull_resumes_from_its_checkpoint_and_completes_the_mirror(
        self, world: World
    ) -> None:
        await load(world, packages=1200)
        # 60 pages of 20 at 300 ms each, ten at a time: about 2 s, long enough to kill midway.
        await world.sandbox.configure(latency_ms=300)
        service = SyncService(world.ctx, world.runs, world.pull_sync())
        requested = await service.request_license(
            LICENSE, (SyncType.PACKAGES,), actor="qa", trigger=RunTrigger.MANUAL
        )
        command = [sys.executable, "-m", "compliance.sync_process"]
        first = await asyncio.create_subprocess_exec(*command, env=_process_env(world))
        try:
            for _ in range(1200):  # the process may take a while to start on a busy machine
                if await _pages_stored(world) >= 20:
                    break
                await asyncio.sleep(0.05)
            first.send_signal(signal.SIGKILL)
        finally:
            await asyncio.wait_for(first.wait(), timeout=10)
        stored_at_kill = await _pages_stored(world)
        assert 20 <= stored_at_kill < 60, stored_at_kill
        run = await world.runs.get(requested.run.id)
        assert run is not None
        assert run.state is RunState.RUNNING

        # Requests the killed process had in flight still end at the sandbox (300 ms each).
        await asyncio.sleep(1.5)
        before = await gets(world.sandbox)
        second = await asyncio.create_subprocess_exec(*command, env=_process_env(world))
        try:
            for _ in range(600):
                run = await world.runs.get(requested.run.id)
                assert run is not None
                if not run.state.open:
                    break
                await asyncio.sleep(0.1)
        finally:
            second.send_signal(signal.SIGTERM)
            await asyncio.wait_for(second.wait(), timeout=20)
        gets_after = await gets(world.sandbox) - before

        assert run.state is RunState.SUCCEEDED, run.report
        assert run.report is not None
        active = next(f for f in run.report["feeds"] if f["feed"] == "packages.active")
        assert active["resumed"] is True
        # The resumed pull read page 1 again (to see the list had not moved) and only the pages
        # not stored before the kill, plus at most one page for each other package list.
        assert gets_after <= 1 + (60 - stored_at_kill) + 3, gets_after
        held = await metrc_holds(world, (Feed.PACKAGES_ACTIVE,))
        assert await mirrored(world, Feed.PACKAGES_ACTIVE) == held[Feed.PACKAGES_ACTIVE]
        assert len(held[Feed.PACKAGES_ACTIVE]) == 1200
        assert await world.store.checkpoint(LICENSE, Feed.PACKAGES_ACTIVE) is None


class TestTriggers:
    async def test_a_request_for_types_a_running_sync_covers_joins_it(self, world: World) -> None:
        await load(world, packages=1)
        service = SyncService(world.ctx, world.runs, world.pull_sync())
        first = await service.request_license(
            LICENSE, (SyncType.PACKAGES, SyncType.ITEMS), actor="qa", trigger=RunTrigger.MANUAL
        )
        joined = await service.request_license(
            LICENSE, (SyncType.PACKAGES,), actor="qa-2", trigger=RunTrigger.MANUAL
        )
        wider = await service.request_license(
            LICENSE, (SyncType.ITEMS, SyncType.TAGS), actor="qa-3", trigger=RunTrigger.MANUAL
        )

        assert joined.run.id == first.run.id
        assert joined.joined_running
        # Only the type nobody is pulling is queued anew; the request names the run it joined.
        assert wider.run.id != first.run.id
        assert wider.run.sync_types == (SyncType.TAGS,)
        assert [r.id for r in wider.joined] == [first.run.id]

        finished = await service.run_next(stale_after=timedelta(seconds=30))
        assert finished is not None
        assert finished.state is RunState.SUCCEEDED
        assert finished.report is not None
        assert finished.report["types"]["packages"]["records"] == 1

    async def test_a_license_is_pulled_on_its_interval_counted_from_its_last_run(
        self, world: World
    ) -> None:
        await load(world, packages=1)
        service = SyncService(world.ctx, world.runs, world.pull_sync())
        long_ago = world.ctx.now() - timedelta(hours=1)

        nothing_yet = await service.schedule_due(lambda _: 7200, since=long_ago)
        queued = await service.schedule_due(lambda _: 600, since=long_ago)
        again = await service.schedule_due(lambda _: 600, since=long_ago)
        never = await service.schedule_due(lambda _: 0, since=long_ago)

        assert nothing_yet == []
        assert [(r.trigger, r.sync_types) for r in queued] == [
            (RunTrigger.SCHEDULED, tuple(SyncType))
        ]
        assert again == []
        assert never == []
