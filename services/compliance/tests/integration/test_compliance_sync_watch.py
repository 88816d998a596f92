"""The sync watch on PostgreSQL with the Metrc sandbox over HTTP: a burst of accepted pushes
produces exactly one pull of the types it touched, however many workers watch and however
often they look; a pull already running when the burst landed is joined, then one pull follows
it; stale pulls and a growing backlog show in sync health as alerts."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from uuid import UUID, uuid4

import httpx
import pytest
from compliance.adapters.credentials_crypto import CredentialCipher
from compliance.adapters.metrc import RetryPolicy
from compliance.adapters.metrc.testing import SandboxProcess, default_seed
from compliance.adapters.metrc_connector import MetrcClients
from compliance.adapters.postgres import ComplianceUnitOfWork
from compliance.adapters.postgres.mirror import PgMirrorStore
from compliance.adapters.postgres.push_activity import PgPushActivity
from compliance.adapters.postgres.sync_runs import PgSyncRuns
from compliance.config import DEV_CREDENTIAL_KEYS
from compliance.domain import (
    AdjustPackage,
    CreatePackage,
    Intent,
    JurisdictionRules,
    Notification,
    NotificationKind,
    OpeningBalance,
    Program,
    Severity,
    Submission,
    SubmissionState,
    validate_rules,
)
from compliance.domain.mirror import SyncType
from compliance.domain.sync_watch import BurstRule, StaleRule
from compliance.entrypoints.errors import error_body
from compliance.entrypoints.sync_loop import sync_continuously
from compliance.entrypoints.sync_metrics import PULLS_AFTER_PUSHES
from compliance.service_layer import CredentialsService, SaveCredentials, ServiceContext
from compliance.service_layer.errors import NotFoundError
from compliance.service_layer.mirror_ports import RunState, RunTrigger, SyncRun
from compliance.service_layer.pull_sync import PullPolicy, PullSync
from compliance.service_layer.sync_health import SyncHealth
from compliance.service_layer.sync_service import RequestSync, SiteNotSyncableError, SyncService
from compliance.service_layer.sync_watch import BurstTrigger, SyncAlerts, WatchPolicy
from compliance.service_layer.transfer_stalls import stall_key
from compliance.testing import ManualClock, colorado_rules
from pydantic import SecretStr
from shared.database import Database
from shared.migrations import upgrade

MIGRATIONS = Path(__file__).resolve().parents[2] / "src" / "compliance" / "migrations"
LICENSE = "SF-SBX-CO-21-8003"
VENDOR_KEY = "VENDOR-KEY-0cc175b9c0f1b6a8"
USER_KEY = "USER-KEY-92eb5ffee6ae2fec"
BURST = BurstRule(min_accepted=10, quiet=timedelta(seconds=30))
TODAY = date(2026, 3, 2)


@dataclass
class World:
    sandbox: SandboxProcess
    database: Database
    ctx: ServiceContext
    clock: ManualClock
    runs: PgSyncRuns
    service: SyncService
    health: SyncHealth
    site_id: UUID

    def trigger(self) -> BurstTrigger:
        """One worker's trigger (each worker builds its own)."""
        return BurstTrigger(
            self.ctx, self.service, PgPushActivity(self.database), WatchPolicy(burst=BURST)
        )

    async def runs_of_license(self) -> list[SyncRun]:
        return await self.runs.recent(LICENSE, 50)

    async def accept(self, kinds: list[Intent], *, spaced: timedelta) -> None:
        """Writes Metrc accepted, one every ``spaced``, ending now (the clock moves on)."""
        async with self.ctx.uow() as uow:
            for intent in kinds:
                new = Submission.new(
                    id=uuid4(),
                    sequence=await uow.submissions.next_sequence(),
                    license_number=LICENSE,
                    site_id=self.site_id,
                    batch_id=uuid4(),
                    intent=intent,
                    now=self.clock.now(),
                    actor="inventory",
                )
                await uow.submissions.add(
                    replace(new, state=SubmissionState.ACCEPTED, completed_at=self.clock.now())
                )
                self.clock.advance(spaced)
            await uow.commit()


