"""The compliance worker process, on one container until SIGTERM: the inventory consumer (events
become submissions), the push lanes and the read-back (``push_loop``), the ledger's gauges on
``/metrics`` (``queue_metrics``), the pull sync's scheduled and requested runs (``sync_loop``),
and, when a mail server is configured, the notification mailer (``notify.mail_notifications``)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from shared.messaging import run_worker

from compliance.adapters.smtp_mailer import SmtpMailer
from compliance.config import ComplianceSettings
from compliance.entrypoints import consumers
from compliance.entrypoints.container import Container
from compliance.entrypoints.notify import mail_notifications
from compliance.entrypoints.push_loop import push_continuously, recover_continuously
from compliance.entrypoints.queue_metrics import publish_queue_metrics
from compliance.entrypoints.sync_loop import sync_job
from compliance.entrypoints.transfer_manifests import manifests_continuously

__all__ = ["compliance_worker"]


def compliance_worker(
    build: Callable[[ComplianceSettings], Container],
    mailer: Callable[[ComplianceSettings], SmtpMailer | None],
) -> Callable[[ComplianceSettings, asyncio.Event], Awaitable[None]]:
    async def worker(settings: ComplianceSettings, stop: asyncio.Event) -> None:
        container = build(settings)
        jobs = [
            run_worker(
                settings.kafka_bootstrap_servers,
                lambda broker: consumers.subscribe(broker, container),
                stop,
                tracer_provider=container.tracer_provider,
            )
        ]
        jobs.append(
            push_continuously(
                container.context,
                stop,
                poll=settings.push_poll_seconds,
                rest=settings.push_rest_seconds,
            )
        )
        jobs.append(
            manifests_continuously(
                container,
                stop,
                every=settings.transfer_poll_seconds,
                claim=settings.transfer_claim_seconds,
                margin=settings.transfer_calls_margin,
                stall_after=settings.transfer_stall_seconds,
            )
        )
        jobs.append(
            recover_continuously(container.context, stop, every=settings.recovery_interval_seconds)
        )
        jobs.append(
            publish_queue_metrics(
                container.context, stop, every=settings.queue_metrics_interval_seconds
            )
        )
        if container.handlers.sync is not None:
            jobs.append(sync_job(container, settings, stop))
        mail = mailer(settings)
        if mail is not None:
            jobs.append(
                mail_notifications(
                    container.context,
                    mail,
                    stop,
                    interval=settings.notify_interval_seconds,
                    default_recipients=settings.default_recipients,
                )
            )
        try:
            await asyncio.gather(*jobs)
        finally:
            await container.close()

    return worker
