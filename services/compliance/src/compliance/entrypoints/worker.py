"""The compliance worker process: the inventory consumer and, when a mail server is configured,
the notification mailer (``notify.mail_notifications``), on one container until SIGTERM."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from shared.messaging import run_worker

from compliance.adapters.smtp_mailer import SmtpMailer
from compliance.config import ComplianceSettings
from compliance.entrypoints import consumers
from compliance.entrypoints.container import Container
from compliance.entrypoints.notify import mail_notifications

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