def create() -> CreatePackage:
    return CreatePackage(
        quantity=Decimal(100), unit="g", product_id="product-1", product_name="Blue Dream 3.5g",
        location_id=None, source=OpeningBalance(), date=TODAY,
    )  # fmt: skip


def adjust() -> AdjustPackage:
    return AdjustPackage(quantity=Decimal(-5), unit="Grams", cause="LOST", note="n", date=TODAY)


@pytest.fixture
async def world(sandbox_process: SandboxProcess, database_url: str) -> AsyncIterator[World]:
    sandbox = sandbox_process
    await sandbox.clear_faults()
    document = default_seed(LICENSE, packages=3, package_tags=5, plant_tags=5)
    document["vendor_keys"] = [VENDOR_KEY]
    document["users"][0]["user_key"] = USER_KEY
    await sandbox.reset(document)
    await asyncio.to_thread(upgrade, MIGRATIONS, database_url)
    database = Database(database_url, name="compliance-watch-test", min_size=1, max_size=8)
    connector = MetrcClients(
        retry=RetryPolicy(max_attempts=3, base_delay=0.05, max_delay=0.3),
        timeout=httpx.Timeout(5.0, connect=2.0),
    )
    clock = ManualClock(datetime.now(UTC))
    ctx = ServiceContext(
        uow=partial(ComplianceUnitOfWork, database),
        connector=connector,
        cipher=CredentialCipher.from_keyring(SecretStr(DEV_CREDENTIAL_KEYS)),
        clock=clock,
    )
    site_id = uuid4()
    rules = colorado_rules(site_id, LICENSE, sandbox.base_url)
    async with ctx.uow() as uow:
        await uow.jurisdictions.save(rules)
        await uow.commit()
    await CredentialsService(ctx).save(
        SaveCredentials(
            license_number=LICENSE,
            state="CO",
            vendor_key=SecretStr(VENDOR_KEY),
            user_key=SecretStr(USER_KEY),
            actor="admin",
        )
    )
    store = PgMirrorStore(database)
    runs = PgSyncRuns(database)
    service = SyncService(ctx, runs, PullSync(ctx, store, connector, PullPolicy()))
    health = SyncHealth(
        ctx, store, runs, connector, interval_for=lambda _: 600, stale=StaleRule(stale_factor=3)
    )
    yield World(sandbox, database, ctx, clock, runs, service, health, site_id)
    await connector.close()
    await database.close()


