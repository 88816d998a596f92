"""Composition root of the compliance service: the one place where adapters are built and wired."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

import httpx
from fastapi import FastAPI
from shared.database import Database
from shared.telemetry import configure_tracing

from compliance.adapters.clock import UtcClock
from compliance.adapters.credentials_crypto import CredentialCipher
from compliance.adapters.inventory_movements import HttpInventoryMovements
from compliance.adapters.metrc import RetryPolicy
from compliance.adapters.metrc_connector import MetrcClients
from compliance.adapters.postgres import ComplianceUnitOfWork
from compliance.adapters.postgres.mirror import PgMirrorStore
from compliance.adapters.postgres.push_activity import PgPushActivity
from compliance.adapters.postgres.sync_runs import PgSyncRuns
from compliance.adapters.push_telemetry import OtelPushTelemetry
from compliance.adapters.smtp_mailer import SmtpMailer
from compliance.config import ComplianceSettings
from compliance.domain import PushPolicy
from compliance.domain.sync_watch import BacklogRule, BurstRule, StaleRule
from compliance.entrypoints import api
from compliance.entrypoints.container import Container, Handlers, SyncHandlers
from compliance.service_layer import (
    CredentialsService,
    ManualOperations,
    Pusher,
    Queries,
    RulesService,
    ServiceContext,
)
from compliance.service_layer.incoming_transfers import IncomingAfterPull
from compliance.service_layer.pull_sync import PullPolicy, PullSync
from compliance.service_layer.reconciliation import ReconciliationService
from compliance.service_layer.sync_health import SyncHealth
from compliance.service_layer.sync_service import SyncService
from compliance.service_layer.sync_watch import BurstTrigger, SyncAlerts, WatchPolicy

__all__ = ["build", "create_app", "mailer", "push_policy", "sync_handlers", "watch_policy"]


def build(settings: ComplianceSettings) -> Container:
    tracer_provider = configure_tracing(settings)
    database = Database.of_service(settings, tracer_provider)  # created on first use
    uow = partial(ComplianceUnitOfWork, database)
    metrc = MetrcClients(
        tracer_provider=tracer_provider,
        timeout=httpx.Timeout(
            settings.metrc_read_timeout_seconds, connect=settings.metrc_connect_timeout_seconds
        ),
        retry=RetryPolicy(
            max_attempts=settings.metrc_call_attempts,
            max_retry_after=settings.metrc_max_retry_after_seconds,
            max_delay=settings.metrc_max_backoff_seconds,
        ),
    )
    context = ServiceContext(
        uow=uow,
        connector=metrc,
        cipher=CredentialCipher.from_keyring(settings.credential_keys),
        clock=UtcClock(),
        policy=push_policy(settings),
        telemetry=OtelPushTelemetry(tracer_provider),
    )

    inventory = HttpInventoryMovements(
        settings.inventory_url, timeout_seconds=settings.inventory_timeout_seconds
    )
    manual = ManualOperations(context, Pusher(context))

    async def close() -> None:
        await metrc.close()
        await inventory.close()
        await database.close()

    return Container(
        settings=settings,
        uow=uow,
        database_check=database.check,
        close=close,
        tracer_provider=tracer_provider,
        context=context,
        handlers=Handlers(
            credentials=CredentialsService(context),
            rules=RulesService(context),
            manual=manual,
            queries=Queries(context),
            sync=sync_handlers(settings, context, database, metrc),
            reconciliation=ReconciliationService(uow, context, manual, inventory),
        ),
    )


def sync_handlers(
    settings: ComplianceSettings, context: ServiceContext, database: Database, metrc: MetrcClients
) -> SyncHandlers:
    """The pull sync on PostgreSQL and the real Metrc client (the worker runs it, the API
    requests runs and reads their progress and the licenses' sync health)."""
    store = PgMirrorStore(database)
    runs = PgSyncRuns(database)
    pull = PullSync(
        context,
        store,
        metrc,
        PullPolicy(overlap=timedelta(seconds=settings.sync_overlap_seconds)),
    )
    incoming = IncomingAfterPull(context, store, lambda: ComplianceUnitOfWork(database))
    service = SyncService(context, runs, pull, after_pull=incoming)
    watch = watch_policy(settings)
    return SyncHandlers(
        service=service,
        health=SyncHealth(
            context,
            store,
            runs,
            metrc,
            interval_for=settings.sync_interval_for,
            stale=StaleRule(
                stale_factor=settings.sync_stale_factor,
                unscheduled_stale=timedelta(seconds=settings.sync_stale_unscheduled_seconds),
            ),
        ),
        bursts=BurstTrigger(context, service, PgPushActivity(database), watch),
        alerts=SyncAlerts(context, watch),
    )


def watch_policy(settings: ComplianceSettings) -> WatchPolicy:
    """The sync watch's thresholds: the burst trigger (off at 0 pushes) and the backlog's."""
    burst = (
        BurstRule(
            min_accepted=settings.sync_burst_pushes,
            quiet=timedelta(seconds=settings.sync_burst_quiet_seconds),
        )
        if settings.sync_burst_pushes > 0
        else None
    )
    return WatchPolicy(
        burst=burst,
        backlog=BacklogRule(
            size=settings.backlog_alert_size,
            age=timedelta(seconds=settings.backlog_alert_seconds),
            checks=settings.backlog_alert_checks,
        ),
    )


def push_policy(settings: ComplianceSettings) -> PushPolicy:
    """The worker's numbers; the read-back wait is derived from the client's timeouts."""
    return PushPolicy(
        max_attempts=settings.push_max_attempts,
        first_retry=timedelta(seconds=settings.push_first_retry_seconds),
        max_retry=timedelta(seconds=settings.push_max_retry_seconds),
        read_back_after=settings.read_back_after,
        concurrent_requests=settings.push_concurrent_requests,
    )


def mailer(settings: ComplianceSettings) -> SmtpMailer | None:
    """The notifications' mailer, or None when no mail server is configured."""
    if not settings.smtp_host:
        return None
    return SmtpMailer(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.smtp_from,
        security=settings.smtp_security,
        username=settings.smtp_username,
        password=settings.smtp_password,
        timeout=settings.smtp_timeout_seconds,
    )


def create_app(settings: ComplianceSettings | None = None) -> FastAPI:
    """The API process's app (``python -m compliance api`` names this factory)."""
    return api.create_app(build(settings or ComplianceSettings()))