class TestABurstOfPushesPullsOnce:
    async def test_a_burst_produces_exactly_one_pull_of_the_types_it_touched(
        self, world: World
    ) -> None:
        await world.accept(
            [create() for _ in range(8)] + [adjust() for _ in range(4)], spaced=timedelta(seconds=2)
        )
        workers = [world.trigger(), world.trigger()]

        world.clock.advance(timedelta(seconds=20))  # 22 s since the last accepted push
        assert await workers[0].after_pushes(LICENSE) is None
        world.clock.advance(timedelta(seconds=10))
        both = await asyncio.gather(*(w.after_pushes(LICENSE) for w in workers))
        (run,) = await world.runs_of_license()
        assert run.trigger is RunTrigger.AFTER_PUSHES
        assert run.sync_types == (SyncType.PACKAGES, SyncType.ADJUSTMENTS)
        # The second worker either joined the first's run or already saw it queued.
        assert {r.run.id for r in both if r is not None} == {run.id}

        # Checks while it is queued, and after it ran, add nothing.
        assert await workers[0].after_pushes(LICENSE) is None  # the queued run covers it
        world.clock.advance(timedelta(seconds=5))
        done = await world.service.run_next(stale_after=timedelta(seconds=30))
        assert done is not None
        assert done.state is RunState.SUCCEEDED, done.report
        for _ in range(3):
            world.clock.advance(timedelta(minutes=1))
            assert await workers[1].after_pushes(LICENSE) is None
        assert len(await world.runs_of_license()) == 1

        # The next burst is counted from that pull's start: one more pull.
        await world.accept([adjust() for _ in range(10)], spaced=timedelta(seconds=1))
        world.clock.advance(timedelta(seconds=31))
        again = await workers[1].after_pushes(LICENSE)
        assert again is not None
        assert not again.joined
        assert again.run.sync_types == (SyncType.PACKAGES, SyncType.ADJUSTMENTS)
        assert len(await world.runs_of_license()) == 2

    async def test_fewer_pushes_than_a_burst_pull_nothing(self, world: World) -> None:
        await world.accept([create() for _ in range(9)], spaced=timedelta(seconds=1))
        world.clock.advance(timedelta(minutes=5))
        assert await world.trigger().after_pushes(LICENSE) is None
        assert await world.runs_of_license() == []

    async def test_a_pull_running_when_the_burst_landed_is_joined_then_one_pull_follows(
        self, world: World
    ) -> None:
        scheduled = await world.service.request_license(
            LICENSE, tuple(SyncType), actor="schedule", trigger=RunTrigger.SCHEDULED
        )
        claimed = await world.runs.claim(
            world.clock.now(), stale_before=world.clock.now() - timedelta(minutes=1)
        )
        assert claimed is not None
        assert claimed.id == scheduled.run.id
        world.clock.advance(timedelta(seconds=1))
        await world.accept([create() for _ in range(10)], spaced=timedelta(seconds=1))
        world.clock.advance(timedelta(seconds=31))

        trigger = world.trigger()
        joined = await trigger.after_pushes(LICENSE)
        assert joined is not None
        assert joined.joined_running
        assert joined.run.id == claimed.id
        await world.runs.finish(claimed.id, RunState.SUCCEEDED, {"ok": True}, world.clock.now())

        world.clock.advance(timedelta(seconds=5))
        after = await trigger.after_pushes(LICENSE)
        assert after is not None
        assert not after.joined
        assert after.run.sync_types == (SyncType.PACKAGES,)
        assert await trigger.after_pushes(LICENSE) is None  # the queued pull covers it
        assert len(await world.runs_of_license()) == 2


class TestTheWorkersLoopPullsOnceAfterABurst:
    async def test_many_checks_after_a_burst_run_exactly_one_pull_then_one_reconciliation(
        self, world: World, caplog: pytest.LogCaptureFixture
    ) -> None:
        await world.accept([adjust() for _ in range(12)], spaced=timedelta(seconds=1))
        world.clock.advance(timedelta(seconds=31))
        counted = PULLS_AFTER_PUSHES.labels(LICENSE)._value.get()
        stop = asyncio.Event()
        alerts = SyncAlerts(world.ctx)
        reconciled: list[str] = []

        async def reconcile(license_number: str) -> None:
            reconciled.append(license_number)

        loop = asyncio.create_task(
            sync_continuously(
                world.service,
                world.health,
                stop,
                bursts=world.trigger(),
                alerts=alerts,
                poll=0.05,
                stale_after=timedelta(seconds=30),
                concurrent=2,
                interval_for=lambda _: 0,
                health_every=0.1,
                reconcile=reconcile,
            )
        )
        try:
            for _ in range(300):  # the pull itself runs against the sandbox
                runs = await world.runs_of_license()
                if runs and not runs[0].state.open:
                    break
                await asyncio.sleep(0.1)
            await asyncio.sleep(1.0)  # ten more checks after the pull
        finally:
            stop.set()
            await loop

        (run,) = await world.runs_of_license()
        assert run.trigger is RunTrigger.AFTER_PUSHES
        assert run.state is RunState.SUCCEEDED, run.report
        assert run.sync_types == (SyncType.PACKAGES, SyncType.ADJUSTMENTS)
        assert PULLS_AFTER_PUSHES.labels(LICENSE)._value.get() == counted + 1
        # The pull took packages, so the license was reconciled after it, once.
        assert reconciled == [LICENSE]
        # Every check ran through (schedule, trigger, health, alerts, metrics) without a failure.
        assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


class TestAlertsInSyncHealth:
    async def test_a_stale_pull_and_a_growing_backlog_show_as_alerts_and_clear(
        self, world: World
    ) -> None:
        alerts = SyncAlerts(world.ctx)
        await world.service.request_license(
            LICENSE, (SyncType.PACKAGES,), actor="qa", trigger=RunTrigger.MANUAL
        )
        assert (await world.service.run_next(stale_after=timedelta(seconds=30))) is not None
        world.clock.advance(timedelta(minutes=31))  # 3 x the 10-minute schedule, and more

        report = await world.health.license(LICENSE)
        assert SyncType.PACKAGES in report.stale_types
        assert f"PULL_STALE:{SyncType.PACKAGES.value}" in report.problems
        assert report.stale_after == timedelta(minutes=30)
        await alerts.observe(report)
        await alerts.observe(await world.health.license(LICENSE))
        shown = await world.health.license(LICENSE)
        assert [a.kind for a in shown.alerts] == [NotificationKind.PULL_STALE]
        assert "packages (last complete pull" in shown.alerts[0].message

        await world.service.request_license(
            LICENSE, tuple(SyncType), actor="qa", trigger=RunTrigger.MANUAL
        )
        done = await world.service.run_next(stale_after=timedelta(seconds=30))
        assert done is not None
        assert done.state is RunState.SUCCEEDED, done.report
        await alerts.observe(await world.health.license(LICENSE))
        healthy = await world.health.license(LICENSE)
        assert healthy.stale_types == ()
        assert healthy.alerts == ()

    async def test_a_stalled_transfer_shows_as_an_alert_the_sync_watch_leaves_to_its_rounds(
        self, world: World
    ) -> None:
        transfer_id = uuid4()
        async with world.ctx.uow() as uow:
            await uow.notifications.raise_(
                Notification(
                    id=uuid4(),
                    kind=NotificationKind.TRANSFER_STALLED,
                    severity=Severity.WARNING,
                    title="Transfer to Store (SF-SBX-CO-22-9001) waits for its packages in Metrc",
                    message="waiting",
                    guidance="push",
                    created_at=world.clock.now(),
                    license_number=LICENSE,
                    dedup_key=stall_key(transfer_id),
                )
            )
            await uow.commit()
        await SyncAlerts(world.ctx).observe(await world.health.license(LICENSE))
        shown = await world.health.license(LICENSE)
        assert [a.kind for a in shown.alerts] == [NotificationKind.TRANSFER_STALLED]
        assert "TRANSFER_STALLED" in shown.problems


class TestASyncRequestThatCannotRunSaysWhatToDo:
    async def test_a_site_without_rules_is_told_where_the_rules_are_set(self, world: World) -> None:
        with pytest.raises(NotFoundError) as refused:
            await world.service.request(
                RequestSync(site_id=uuid4(), sync_types=(SyncType.PACKAGES,), actor="qa")
            )
        body = error_body(refused.value).error
        assert body.code == "RULES_NOT_FOUND"
        assert "Compliance > Rules" in body.message
        assert "PUT /api/v1/compliance/rules/{siteId}" in body.message
        assert body.details["fix"] == {
            "screen": "Compliance > Rules",
            "route": "PUT /api/v1/compliance/rules/{siteId}",
            "permission": "compliance:manage",
        }
        assert await world.runs_of_license() == []

    async def test_a_site_without_a_metrc_license_is_told_what_its_rules_lack(
        self, world: World
    ) -> None:
        hemp = uuid4()
        async with world.ctx.uow() as uow:
            await uow.jurisdictions.save(
                validate_rules(
                    JurisdictionRules(
                        site_id=hemp,
                        state="CO",
                        program=Program.HEMP,
                        require_metrc_id=False,
                        time_zone="America/Denver",
                    )
                )
            )
            await uow.commit()
        with pytest.raises(SiteNotSyncableError) as refused:
            await world.service.request(
                RequestSync(site_id=hemp, sync_types=(SyncType.PACKAGES,), actor="qa")
            )
        assert "license number and Metrc URL under Compliance > Rules" in refused.value.message
        assert refused.value.details["fix"]["screen"] == "Compliance > Rules"
